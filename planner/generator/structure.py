"""The generated programme's frame, built through the real services so every invariant holds: the programme
with its six stages, departments, regions across the world's time zones, the working calendar and a freeze
window, the default plan (pilot wave, key waves, the rest), the first four stages closed, and the logins."""
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app

from planner.auth import services as auth_services
from planner.auth.models import User, new_session_token
from planner.core.permissions import Role
from planner.extensions import db
from planner.generator.bulk import insert_returning_ids, insert_rows
from planner.generator.vocabulary import DEPARTMENTS, PLACES
from planner.lifecycle import services as lifecycle_services
from planner.programmes import services
from planner.programmes.models import Department, Membership, Programme, Region, RegionTier
from planner.rollout import services as rollout_services
from planner.rollout.plan import apply_default_plan, load_items
from planner.scheduling.calendar import WorkingCalendar

STAGE_DURATIONS = (20, 15, 30, 25, 140, 40)
PILOT_AFTER_STAGE5_DAYS = 60
TRIAL_DAYS = 15
WAVE_SPACING_DAYS = 5
#: about this share of the waves is live on the day the programme is generated; the next one is in training
LIVE_SHARE = 0.65
WEEKDAYS = WorkingCalendar()


@dataclass
class Frame:
    """What the later steps build on."""

    programme: Programme
    today: date
    regions: list[Region]
    departments: list[Department]
    logins: list[tuple[str, str]] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    trainer_ids: list[int] = field(default_factory=list)
    trainer_emails: dict[int, str] = field(default_factory=dict)


def region_count(scale: float) -> int:
    return max(3, round(10 * scale))


def wave_sizes(regions: int) -> tuple[int, int, int, int]:
    """(key regions, key per wave, standard regions, standard per wave): two key waves, three standard ones."""
    key = max(1, round(0.3 * (regions - 1)))
    standard = max(0, regions - 1 - key)
    return key, max(1, math.ceil(key / 2)), standard, max(1, math.ceil(standard / 3))


