"""Fault tests own their databases: each builds fresh ones with ``make_fresh_app`` (committed for real, so a
second process or connection sees them), and none runs inside the shared rolled-back transaction."""
import pytest


@pytest.fixture(autouse=True)
def _rolled_back():
    """No shared session rolled back around these tests: they need the app's own session and real commits."""
    yield
