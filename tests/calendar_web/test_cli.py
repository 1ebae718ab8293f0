"""``flask feed-url`` and ``flask roll-meetings``."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select

from planner.auth.models import User
from planner.calendar import tokens
from planner.calendar.cli import feed_url_command, roll_meetings_command
from planner.committee.models import Meeting, MeetingInvitee, Recurrence
from planner.extensions import db
from planner.people.models import Person
from tests.calendar_web.helpers import load, make_meeting, seat_members


def test_feed_url_prints_both_addresses_and_keeps_them(app, client, factories):
    user = factories.user(email="alice@example.com")
    runner = app.test_cli_runner()

    first = runner.invoke(feed_url_command, ["Alice@Example.com"])

    assert first.exit_code == 0, first.output
    web, webcal = first.stdout.splitlines()
    with app.app_context():
        token = tokens.feed_token(db.session.get(User, user.id))
    assert web == f"http://planner.test/calendar/{token}.ics"
    assert webcal == f"webcal://planner.test/calendar/{token}.ics"
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # committed
    assert runner.invoke(feed_url_command, ["alice@example.com"]).stdout == first.stdout


def test_feed_url_of_an_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(feed_url_command, ["nobody@example.com"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No user has the email address nobody@example.com." in result.stderr


def test_roll_meetings_extends_series_that_never_end(app, factories, now_is):
    programme = factories.programme()
    seat_members(app, factories, programme, ["alice@example.com"])
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc))
    weekly = make_meeting(app, programme, start=datetime(2027, 1, 5, 10, 0), recurrence=Recurrence.WEEKLY)
    one_off = make_meeting(app, programme, title="One-off", start=datetime(2027, 2, 1, 10, 0))
    with app.app_context():
        before = len(db.session.get(Meeting, weekly.meeting_id).occurrences)

    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc) + timedelta(weeks=10))
    result = app.test_cli_runner().invoke(roll_meetings_command, [])

    assert result.exit_code == 0, result.output
    assert result.stdout == "Added 10 occurrences to 2 meetings; queued 0 invitation updates.\n"
    with app.app_context():
        assert len(db.session.get(Meeting, weekly.meeting_id).occurrences) == before + 10
        assert len(db.session.get(Meeting, one_off.meeting_id).occurrences) == 1
    again = app.test_cli_runner().invoke(roll_meetings_command, [])
    assert again.stdout == "Added 0 occurrences to 2 meetings; queued 0 invitation updates.\n"


def test_roll_meetings_uninvites_a_member_once_their_last_day_is_past(app, factories, now_is):
    from planner.committee import services as committee_services
    from planner.committee.models import CommitteeMember, MeetingInvitee
    from planner.core.models import OutboxMessage

    programme = factories.programme()
    seat_members(app, factories, programme, ["alice@example.com", "bob@example.com"])
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc))
    weekly = make_meeting(app, programme, start=datetime(2027, 1, 5, 10, 0), recurrence=Recurrence.WEEKLY)
    with app.test_request_context():
        bob = db.session.scalar(select(CommitteeMember).join(CommitteeMember.person)
                                .where(Person.email == "bob@example.com"))
        committee_services.record_leaving(bob, ends_on=date(2027, 1, 20), reason="Retires", expected_version=None)
        db.session.commit()
    invitee_id = weekly.invitees["bob@example.com"]
    assert load(app, MeetingInvitee, invitee_id).removed_at is None  # still serving at the next meeting

    now_is(datetime(2027, 1, 21, 9, 0, tzinfo=timezone.utc))
    result = app.test_cli_runner().invoke(roll_meetings_command, [])

    assert result.exit_code == 0, result.output
    assert "queued 1 invitation updates" in result.stdout
    invitee = load(app, MeetingInvitee, invitee_id)
    assert invitee.removed_at is not None and invitee.last_method_sent == "CANCEL"
    with app.app_context():
        assert db.session.get(OutboxMessage, invitee.last_message_id).recipient == "bob@example.com"


def test_roll_meetings_tries_a_meeting_changed_at_the_same_moment_again_and_rolls_the_others(
        app, factories, now_is, monkeypatch):
    """Each meeting is rolled in its own transaction. One that collides with a change made while the job runs (a
    member added: the same invitee twice) is tried again; one that keeps colliding is reported, exit code 1, without
    holding the other meetings up (before, one collision rolled back the whole day's work)."""
    from planner.calendar import cli

    programme = factories.programme()
    seat_members(app, factories, programme, ["alice@example.com"])
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc))
    first = make_meeting(app, programme, start=datetime(2027, 1, 5, 10, 0), recurrence=Recurrence.WEEKLY)
    second = make_meeting(app, programme, title="Second", start=datetime(2027, 1, 6, 10, 0),
                          recurrence=Recurrence.WEEKLY)
    with app.app_context():
        before = {meeting_id: len(db.session.get(Meeting, meeting_id).occurrences)
                  for meeting_id in (first.meeting_id, second.meeting_id)}
    collisions = {first.meeting_id: 1, second.meeting_id: 3}
    ensure_invitees = cli.invitations.ensure_invitees

    def colliding(meeting):
        ensure_invitees(meeting)
        if collisions[meeting.id]:
            collisions[meeting.id] -= 1
            table = MeetingInvitee.__table__  # someone invited at the same moment: the same invitee again
            invited = db.session.execute(select(table).where(table.c.meeting_id == meeting.id).limit(1)).mappings()
            db.session.execute(insert(table).values({key: value for key, value in invited.one().items()
                                                     if key != "id"}))

    monkeypatch.setattr(cli.invitations, "ensure_invitees", colliding)
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc) + timedelta(weeks=10))
    result = app.test_cli_runner().invoke(roll_meetings_command, [])

    assert result.exit_code == 1, result.output
    assert result.stdout == "Added 10 occurrences to 1 meetings; queued 0 invitation updates.\n"
    assert f"Meeting {second.meeting_id} was changed while it was rolled, 3 times" in result.stderr
    assert collisions == {first.meeting_id: 0, second.meeting_id: 0}
    with app.app_context():
        assert len(db.session.get(Meeting, first.meeting_id).occurrences) == before[first.meeting_id] + 10
        assert len(db.session.get(Meeting, second.meeting_id).occurrences) == before[second.meeting_id]