def _start_for(today: date, wave_count: int) -> date:
    """A start date that puts the pilot and the first waves in the past and the next wave a fortnight ahead."""
    live_waves = max(1, min(wave_count - 1, round(wave_count * LIVE_SHARE)))
    per_wave = TRIAL_DAYS + WAVE_SPACING_DAYS
    pilot_go_live = WEEKDAYS.add_working_days(WEEKDAYS.previous_working_day(today),
                                              -((live_waves - 1) * per_wave + per_wave // 2))
    return WEEKDAYS.add_working_days(pilot_go_live, -(sum(STAGE_DURATIONS[:4]) + PILOT_AFTER_STAGE5_DAYS))


def _place(index: int) -> tuple[str, str]:
    name, zone = PLACES[index % len(PLACES)]
    round_number = index // len(PLACES)
    return (f"{name} {round_number + 1}" if round_number else name), zone


def build_frame(*, name: str, scale: float, today: date, rng) -> Frame:
    """Create the programme, its departments, regions, calendar and plan (nothing live yet)."""
    count = region_count(scale)
    key, key_per_wave, standard, standard_per_wave = wave_sizes(count)
    wave_count = 1 + math.ceil(key / key_per_wave) + (math.ceil(standard / standard_per_wave) if standard else 0)
    programme = services.create_programme(
        name=name, system_name=rng.choice(("SAP S/4HANA", "Salesforce Sales Cloud", "Microsoft Dynamics 365")),
        start_date=_start_for(today, wave_count), home_time_zone=PLACES[0][1],
        description="A synthetic programme for load tests: every name and figure in it is made up.")
    db.session.flush()
    departments = [services.create_department(programme, name=dept, is_it=is_it)
                   for dept, is_it, _roles in DEPARTMENTS]
    regions = []
    for index in range(count):
        region_name, zone = _place(index)
        tier = RegionTier.PILOT if index == 0 else RegionTier.KEY if index <= key else RegionTier.STANDARD
        regions.append(services.create_region(
            programme, name=region_name, tier=tier, time_zone=zone, headcount=0,
            site_notes=rng.choice(("", "Network upgrade planned.", "Training room for 20.", "Shared site."))))
    db.session.flush()
    _calendar(programme, regions, today)
    programme.gate_max_severe_defects = 1
    apply_default_plan(programme, start=programme.start_date, stage_durations=STAGE_DURATIONS,
                       pilot_after_stage5_days=PILOT_AFTER_STAGE5_DAYS, trial_days=TRIAL_DAYS,
                       wave_spacing_days=WAVE_SPACING_DAYS, key_regions_per_wave=key_per_wave,
                       standard_regions_per_wave=standard_per_wave)
    db.session.flush()
    _close_early_stages(programme, today)
    return Frame(programme=programme, today=today, regions=regions, departments=departments)


def _calendar(programme: Programme, regions: list[Region], today: date) -> None:
    """A company holiday, a local one in a few regions, and the quarter-end freeze window."""
    year = today.year
    for day, holiday in ((date(year, 12, 25), "Christmas Day"), (date(year + 1, 1, 1), "New Year's Day")):
        rollout_services.add_holiday(programme, day=day, name=holiday, region_id=None)
    for region in regions[1::4]:
        rollout_services.add_holiday(programme, day=date(year, 5, 1) if date(year, 5, 1) > today
                                     else date(year + 1, 5, 1), name="Local holiday", region_id=region.id)
    quarter_end = next(day for day in (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30),
                                       date(year, 12, 31), date(year + 1, 3, 31)) if day >= today)
    rollout_services.add_freeze_window(programme, name="Quarter-end close", start_on=quarter_end - timedelta(days=10),
                                       end_on=WEEKDAYS.add_working_days(quarter_end, 3))


def _close_early_stages(programme: Programme, today: date) -> None:
    """Stages 1-4 done and closed through their gates; stage 5 (the rollout) under way."""
    items = load_items(programme.id)
    for stage in items.stages:
        if stage.number <= 4 and stage.planned_finish and stage.planned_finish < today:
            for deliverable in stage.deliverables:
                lifecycle_services.set_deliverable_done(deliverable, True, stage.planned_finish)
            lifecycle_services.record_gate_review(
                stage, met_criterion_ids={criterion.id for criterion in stage.criteria},
                reviewed_on=stage.planned_finish, approved_by_id=None, notes="Reviewed in the steering committee.",
                recorded_by_id=None)
            lifecycle_services.close_stage(stage, closed_on=stage.planned_finish)
        elif stage.number == 5 and stage.planned_start and stage.planned_start <= today:
            stage.actual_start = stage.planned_start
            for deliverable in stage.deliverables[:2]:
                lifecycle_services.set_deliverable_done(deliverable, True, today)
    for milestone in items.milestones:
        if milestone.planned_on < today and "go-live" not in milestone.name.lower():
            milestone.actual_on = milestone.planned_on
    db.session.flush()


def create_logins(frame: Frame, *, person_ids: list[int], trainers: int) -> None:
    """A project manager, a committee member, a trainer and a viewer (real accounts), and more trainers
    sharing the trainer's password (bulk rows)."""
    programme = frame.programme
    password = current_app.config["DEMO_PASSWORD"]
    tag = f"p{programme.id}"
    for role, person_index in ((Role.PROJECT_MANAGER, 1), (Role.COMMITTEE_MEMBER, 2), (Role.TRAINER, 3),
                               (Role.VIEWER, None)):
        email = f"{role.value.replace('_', '.')}.{tag}@generated.example.com"
        person_id = person_ids[person_index] if person_index is not None and person_index < len(person_ids) else None
        user = auth_services.create_user(email, password, person_id=person_id)
        services.grant_role(programme, user, role)
        frame.users[role.value] = user
        frame.logins.append((email, role.value))
    db.session.flush()
    trainer = frame.users[Role.TRAINER.value]
    extra = [{"email": f"trainer{number}.{tag}@generated.example.com", "password_hash": trainer.password_hash,
              "is_active": True, "is_admin": False, "preferred_language": "", "session_token": new_session_token()}
             for number in range(2, trainers + 1)]
    extra_ids = insert_returning_ids(User, extra) if extra else []
    insert_rows(Membership, [{"user_id": user_id, "programme_id": programme.id, "role": Role.TRAINER}
                             for user_id in extra_ids])
    frame.trainer_ids = [trainer.id, *extra_ids]
    frame.trainer_emails = {trainer.id: trainer.email, **{user_id: row["email"] for user_id, row in zip(extra_ids, extra)}}


def set_sponsor(frame: Frame, sponsor_id: int) -> None:
    programme = frame.programme
    services.update_programme(programme, expected_version=None, name=programme.name,
                              system_name=programme.system_name, start_date=programme.start_date,
                              home_time_zone=programme.home_time_zone, description=programme.description,
                              sponsor_id=sponsor_id)

