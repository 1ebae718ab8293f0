"""Fixtures of the API tests."""
import pytest


@pytest.fixture
def api_client_for(app, factories):
    """``api_client_for(role, programme)`` -> (client, headers, user): a test client and the Bearer headers of a
    new user with ``role`` in ``programme`` ("admin" for an admin, "none" for no role)."""
    from tests.api.helpers import api_client_for as make

    return lambda role, programme=None: make(app, factories, role, programme)
