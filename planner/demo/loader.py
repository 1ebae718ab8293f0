"""Load the demo programme from seeds/demo/. Idempotent: what exists already is left alone."""
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from planner.auth import services as auth_services
from planner.demo.committee import load_committee
from planner.demo.adoption import load_adoption
from planner.demo.changes import load_changes
from planner.demo.comms import load_comms
from planner.demo.feedback import load_feedback
from planner.demo.risks import load_risks
from planner.demo.surveys import load_surveys
from planner.demo.training import load_training
from planner.core.clock import today
from planner.lifecycle import services as lifecycle_services
from planner.rollout import services as rollout_services
from planner.rollout.models import Wave
from planner.rollout.plan import apply_default_plan, load_items
from planner.scheduling.calendar import WorkingCalendar
from planner.auth.models import User
from planner.core.permissions import Role
from planner.extensions import db
from planner.people import csv_io
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes import services
from planner.programmes.models import Department, Membership, Programme, Region

#: areas loaded after the programme, plan, committee, users and training, in this order (each from
#: seeds/demo/<area>.json): the surveys' audiences and the feedback links build on the communication area
LATER_AREAS = (("comms", load_comms), ("feedback", load_feedback), ("changes", load_changes),
               ("surveys", load_surveys), ("adoption", load_adoption), ("risks", load_risks))

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "seeds" / "demo"


def load_demo(password: str, seed_dir: Path = SEED_DIR) -> dict:
    """Create whatever of the demo programme is missing; return the logins and what was created."""
    spec = json.loads((seed_dir / "programme.json").read_text(encoding="utf-8"))
    created = {"programme": 0, "departments": 0, "regions": 0, "people": 0, "users": 0, "memberships": 0,
               "plan": 0, "meetings": 0, "training": 0, **{area: 0 for area, _load in LATER_AREAS}}

    info = spec["programme"]
    plan_spec = json.loads((seed_dir / "plan.json").read_text(encoding="utf-8"))
    on_day = today()
    programme = db.session.scalar(select(Programme).where(Programme.name == info["name"]))
    if programme is None:
        programme = services.create_programme(
            name=info["name"], system_name=info["system_name"], start_date=_plan_start(plan_spec, on_day),
            home_time_zone=info["home_time_zone"], description=info["description"])
        created["programme"] = 1

    department_names = set(db.session.scalars(select(Department.name).where(
        Department.programme_id == programme.id)))
    for department in spec["departments"]:
        if department["name"] not in department_names:
            services.create_department(programme, **department)
            created["departments"] += 1

    region_names = set(db.session.scalars(select(Region.name).where(Region.programme_id == programme.id)))
    for region in spec["regions"]:
        if region["name"] not in region_names:
            services.create_region(programme, **region)
            created["regions"] += 1

    people_csv = (seed_dir / "people.csv").read_text(encoding="utf-8")
    known_emails = set(db.session.scalars(select(Person.email).where(Person.programme_id == programme.id)))
    plan = csv_io.plan_import(programme, people_csv)
    new_rows = [row for row in plan.rows if row["email"] not in known_emails]
    for row in new_rows:
        people_services.create_person(programme, **row)
    created["people"] = len(new_rows)

    if programme.sponsor_id is None and info.get("sponsor_email"):
        sponsor_id = _person_id(programme, info["sponsor_email"])
        if sponsor_id:
            services.update_programme(programme, expected_version=None, name=programme.name,
                                      system_name=programme.system_name, start_date=programme.start_date,
                                      home_time_zone=programme.home_time_zone,
                                      description=programme.description, sponsor_id=sponsor_id)

    if not db.session.scalar(select(Wave.id).where(Wave.programme_id == programme.id)):
        _load_plan(programme, plan_spec, on_day)
        created["plan"] = 1
    committee_spec = json.loads((seed_dir / "committee.json").read_text(encoding="utf-8"))
    created["meetings"] = load_committee(programme, committee_spec, on_day)

    logins = []
    for account in spec["users"]:
        user = db.session.scalar(select(User).where(User.email == account["email"]))
        if user is None:
            person_id = _person_id(programme, account.get("person_email"))
            user = auth_services.create_user(account["email"], password, is_admin=account.get("is_admin", False),
                                             person_id=person_id)
            created["users"] += 1
        held = set(db.session.scalars(select(Membership.role).where(
            Membership.user_id == user.id, Membership.programme_id == programme.id)))
        for role in account["roles"]:
            if Role(role) not in held:
                services.grant_role(programme, user, role)
                created["memberships"] += 1
        logins.append((account["email"], "admin" if account.get("is_admin") else ", ".join(account["roles"])))
    db.session.flush()
    training_spec = json.loads((seed_dir / "training.json").read_text(encoding="utf-8"))
    created["training"] = load_training(programme, training_spec)
    for area, load in LATER_AREAS:
        area_spec = json.loads((seed_dir / f"{area}.json").read_text(encoding="utf-8"))
        created[area] = load(programme, area_spec, on_day)
    return {"programme": programme, "created": created, "logins": logins}


