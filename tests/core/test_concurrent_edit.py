"""Two saves of one record at once: the second is a 409 with nothing written, not a 500."""
from sqlalchemy import update

from planner import create_app
from planner.core.permissions import public
from planner.extensions import db
from planner.programmes.models import Region


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
