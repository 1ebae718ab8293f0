"""Building blocks of the communication tests: audiences, plan items, waves and log rows through the services."""
from datetime import date

from planner.comms import audiences, services
from planner.comms.models import Audience, CommunicationItem
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services


def make_audience(app, programme, name: str = "Everyone", **values) -> int:
    spec = {"name": name, "description": "", "is_everyone": False, "region_ids": [], "department_ids": [],
            "job_roles": "", "person_ids": []}
    spec.update(values)
    with app.app_context():
        audience = audiences.create_audience(db.session.get(Programme, programme.id), **spec)
        db.session.commit()
        return audience.id


def make_item(app, programme, audience_id: int, title: str = "Status update", **values) -> int:
    spec = {"title": title, "purpose": "status_update", "audience_id": audience_id, "channel": "email",
            "owner_id": None, "message": "", "planned_on": date(2026, 6, 1), "recurrence": "", "region_id": None}
    spec.update(values)
    with app.app_context():
        item = services.create_item(db.session.get(Programme, programme.id), **spec)
        db.session.commit()
        return item.id


def make_wave(app, programme, name: str, planned_go_live: date, region_ids: list[int]) -> int:
    with app.app_context():
        wave = rollout_services.create_wave(db.session.get(Programme, programme.id), name=name, kind="standard",
                                            position=1, planned_go_live=planned_go_live, trial_days=10,
                                            region_ids=region_ids)
        db.session.commit()
        return wave.id


def hold(app, programme, *, held_on: date, subject: str = "Town hall", item_id: int | None = None,
         occurrence_on: date | None = None, **values) -> int:
    """Log a held meeting (or a notice/kickoff given outside the planner's mail)."""
    with app.app_context():
        item = db.session.get(CommunicationItem, item_id) if item_id else None
        log = services.record_held(db.session.get(Programme, programme.id), held_on=held_on, subject=subject,
                                   item=item, occurrence_on=occurrence_on, **values)
        db.session.commit()
        return log.id


def send(app, programme, audience_id: int, *, purpose: str = "status_update", subject: str = "News",
         text: str = "Hello", item_id: int | None = None, occurrence_on: date | None = None, region_id=None):
    with app.app_context():
        log = services.send_to_audience(
            db.session.get(Programme, programme.id), audience=db.session.get(Audience, audience_id), purpose=purpose,
            subject=subject, text=text, item=db.session.get(CommunicationItem, item_id) if item_id else None,
            occurrence_on=occurrence_on, region_id=region_id)
        db.session.commit()
        return log.id