def _person_id(programme: Programme, email: str | None) -> int | None:
    if not email:
        return None
    return db.session.scalar(select(Person.id).where(Person.programme_id == programme.id, Person.email == email))


# --- the plan: stage 5, the pilot live and in its trial period, the key wave gated on it ------

WEEKDAYS = WorkingCalendar()


def _plan_start(plan_spec: dict, on_day: date) -> date:
    """Start the demo so that the pilot went live a few working days before ``on_day``."""
    pilot_go_live = WEEKDAYS.add_working_days(WEEKDAYS.previous_working_day(on_day),
                                              -plan_spec["pilot_went_live_working_days_ago"])
    lead = sum(plan_spec["stage_durations"][:4]) + plan_spec["pilot_after_stage5_days"]
    return WEEKDAYS.add_working_days(pilot_go_live, -lead)


def _next_occurrence(month_day: str, on_day: date) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    candidate = date(on_day.year, month, day)
    return candidate if candidate >= on_day else date(on_day.year + 1, month, day)


def _next_quarter_end(on_day: date) -> date:
    for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
        if date(on_day.year, month, day) >= on_day:
            return date(on_day.year, month, day)
    return date(on_day.year + 1, 3, 31)


def _working_days_ago(count: int, on_day: date) -> date:
    return WEEKDAYS.add_working_days(WEEKDAYS.previous_working_day(on_day), -count)


def _load_plan(programme: Programme, plan_spec: dict, on_day: date) -> None:
    regions = {region.name: region for region in db.session.scalars(
        select(Region).where(Region.programme_id == programme.id))}
    for holiday in plan_spec["holidays"]:
        region = regions.get(holiday.get("region", ""))
        rollout_services.add_holiday(programme, day=_next_occurrence(holiday["month_day"], on_day),
                                     name=holiday["name"], region_id=region.id if region else None)
    freeze = plan_spec["quarter_end_freeze"]
    quarter_end = _next_quarter_end(on_day)
    rollout_services.add_freeze_window(
        programme, name=freeze["name"], start_on=quarter_end - timedelta(days=freeze["days_before"]),
        end_on=WEEKDAYS.add_working_days(quarter_end, freeze["days_after"]))
    programme.gate_max_severe_defects = plan_spec["gate_max_severe_defects"]
    apply_default_plan(programme, start=programme.start_date, stage_durations=tuple(plan_spec["stage_durations"]),
                       pilot_after_stage5_days=plan_spec["pilot_after_stage5_days"],
                       trial_days=plan_spec["trial_days"], wave_spacing_days=plan_spec["wave_spacing_days"],
                       key_regions_per_wave=plan_spec["key_regions_per_wave"],
                       standard_regions_per_wave=plan_spec["standard_regions_per_wave"])
    db.session.flush()
    items = load_items(programme.id)
    sponsor_id = programme.sponsor_id
    for stage in items.stages:
        if stage.number <= 4:
            for deliverable in stage.deliverables:
                lifecycle_services.set_deliverable_done(deliverable, True, stage.planned_finish)
            lifecycle_services.record_gate_review(
                stage, met_criterion_ids={criterion.id for criterion in stage.criteria},
                reviewed_on=stage.planned_finish, approved_by_id=sponsor_id,
                notes="Reviewed in the steering committee.", recorded_by_id=None)
            lifecycle_services.close_stage(stage, closed_on=stage.planned_finish)
        elif stage.number == 5:
            stage.actual_start = stage.planned_start
            for deliverable in stage.deliverables[:2]:
                lifecycle_services.set_deliverable_done(deliverable, True, on_day)
    for milestone in items.milestones:
        if milestone.planned_on <= on_day:
            milestone.actual_on = milestone.planned_on
    pilot_wave = items.waves[0]
    for region in pilot_wave.regions:
        rollout_services.mark_region_live(programme, region, live_on=pilot_wave.planned_go_live, today=on_day)
    pilot_region = pilot_wave.regions[0]
    for defect in plan_spec["defects"]:
        row = rollout_services.report_defect(
            programme, region_id=pilot_region.id, title=defect["title"], severity=defect["severity"],
            opened_on=_working_days_ago(defect["opened_working_days_ago"], on_day))
        if "closed_working_days_ago" in defect:
            rollout_services.close_defect(row, closed_on=_working_days_ago(defect["closed_working_days_ago"], on_day))
    company_goals = {}
    for goal in plan_spec["goals"]:
        created_goal = lifecycle_services.create_goal(
            programme, kind=goal["kind"], title=goal["title"], unit=goal["unit"],
            serves_id=company_goals[goal["serves"]].id if "serves" in goal else None,
            baseline=_decimal(goal.get("baseline")), target=_decimal(goal.get("target")),
            actual=_decimal(goal.get("actual")), due_stage_number=goal.get("due_stage_number"))
        db.session.flush()
        if "key" in goal:
            company_goals[goal["key"]] = created_goal
    db.session.flush()


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
