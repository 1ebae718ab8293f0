"""The health probe: 200 when the database answers, 503 (not 500) when it does not."""
import pytest

from planner import create_app
from planner.extensions import db


@pytest.fixture(autouse=True)
def _rolled_back():
    """The probe only reads, and one test needs the app's own (unreachable) database."""
    yield


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://nobody@127.0.0.1:1/none",
    "sqlite:////nonexistent-planner-dir/for/sure/planner.db",
], ids=["postgresql-refused", "sqlite-missing-folder"])
def test_healthz_answers_503_when_the_database_is_unreachable(url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.is_json
        assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
