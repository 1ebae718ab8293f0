"""Two saves of one record at once: the second is a 409 with nothing written, not a 500."""
from sqlalchemy import update

from planner import create_app
from planner.core.permissions import public
from planner.extensions import db
from planner.programmes.models import Region
from tests.conftest import log_in


def test_a_save_that_lost_the_race_is_a_409_and_rolls_back(app, factories):
    programme = factories.programme(regions=["Hamburg"])
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    def lose_the_race():
        region = db.session.scalars(db.select(Region).where(Region.programme_id == programme.id)).one()
        # another request saved the region between our read and our write
        db.session.execute(update(Region).where(Region.id == region.id).values(version=Region.version + 1)
                           .execution_options(synchronize_session=False))
        region.name = "Hamburg HQ"
        db.session.flush()
        return "saved"

    fresh.add_url_rule("/race", "race", public(lose_the_race))
    try:
        response = fresh.test_client().get("/race", headers={"Accept": "application/json"})
        assert response.status_code == 409
        assert "Someone else changed this record" in response.get_json()["message"]
        with fresh.app_context():
            region = db.session.scalars(db.select(Region).where(Region.programme_id == programme.id)).one()
            assert (region.name, region.version) == ("Hamburg", 1)
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_a_save_that_loses_the_race_at_the_commit_is_a_409_too(app, factories):
    """The view changed the record but did not flush: the conflict shows at the request's commit."""
    programme = factories.programme(regions=["Hamburg"])
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    def lose_the_race_at_commit():
        region = db.session.scalars(db.select(Region).where(Region.programme_id == programme.id)).one()
        db.session.execute(update(Region).where(Region.id == region.id).values(version=Region.version + 1)
                           .execution_options(synchronize_session=False))
        region.name = "Hamburg HQ"
        return "saved"

    fresh.add_url_rule("/race", "race", public(lose_the_race_at_commit))
    try:
        response = fresh.test_client().get("/race")
        assert response.status_code == 409
        assert "Someone else changed this record" in response.get_data(as_text=True)
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # the error page keeps the headers
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        with fresh.app_context():
            region = db.session.scalars(db.select(Region).where(Region.programme_id == programme.id)).one()
            assert region.name == "Hamburg"
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_a_failed_write_still_gets_the_error_page_for_a_logged_in_user(app, factories):
    """The error page reads the database (the logged-in user); after a failed flush it must roll back first."""
    user = factories.user()
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    def fail_to_write():
        db.session.add(Region(programme_id=None, name=None))
        db.session.flush()
        return "written"

    fresh.add_url_rule("/fail", "fail", public(fail_to_write))
    try:
        client = fresh.test_client()
        log_in(client, user.email)
        response = client.get("/fail")
        assert response.status_code == 500
        assert "Nothing was saved" in response.get_data(as_text=True)
    finally:
        with fresh.app_context():
            db.engine.dispose()
