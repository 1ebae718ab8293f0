"""The plan and its log: items are checked, sends go through the outbox one person at a time, held meetings
are recorded, an occurrence is fulfilled once."""
import email
import email.policy
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from planner.comms import services
from planner.comms.models import CommunicationItem, CommunicationLog
from planner.core.errors import DomainError
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme
from tests.comms.helpers import hold, make_audience, make_item, send


@pytest.fixture
def world(app, factories):
    programme = factories.programme(regions=["North", "South"])
    with app.app_context():
        regions = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    people = [factories.person(programme, name, region_id=regions["North"]) for name in ("Ana", "Ben", "Cy")]
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    return programme, regions, people, everyone


def body_text(content: bytes) -> str:
    message = email.message_from_bytes(content, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def _item_values(default_audience_id, **values):
    spec = {"title": "Update", "purpose": "status_update", "audience_id": default_audience_id, "channel": "email",
            "owner_id": None, "message": "", "planned_on": date(2026, 6, 1), "recurrence": "", "region_id": None}
    spec.update(values)
    return spec


@pytest.mark.parametrize(("values", "field"), [
    ({"title": "  "}, "title"),
    ({"audience_id": None}, "audience_id"),
    ({"planned_on": None}, "planned_on"),
    ({"recurrence": "FREQ=HOURLY"}, "recurrence"),
    ({"recurrence": "FREQ=DAILY;INTERVAL=0"}, "recurrence"),
    ({"purpose": "gossip"}, "purpose"),
    ({"planned_on": date(2025, 2, 27)}, "planned_on"),   # more than a year before the start (2 March 2026)
    ({"planned_on": date(9999, 12, 31)}, "planned_on"),  # would overflow the date arithmetic of the plan
    ({"planned_on": date(1, 1, 1)}, "planned_on"),
])
def test_a_bad_item_is_refused_at_its_field(app, world, values, field):
    programme, _regions, _people, everyone = world
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            services.create_item(db.session.get(Programme, programme.id), **_item_values(everyone, **values))
        assert refused.value.field == field


def test_an_item_cannot_use_another_programmes_audience_owner_or_region(app, factories, world):
    programme, _regions, _people, everyone = world
    other = factories.programme(regions=["Far"])
    foreign_audience = make_audience(app, other, "Theirs", is_everyone=True)
    stranger = factories.person(other, "Stranger")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        far = db.session.get(Programme, other.id).regions[0].id
        for values, field in (({"audience_id": foreign_audience}, "audience_id"),
                              ({"owner_id": stranger.id}, "owner_id"), ({"region_id": far}, "region_id")):
            with pytest.raises(DomainError) as refused:
                services.create_item(target, **_item_values(everyone, **values))
            assert refused.value.field == field


def test_sending_queues_one_email_per_person_with_their_feedback_link(app, world, now_is):
    programme, _regions, people, everyone = world
    now_is(datetime(2026, 6, 1, 9, tzinfo=UTC))
    with app.app_context():  # one person without an address: counted, not fatal
        db.session.execute(update(Person).where(Person.id == people[2].id).values(email=""))
        db.session.commit()
    log_id = send(app, programme, everyone, subject="Kickoff", text="Why we change.", purpose="vision_kickoff")
    with app.app_context():
        log = db.session.get(CommunicationLog, log_id)
        assert (log.recipients_count, log.without_email_count, log.audience_name) == (2, 1, "Everyone")
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"comms:{log_id}:%"))
                                      .order_by(OutboxMessage.key)).all()
        assert sorted(message.key for message in messages) == sorted(
            f"comms:{log_id}:{person.id}" for person in people[:2])
        assert {message.kind for message in messages} == {"comms"}
        texts = [body_text(message.content) for message in messages]
        assert all("Why we change." in text and "/feedback/" in text for text in texts)
        assert len({text for text in texts}) == 2  # each has its own link


def test_a_send_runs_the_same_queries_for_3_or_30_people_apart_from_the_outbox(app, factories):
    """Feedback links are made in one batch; only the outbox's own statements grow with the recipients."""
    from tests.conftest import count_queries

    measured = []
    for size in (3, 30):
        programme = factories.programme(regions=["Only"])
        for n in range(size):
            factories.person(programme, f"P{size}-{n:02}")
        audience_id = make_audience(app, programme, "Everyone", is_everyone=True)
        with count_queries(app) as statements:
            log_id = send(app, programme, audience_id, subject="Hello", text="Hi")
        with app.app_context():
            assert db.session.get(CommunicationLog, log_id).recipients_count == size
        outside_outbox = [statement for statement in statements if "outbox_message" not in statement]
        measured.append((len(outside_outbox), len(statements) - len(outside_outbox)))
    assert measured[0][0] == measured[1][0], measured
    assert measured[1][1] - measured[0][1] <= 2 * 27, measured  # at most a lookup and an insert per message


