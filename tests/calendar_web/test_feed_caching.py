"""ETag, Last-Modified and 304s of the feed, and the watermark that keeps Last-Modified from going backwards."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update
from werkzeug.http import http_date, parse_date

from planner.auth.models import User
from planner.calendar import tokens
from planner.calendar.feeds import WATERMARK, mark_feeds_changed
from planner.calendar.models import FeedWatermark
from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Membership, Programme
from planner.rollout import services as rollout_services
from planner.rollout.models import Holiday, Milestone, Wave

LONG_AGO = datetime(2026, 1, 1, tzinfo=timezone.utc)


def setup_feed(app, factories):
    """A viewer of a programme with one milestone, and their feed URL."""
    programme = factories.programme()
    user = factories.user()
    factories.grant(user, programme, "viewer")
    with app.app_context():
        milestone = rollout_services.create_milestone(db.session.get(Programme, programme.id), name="Kickoff",
                                                      kind="kickoff", planned_on=date(2027, 3, 1), actual_on=None)
        token = tokens.reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
        return programme, user, milestone.id, f"/calendar/{token}.ics"


def drop_watermark(app):
    with app.app_context():
        db.session.execute(FeedWatermark.__table__.delete())
        db.session.commit()


def test_etag_is_the_quoted_sha256_of_the_body(app, client, factories):
    import hashlib

    _programme, _user, _milestone, url = setup_feed(app, factories)

    response = client.get(url)

    assert response.headers["ETag"] == f'"{hashlib.sha256(response.get_data()).hexdigest()}"'
    assert parse_date(response.headers["Last-Modified"]) is not None


def test_if_none_match_with_the_etag_is_a_304_without_body(app, client, factories):
    _programme, _user, _milestone, url = setup_feed(app, factories)
    first = client.get(url)

    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "private, max-age=300"
    weak = client.get(url, headers={"If-None-Match": f'"other", W/{first.headers["ETag"]}'})
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110 13.1.2)


def test_if_none_match_wins_over_if_modified_since(app, client, factories):
    _programme, _user, _milestone, url = setup_feed(app, factories)
    first = client.get(url)
    future = http_date(datetime.now(timezone.utc) + timedelta(days=1))

    response = client.get(url, headers={"If-None-Match": '"stale-etag"', "If-Modified-Since": future})
    assert response.status_code == 200
    assert response.get_data() == first.get_data()

    response = client.get(url, headers={"If-None-Match": first.headers["ETag"],
                                        "If-Modified-Since": http_date(LONG_AGO)})
    assert response.status_code == 304


def test_if_modified_since(app, client, factories):
    _programme, _user, _milestone, url = setup_feed(app, factories)
    last_modified = client.get(url).headers["Last-Modified"]

    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": http_date(LONG_AGO)}).status_code == 200
    for garbage in ("yesterday", "Tue, 99 Foo 2026 25:61:00 GMT", ""):
        response = client.get(url, headers={"If-Modified-Since": garbage})
        assert response.status_code == 200, garbage
        assert response.get_data().startswith(b"BEGIN:VCALENDAR")


def test_a_change_changes_etag_and_last_modified(app, client, factories):
    _programme, _user, milestone_id, url = setup_feed(app, factories)
    with app.app_context():
        db.session.execute(update(Milestone).where(Milestone.id == milestone_id).values(updated_at=LONG_AGO))
        db.session.commit()
    before = client.get(url)

    with app.app_context():
        milestone = db.session.get(Milestone, milestone_id)
        rollout_services.update_milestone(milestone, expected_version=milestone.version, name="Kick-off",
                                          kind="kickoff", planned_on=milestone.planned_on, actual_on=None)
        db.session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"SEQUENCE:1" in after.get_data()  # the milestone's version counts its changes
    assert parse_date(after.headers["Last-Modified"]) >= parse_date(before.headers["Last-Modified"])


def _age_everything(app, programme, user):
    """Date every record the feed looks at in the past, so that the newest one decides Last-Modified."""
    with app.app_context():
        db.session.execute(update(Programme).where(Programme.id == programme.id).values(updated_at=LONG_AGO))
        db.session.execute(update(Membership).where(Membership.user_id == user.id).values(updated_at=LONG_AGO))
        db.session.execute(update(User).where(User.id == user.id).values(updated_at=LONG_AGO))
        db.session.execute(update(Milestone).where(Milestone.programme_id == programme.id)
                           .values(updated_at=LONG_AGO))
        db.session.commit()


def test_last_modified_does_not_go_backwards_after_a_deletion(app, client, factories):
    programme, user, _older, url = setup_feed(app, factories)
    with app.app_context():
        newest = rollout_services.create_milestone(db.session.get(Programme, programme.id), name="Sign-off",
                                                   kind="process_sign_off", planned_on=date(2027, 5, 3),
                                                   actual_on=None)
        db.session.commit()
        newest_id = newest.id
    _age_everything(app, programme, user)
    drop_watermark(app)
    with app.app_context():
        db.session.execute(update(Milestone).where(Milestone.id == newest_id)
                           .values(updated_at=LONG_AGO + timedelta(days=30)))
        db.session.commit()
    before = parse_date(client.get(url).headers["Last-Modified"])
    assert before == LONG_AGO + timedelta(days=30)

    with app.app_context():
        rollout_services.delete_milestone(db.session.get(Milestone, newest_id))
        db.session.commit()
    after = client.get(url, headers={"If-Modified-Since": http_date(before)})

    assert after.status_code == 200  # the feed changed, and a client asking by date must hear so
    assert b"Sign-off" not in after.get_data()
    assert parse_date(after.headers["Last-Modified"]) > before
    with app.app_context():
        assert db.session.get(FeedWatermark, WATERMARK) is not None


def test_deleting_a_membership_moves_the_watermark(app, factories):
    programme = factories.programme()
    user = factories.user()
    membership = factories.grant(user, programme, "viewer")
    admin = factories.user(is_admin=True)
    drop_watermark(app)

    with app.app_context():
        programme_services.revoke_role(db.session.get(Membership, membership.id),
                                       acting_user=db.session.get(User, admin.id))
        db.session.commit()
        assert db.session.get(FeedWatermark, WATERMARK) is not None


def test_taking_a_region_off_a_wave_moves_the_watermark(app, factories):
    programme = factories.programme()
    region = factories.region(programme)
    with app.app_context():
        wave = rollout_services.create_wave(db.session.get(Programme, programme.id), name="Pilot", kind="pilot",
                                            position=1, planned_go_live=date(2027, 4, 5), trial_days=20,
                                            region_ids=[region.id])
        db.session.commit()
        wave_id = wave.id
    drop_watermark(app)

    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        rollout_services.update_wave(wave, expected_version=wave.version, region_ids=[], name="Pilot", kind="pilot",
                                     position=1, planned_go_live=date(2027, 4, 5), trial_days=20)
        db.session.commit()
        assert db.session.get(FeedWatermark, WATERMARK) is not None


def test_unrelated_deletions_leave_the_watermark_alone(app, factories):
    programme = factories.programme()
    with app.app_context():
        holiday = rollout_services.add_holiday(db.session.get(Programme, programme.id), day=date(2027, 12, 25),
                                               name="Christmas", region_id=None)
        db.session.commit()
        holiday_id = holiday.id
    drop_watermark(app)

    with app.app_context():
        rollout_services.delete_holiday(db.session.get(Holiday, holiday_id))
        db.session.commit()
        assert db.session.scalar(select(FeedWatermark)) is None


def test_the_watermark_never_goes_backwards(app):
    future = datetime.now(timezone.utc) + timedelta(days=1)
    with app.app_context():
        db.session.get(FeedWatermark, WATERMARK).changed_at = future  # seeded by the migration
        db.session.flush()
        mark_feeds_changed(db.session())
        assert db.session.get(FeedWatermark, WATERMARK).changed_at == future
        db.session.rollback()
