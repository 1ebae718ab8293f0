"""Fixtures of the calendar pages, feeds and commands (these tests use the database): see helpers.py."""
