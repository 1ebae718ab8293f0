"""Running one health rule the way the health page does, and building governance and communication worlds
through the real services."""
from datetime import UTC, date, datetime, time

from flask import url_for
from sqlalchemy import select

from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.committee.models import Committee
from planner.extensions import db
from planner.health.engine import run_health_check
from planner.health.models import HealthThreshold
from planner.programmes.models import Programme

#: the clock of these tests: Friday 18 September 2026 (factory programmes start on Monday 2 March 2026)
NOW = datetime(2026, 9, 18, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(day: date, hour: int = 9) -> datetime:
    """A moment on ``day`` in UTC, for pinning the clock while data is written."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def run_rule(app, programme_id: int, key: str, today: date = TODAY) -> list:
    """The open findings of one rule through the engine, after proving every evidence link builds with its
    route's own arguments (an unknown argument would turn into a query string)."""
    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        findings = run_health_check(programme, today, rule_keys=(key,)).open
        for finding in findings:
            assert finding.rule == key
            for evidence in finding.evidence:
                if evidence.endpoint is not None:
                    url = url_for(evidence.endpoint, **evidence.url_values)
                    assert "?" not in url, (evidence, url)
        return findings


def run_rules(app, programme_id: int, keys: tuple[str, ...], today: date = TODAY) -> list:
    """The open findings of several rules at once (evidence links checked as in ``run_rule``)."""
    with app.test_request_context():
        findings = run_health_check(db.session.get(Programme, programme_id), today, rule_keys=keys).open
        for finding in findings:
            for evidence in finding.evidence:
                if evidence.endpoint is not None:
                    assert "?" not in url_for(evidence.endpoint, **evidence.url_values), evidence
        return findings


def only(findings: list):
    assert len(findings) == 1, [finding.title for finding in findings]
    return findings[0]


def set_threshold(app, programme_id: int, key: str, value: int) -> None:
    with app.app_context():
        db.session.add(HealthThreshold(programme_id=programme_id, key=key, value=value))
        db.session.commit()


def committee_of(programme_id: int) -> Committee:
    return db.session.scalar(select(Committee).where(Committee.programme_id == programme_id).order_by(Committee.id))


def seat(app, programme, person_id: int, role: str = "department_representative",
         starts_on: date = date(2026, 3, 2)) -> int:
    """Seat a person on the programme's steering committee; returns the seat's id."""
    with app.app_context():
        member = committee_services.add_member(committee_of(programme.id), person_id=person_id, role=role,
                                               starts_on=starts_on)
        db.session.commit()
        return member.id


def leave(app, member_id: int, ends_on: date) -> None:
    from planner.committee.models import CommitteeMember

    with app.app_context():
        member = db.session.get(CommitteeMember, member_id)
        committee_services.record_leaving(member, ends_on=ends_on, reason="Moved on", expected_version=None)
        db.session.commit()


def meeting(app, programme, day: date, *, hour: int = 10, held: bool = False, publish: bool = True,
            agenda: bool = False, title: str = "Steering committee") -> int:
    """A one-off committee meeting on ``day`` (UTC wall time), scheduled (invitations sent) unless ``publish`` is
    False; with ``agenda`` an item is added and the agenda published; with ``held`` attendance is recorded (the
    clock must be past its start). Returns the occurrence's id."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        plan = scheduling.MeetingPlan(title=title, local_start=datetime.combine(day, time(hour)), time_zone="UTC")
        created = scheduling.schedule_meeting(committee_of(target.id), plan, organiser_id=None, send_now=publish)
        occurrence = created.occurrences[0]
        if agenda:
            committee_services.add_agenda_item(occurrence, title="Decide the pilot region")
            committee_services.publish_agenda(occurrence)
        if held:
            committee_services.record_attendance(occurrence, {})
        db.session.commit()
        return occurrence.id


def action(app, programme, owner_id: int, due_on: date, title: str = "Confirm the pilot scope") -> int:
    with app.app_context():
        created = committee_services.add_action(db.session.get(Programme, programme.id), title=title,
                                                owner_id=owner_id, due_on=due_on)
        db.session.commit()
        return created.id


def close_action(app, action_id: int, *, owner_id: int | None = None, status: str = "done") -> None:
    """Close an action, or (status "open") hand it to ``owner_id``."""
    from planner.committee.models import ActionItem

    with app.app_context():
        item = db.session.get(ActionItem, action_id)
        committee_services.update_action(item, expected_version=None, title=item.title,
                                         owner_id=owner_id or item.owner_id, due_on=item.due_on, status=status,
                                         notes="")
        db.session.commit()