def test_roll_meetings_reports_a_meeting_that_fails_and_rolls_the_ones_after_it(app, factories, now_is, monkeypatch):
    """A failure that is no conflict (a bug, bad data) is not tried again: it is reported with exit code 1, and
    the meetings after it in the day's run still get their occurrences."""
    from planner.calendar import cli

    programme = factories.programme()
    seat_members(app, factories, programme, ["alice@example.com"])
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc))
    broken = make_meeting(app, programme, start=datetime(2027, 1, 5, 10, 0), recurrence=Recurrence.WEEKLY)
    fine = make_meeting(app, programme, title="Fine", start=datetime(2027, 1, 6, 10, 0), recurrence=Recurrence.WEEKLY)
    with app.app_context():
        before = len(db.session.get(Meeting, fine.meeting_id).occurrences)
    ensure_occurrences, calls = cli.ensure_occurrences, []

    def failing(meeting):
        calls.append(meeting.id)
        if meeting.id == broken.meeting_id:
            raise ValueError("no such time zone")
        return ensure_occurrences(meeting)

    monkeypatch.setattr(cli, "ensure_occurrences", failing)
    now_is(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc) + timedelta(weeks=10))
    result = app.test_cli_runner().invoke(roll_meetings_command, [])

    assert result.exit_code == 1, result.output
    assert f"Meeting {broken.meeting_id} could not be rolled: no such time zone" in result.stderr
    assert calls == [broken.meeting_id, fine.meeting_id]  # not tried again
    with app.app_context():
        added = len(db.session.get(Meeting, fine.meeting_id).occurrences) - before
    assert added == 9  # ten weeks on, one day later in the week than the broken one
    assert result.stdout == f"Added {added} occurrences to 1 meetings; queued 0 invitation updates.\n"
