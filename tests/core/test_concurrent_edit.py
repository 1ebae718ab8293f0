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


def _serve(app, view):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    fresh.add_url_rule("/write", "write", public(view), methods=["GET", "POST"])
    return fresh


def _regions(programme_id):
    return db.session.scalars(db.select(Region.name).where(Region.programme_id == programme_id)
                              .order_by(Region.name)).all()


def test_a_duplicate_saved_at_the_same_moment_is_a_409_with_nothing_written(app, factories):
    """The view's own check saw no "Hamburg" (the other request had not committed yet); the database's unique
    key refuses it: a 409 that says to try again, and the view's other writes are rolled back with it."""
    programme = factories.programme(regions=["Hamburg"])

    def add_the_same_region():
        db.session.add(Region(programme_id=programme.id, name="Bremen", time_zone="Europe/Berlin"))
        db.session.add(Region(programme_id=programme.id, name="Hamburg", time_zone="Europe/Berlin"))
        db.session.flush()
        return "saved"

    fresh = _serve(app, add_the_same_region)
    try:
        response = fresh.test_client().get("/write")
        assert response.status_code == 409
        assert "at the same moment" in response.get_data(as_text=True)
        with fresh.app_context():
            assert _regions(programme.id) == ["Hamburg"]
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_a_duplicate_found_at_the_commit_is_a_409_in_the_page_and_in_the_api(app, factories):
    programme = factories.programme(regions=["Hamburg"])

    def add_the_same_region_unflushed():
        db.session.add(Region(programme_id=programme.id, name="Hamburg", time_zone="Europe/Berlin"))
        return "saved"

    fresh = _serve(app, add_the_same_region_unflushed)
    try:
        page = fresh.test_client().get("/write")
        assert page.status_code == 409 and "at the same moment" in page.get_data(as_text=True)
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        as_json = fresh.test_client().get("/write", headers={"Accept": "application/json"})
        assert as_json.status_code == 409 and "at the same moment" in as_json.get_json()["message"]
        with fresh.app_context():
            assert _regions(programme.id) == ["Hamburg"]
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_only_refusals_caused_by_another_write_are_conflicts():
    """Unique and foreign keys, deadlocks and serialisation failures (PostgreSQL's SQLSTATEs, SQLite's words)
    are conflicts; NOT NULL and CHECK violations are bugs."""
    import sqlite3

    from psycopg import errors as pg
    from sqlalchemy.exc import IntegrityError, OperationalError

    from planner.core.errors import write_conflict

    def integrity(orig):
        return IntegrityError("INSERT ...", {}, orig)

    assert write_conflict(integrity(pg.UniqueViolation()))
    assert write_conflict(integrity(pg.ForeignKeyViolation()))
    assert write_conflict(OperationalError("UPDATE ...", {}, pg.DeadlockDetected()))
    assert write_conflict(OperationalError("UPDATE ...", {}, pg.SerializationFailure()))
    assert write_conflict(integrity(sqlite3.IntegrityError("UNIQUE constraint failed: region.programme_id")))
    assert not write_conflict(integrity(pg.NotNullViolation()))
    assert not write_conflict(integrity(pg.CheckViolation()))
    assert not write_conflict(integrity(sqlite3.IntegrityError("NOT NULL constraint failed: region.name")))
    assert not write_conflict(OperationalError("SELECT ...", {}, pg.QueryCanceled()))