def test_an_empty_subject_or_message_writes_nothing(app, world):
    programme, _regions, _people, everyone = world
    with pytest.raises(DomainError) as refused:
        send(app, programme, everyone, subject=" ")
    assert refused.value.field == "subject"
    with pytest.raises(DomainError) as refused:
        send(app, programme, everyone, text="  ")
    assert refused.value.field == "body"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommunicationLog)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_occurrence_is_fulfilled_once_and_must_be_a_date_of_the_item(app, world, today_is):
    programme, _regions, _people, everyone = world
    today_is(date(2026, 6, 20))
    item_id = make_item(app, programme, everyone, recurrence="FREQ=WEEKLY;INTERVAL=2")
    send(app, programme, everyone, item_id=item_id, occurrence_on=date(2026, 6, 15))
    for day in (date(2026, 6, 15), date(2026, 6, 16), None):
        with pytest.raises(DomainError) as refused:
            send(app, programme, everyone, item_id=item_id, occurrence_on=day)
        assert refused.value.field == "occurrence_on"


def test_send_item_refuses_a_meeting(app, world):
    programme, _regions, _people, everyone = world
    item_id = make_item(app, programme, everyone, channel="meeting")
    with app.app_context():
        with pytest.raises(DomainError):
            services.send_item(db.session.get(CommunicationItem, item_id), date(2026, 6, 1), "S", "B")


def test_a_held_meeting_takes_the_items_audience_and_purpose(app, world, today_is):
    programme, regions, _people, everyone = world
    today_is(date(2026, 6, 3))
    item_id = make_item(app, programme, everyone, channel="town_hall", purpose="go_live_notice",
                        region_id=regions["North"])
    log_id = hold(app, programme, held_on=date(2026, 6, 2), item_id=item_id, occurrence_on=date(2026, 6, 1),
                  recipients_count=40)
    with app.app_context():
        log = db.session.get(CommunicationLog, log_id)
        assert (log.purpose, log.channel, log.audience_id, log.region_id) == (
            "go_live_notice", "town_hall", everyone, regions["North"])
        assert log.happened_at == datetime(2026, 6, 2, 12, tzinfo=UTC) and log.recipients_count == 40


@pytest.mark.parametrize(("values", "field"), [
    ({"held_on": date(2026, 6, 4)}, "held_on"),
    ({"held_on": None}, "held_on"),
    ({"audience_id": None}, "audience_id"),
    ({"subject": ""}, "subject"),
    ({"recipients_count": -1}, "recipients_count"),
    ({"held_on": date(2020, 1, 1)}, "held_on"),
])
def test_a_bad_held_record_is_refused(app, world, today_is, values, field):
    programme, _regions, _people, everyone = world
    today_is(date(2026, 6, 3))
    spec = {"held_on": date(2026, 6, 2), "subject": "Town hall", "audience_id": everyone, "purpose": "other",
            "channel": "meeting"}
    spec.update(values)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            services.record_held(db.session.get(Programme, programme.id), **spec)
        assert refused.value.field == field


def test_an_audience_in_use_by_the_plan_cannot_be_deleted(app, world):
    from planner.comms import audiences
    from planner.comms.models import Audience

    programme, _regions, _people, everyone = world
    make_item(app, programme, everyone)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            audiences.delete_audience(db.session.get(Audience, everyone))
        assert "communication item" in refused.value.message
        assert "communication_item.audience_id" in {str(column) for _table, column in
                                                    audiences._restricting_columns()}


def test_an_audience_with_status_updates_cannot_be_deleted(app, world, now_is):
    """Deleting it would take the sent status updates with it (status_update.audience_id cascades)."""
    from planner.comms import audiences
    from planner.comms.models import Audience, StatusUpdate

    programme, _regions, _people, everyone = world
    now_is(datetime(2026, 6, 1, 9, tzinfo=UTC))
    with app.app_context():
        update_ = services.draft_status_update(db.session.get(Programme, programme.id), everyone)
        db.session.flush()
        services.send_status_update(update_, expected_version=update_.version)
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            audiences.delete_audience(db.session.get(Audience, everyone))
        assert "status update" in refused.value.message
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(StatusUpdate)) == 1
        assert db.session.get(Audience, everyone) is not None


def test_planned_dates_are_kept_near_the_programme(app, world, today_is):
    programme, _regions, _people, everyone = world
    today_is(date(2026, 6, 1))
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        services.create_item(target, **_item_values(everyone, planned_on=date(2025, 3, 2)))
        with pytest.raises(DomainError) as refused:
            services.create_item(target, **_item_values(everyone, planned_on=date(2025, 3, 1)))
        assert refused.value.field == "planned_on"
        services.create_item(target, **_item_values(everyone, planned_on=date(2031, 6, 1)))
        with pytest.raises(DomainError) as refused:
            services.create_item(target, **_item_values(everyone, planned_on=date(2031, 6, 2)))
        assert refused.value.field == "planned_on"


def test_notice_days_are_zero_to_sixty(app, world):
    programme, *_rest = world
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for bad in (-1, 61, None):
            with pytest.raises(DomainError) as refused:
                services.set_go_live_notice_days(target, bad)
            assert refused.value.field == "go_live_notice_days"
        services.set_go_live_notice_days(target, 15)
        assert target.go_live_notice_days == 15
