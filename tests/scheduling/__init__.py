"""The schedule engine, tested alone: no app, no database."""
