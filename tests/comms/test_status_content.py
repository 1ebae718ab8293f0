"""Status-update drafts generated from live data: each section read against a hand-made programme.

The programme (built through the services), looked at on Friday 2026-11-20 at noon UTC, last update on 2026-11-06:

regions   HQ (wave Pilot, live since Mon 2026-11-09), North (wave Key, planned Tue 2026-12-01),
          South (wave Rest, planned Fri 2027-01-15, beyond the six-week horizon)
people    Hana (HQ), Ana and Ben (North), Cy (South); everyone needs "CRM basics" (2 hours)
stages    1 closed 2026-10-01 (before the window), 2 closed 2026-11-10 by override (in), 3 current, planned to
          finish 2026-11-18 (late)
milestones  Vendor selected reached 2026-10-15 (before), Process sign-off reached 2026-11-12 (in), Overdue review
          planned 2026-11-16 (not reached), Data rehearsal planned 2026-11-27 (next), Far review 2027-03-01 (beyond)
decisions 2026-10-01 (before), 2026-11-13 (in)
training  North 2026-11-17 held (Ana present, Ben absent), South 2026-11-25 scheduled
committee next meeting 2026-11-26 10:00 Europe/Berlin
comms     process-change items for the North audience on 2026-11-24 and 2026-10-20 (before the window);
          a status update logged to North on 2026-11-06
changes   CR-001 approved 2026-11-13, affecting North; CR-002 decided 2026-10-01 and implemented 2026-11-03 (before
          the window), affecting North; CR-003 only submitted, affecting North and South
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

import pytest

from planner.changes import services as change_services
from planner.comms import audiences, services as comms_services
from planner.comms.models import Audience
from planner.comms.status_content import LIST_LIMIT, draft_status_update, shorten
from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.extensions import db
from planner.lifecycle import services as lifecycle_services
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme, Region
from planner.rollout import services as rollout_services
from planner.training import services as training_services
from planner.training import sessions
from tests.committee.helpers import committee_of, held_occurrence
from tests.conftest import count_queries

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
SINCE = date(2026, 11, 6)
WHY = "One customer record for everyone who sells or serves, so nobody keeps customers in a private spreadsheet."


@dataclass
class World:
    programme_id: int
    regions: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    audiences: dict[str, int] = field(default_factory=dict)
    stages: dict[int, int] = field(default_factory=dict)


def _audience(programme, name: str, **values) -> int:
    spec = {"name": name, "description": "", "is_everyone": False, "region_ids": [], "department_ids": [],
            "job_roles": "", "person_ids": []}
    spec.update(values)
    audience = audiences.create_audience(programme, **spec)
    db.session.flush()
    return audience.id


def _stage(programme_id: int, number: int) -> Stage:
    return db.session.scalar(db.select(Stage).where(Stage.programme_id == programme_id, Stage.number == number))


def _session(programme, course_id: int, region_id: int, day: date):
    session = sessions.create_session(programme, course_id=course_id, region_id=region_id, trainer_id=None,
                                      start_on=day, start_time=time(10, 0), duration_minutes=120, location="Room 1",
                                      online_url="", capacity=20)
    sessions.schedule_session(session)
    return session


@pytest.fixture
def world(app, factories, now_is) -> World:
    now_is(NOW)
    programme = factories.programme("Meridian", regions=["HQ", "North", "South"], departments=["Sales"],
                                    description=WHY)
    w = World(programme.id)
    with app.app_context():
        w.regions = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    for name, region in (("Hana", "HQ"), ("Ana", "North"), ("Ben", "North"), ("Cy", "South")):
        w.people[name] = factories.person(programme, name, email=f"{name.lower()}@example.com",
                                          region_id=w.regions[region]).id
    with app.test_request_context():
        target = db.session.get(Programme, programme.id)
        regions = {name: db.session.get(Region, region_id) for name, region_id in w.regions.items()}
        for name in ("HQ", "North", "South"):
            w.audiences[name] = _audience(target, f"{name} team", region_ids=[w.regions[name]])
        w.audiences["nobody"] = _audience(target, "Nobody", job_roles="Astronaut")

        # the lifecycle: stage 1 closed long ago, stage 2 inside the window by override, stage 3 late
        first, second, third = (_stage(programme.id, number) for number in (1, 2, 3))
        lifecycle_services.record_gate_review(first, met_criterion_ids={c.id for c in first.criteria},
                                              reviewed_on=date(2026, 10, 1), approved_by_id=None, notes="",
                                              recorded_by_id=None)
        lifecycle_services.close_stage(first, closed_on=date(2026, 10, 1))
        lifecycle_services.close_stage(second, closed_on=date(2026, 11, 10), override_reason="Sponsor accepts the gap",
                                       override_approver_id=w.people["Hana"])
        lifecycle_services.update_stage(third, expected_version=None, goals="", expertise_needed="", owner_id=None,
                                        planned_start=date(2026, 11, 2), planned_finish=date(2026, 11, 18),
                                        actual_start=None, actual_finish=None)

        # the waves: the pilot went live inside the window
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2026, 11, 9), trial_days=10, region_ids=[w.regions["HQ"]])
        rollout_services.create_wave(target, name="Key", kind="key", position=2, planned_go_live=date(2026, 12, 1),
                                     trial_days=10, region_ids=[w.regions["North"]])
        rollout_services.create_wave(target, name="Rest", kind="standard", position=3,
                                     planned_go_live=date(2027, 1, 15), trial_days=10, region_ids=[w.regions["South"]])
        db.session.flush()
        rollout_services.mark_region_live(target, regions["HQ"], live_on=date(2026, 11, 9), today=date(2026, 11, 9))

        for name, planned, actual in (("Vendor selected", date(2026, 10, 15), date(2026, 10, 15)),
                                      ("Process sign-off", date(2026, 11, 11), date(2026, 11, 12)),
                                      ("Overdue review", date(2026, 11, 16), None),
                                      ("Data rehearsal", date(2026, 11, 27), None),
                                      ("Far review", date(2027, 3, 1), None)):
            rollout_services.create_milestone(target, name=name, kind="other", planned_on=planned, actual_on=actual)

        old = held_occurrence(target, date(2026, 10, 1), title="October committee")
        committee_services.record_decision(target, text="Start with the HQ pilot.", recorded_by_id=None,
                                           occurrence=old)
        recent = held_occurrence(target, date(2026, 11, 13), title="November committee")
        committee_services.record_decision(target, text="Keep the North go-live on 1 December " + "despite " * 40,
                                           recorded_by_id=None, occurrence=recent)
        committee_services.add_member(committee_of(programme.id), person_id=w.people["Hana"], role="chair",
                                      starts_on=date(2026, 1, 1))
        scheduling.schedule_meeting(committee_of(programme.id), scheduling.MeetingPlan(
            title="Steering committee", local_start=datetime(2026, 11, 26, 10, 0), time_zone="Europe/Berlin"),
            organiser_id=None, send_now=True)

        course = training_services.create_course(target, title="CRM basics", description="", duration_minutes=120,
                                                 format="classroom", material_links="")
        db.session.flush()
        training_services.add_requirement(course, job_role="", department_id=None)
        north = _session(target, course.id, w.regions["North"], date(2026, 11, 17))
        for name in ("Ana", "Ben"):
            sessions.enrol_person(north, w.people[name])
        sessions.mark_attendance(north, person_id=w.people["Ana"], status="present", note="", marked_by_id=None,
                                 now=north.starts_at)
        sessions.mark_attendance(north, person_id=w.people["Ben"], status="absent", note="", marked_by_id=None,
                                 now=north.starts_at)
        _session(target, course.id, w.regions["South"], date(2026, 11, 25))

        comms_services.create_item(target, title="New way of logging visits", purpose="process_change",
                                   audience_id=w.audiences["North"], channel="meeting", owner_id=None,
                                   message="Visits logged once feed the forecast automatically.",
                                   planned_on=date(2026, 11, 24), recurrence="", region_id=None)
        comms_services.create_item(target, title="Quotes from the CRM", purpose="process_change",
                                   audience_id=w.audiences["North"], channel="email", owner_id=None,
                                   message="One price list for everyone.", planned_on=date(2026, 10, 20),
                                   recurrence="", region_id=None)
        comms_services.record_held(target, held_on=SINCE, subject="Status update: the pilot is near",
                                   audience_id=w.audiences["North"], purpose="status_update", channel="email")

        approved = change_services.submit_change(
            target, submitted_by_id=None, region_ids=[w.regions["North"]], title="Visit reports on the phone",
            kind="process", description="Field staff asked for it in the survey.", requester_id=None,
            requested_on=date(2026, 11, 2), schedule_days=0, cost=None, risks="", plan_item_key="",
            new_start=None, new_duration=None)
        change_services.assess_change(approved, expected_version=None, assessment="Small", schedule_days=0,
                                      cost=None, risks="", assessed_by_id=None)
        change_services.decide_change(approved, expected_version=None, approve=True, decided_by_id=None,
                                      occurrence_id=recent.id)
        now_is(datetime(2026, 11, 3, 12, 0, tzinfo=timezone.utc))  # implemented before the last update
        done = change_services.submit_change(
            target, submitted_by_id=None, region_ids=[w.regions["North"]], title="Shared contact list",
            kind="process", description="", requester_id=None, requested_on=date(2026, 9, 28), schedule_days=0,
            cost=None, risks="", plan_item_key="", new_start=None, new_duration=None)
        change_services.assess_change(done, expected_version=None, assessment="Small", schedule_days=0, cost=None,
                                      risks="", assessed_by_id=None)
        change_services.decide_change(done, expected_version=None, approve=True, decided_by_id=None,
                                      occurrence_id=old.id, text="Share contacts across teams.")
        change_services.implement_change(done, expected_version=None, implemented_by_id=None)
        now_is(NOW)
        change_services.submit_change(
            target, submitted_by_id=None, region_ids=[w.regions["North"], w.regions["South"]],
            title="Drop the quote module", kind="scope", description="Not needed yet.", requester_id=None,
            requested_on=date(2026, 11, 3), schedule_days=0, cost=None, risks="", plan_item_key="",
            new_start=None, new_duration=None)
        db.session.commit()
    return w


def _draft(app, programme_id: int, audience_id: int, since: date | None = SINCE, today: date = TODAY):
    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        draft = draft_status_update(programme, db.session.get(Audience, audience_id), today=today, since=since)
        text, html = draft.text(), draft.html()
    return draft, text, html


def _lines(draft, key: str) -> list[str]:
    return draft.section(key).lines


def test_the_draft_has_four_sections_a_subject_and_an_intro(app, world):
    draft, text, html = _draft(app, world.programme_id, world.audiences["North"])
    assert [section.key for section in draft.sections] == ["where", "done", "next", "for_you"]
    assert draft.subject == "Meridian: status update for North team, Fri 20 Nov 2026"
    assert "what was done since Fri 6 Nov 2026" in draft.intro
    assert draft.section("done").heading == "Done since Fri 6 Nov 2026"
    assert text.startswith(draft.intro)
    assert "Where we stand\n==============\n- We are in stage 3 of 6" in text
    assert "<h2>What changes for you, and why</h2>" in html


def test_where_we_stand_names_the_stage_its_gate_the_next_go_live_and_what_is_late(app, world):
    draft, _text, _html = _draft(app, world.programme_id, world.audiences["North"])
    lines = _lines(draft, "where")
    with app.app_context():
        third = _stage(world.programme_id, 3)
        criteria = [criterion.text for criterion in third.criteria]
        name = third.name
    assert lines[0] == f"We are in stage 3 of 6: {name}."
    assert lines[1] == "This stage was planned to finish on Wed 18 Nov 2026 and is running late."
    assert lines[2] == "Before it can close, its gate still needs: " + "; ".join(criteria) + "."
    assert "The next go-live is Key on Tue 1 Dec 2026, in 11 days (7 working days): North." in lines
    assert lines[-1] == "Nothing on the critical path is late."  # the far review, not stage 3, ends the plan


def test_late_items_on_the_critical_path_are_named(app, factories, now_is):
    now_is(NOW)
    programme = factories.programme()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        stage = _stage(programme.id, 1)
        lifecycle_services.update_stage(stage, expected_version=None, goals="", expertise_needed="", owner_id=None,
                                        planned_start=date(2026, 11, 2), planned_finish=date(2026, 11, 18),
                                        actual_start=None, actual_finish=None)
        rollout_services.create_milestone(target, name="Kickoff", kind="kickoff", planned_on=date(2026, 11, 2),
                                          actual_on=date(2026, 11, 2))
        audience_id = _audience(target, "Everyone", is_everyone=True)
        name = stage.name
        db.session.commit()
    lines = _lines(_draft(app, programme.id, audience_id)[0], "where")
    assert lines[-2:] == ["1 item on the critical path is late, so the dates after it are at risk:",
                          f"Stage 1: {name} (due Wed 18 Nov 2026)"]


def test_done_since_keeps_to_the_window(app, world):
    lines = _lines(_draft(app, world.programme_id, world.audiences["North"])[0], "done")
    with app.app_context():
        second = _stage(world.programme_id, 2).name
        first = _stage(world.programme_id, 1).name
    assert (f"Stage 2, {second}, closed on Tue 10 Nov 2026 by an approved override: Sponsor accepts the gap."
            in lines)
    assert not any(first in line for line in lines)
    assert "Milestone reached: Process sign-off, on Thu 12 Nov 2026." in lines
    assert not any("Vendor selected" in line for line in lines)
    assert any(line.startswith("Pilot started on Mon 9 Nov 2026; its trial period runs until ") for line in lines)
    assert "HQ went live on Mon 9 Nov 2026." in lines
    assert "The steering committee took 2 decisions:" in lines  # one of them approved CR-001
    assert "Fri 13 Nov 2026: CR-001 approved: Visit reports on the phone" in lines
    decision = next(line for line in lines if line.startswith("Fri 13 Nov 2026: Keep the North go-live"))
    assert decision.endswith("…") and len(decision) < 200
    assert not any("Start with the HQ pilot" in line for line in lines)
    assert "1 training session was held for people of this audience (1 person attended)." in lines
    assert "1 message or meeting reached this audience:" in lines
    assert "Fri 6 Nov 2026: Status update: the pilot is near" in lines


def test_a_later_since_leaves_out_what_was_reported_already(app, world):
    lines = _lines(_draft(app, world.programme_id, world.audiences["North"], since=date(2026, 11, 11))[0], "done")
    assert not any("went live" in line or "started on" in line or "closed on" in line for line in lines)
    assert "Milestone reached: Process sign-off, on Thu 12 Nov 2026." in lines
    assert not any("reached this audience" in line for line in lines)


def test_without_a_last_update_the_window_starts_with_the_programme(app, world):
    draft, _text, _html = _draft(app, world.programme_id, world.audiences["North"], since=None)
    lines = _lines(draft, "done")
    assert draft.section("done").heading == "Done since Mon 2 Mar 2026"
    assert "Milestone reached: Vendor selected, on Thu 15 Oct 2026." in lines
    assert "The steering committee took 4 decisions:" in lines


def test_training_held_counts_only_the_audiences_people(app, world):
    lines = _lines(_draft(app, world.programme_id, world.audiences["South"])[0], "done")
    assert not any("training session" in line for line in lines)
    assert not any("reached this audience" in line for line in lines)


def test_what_comes_next_looks_six_weeks_ahead(app, world):
    north = _lines(_draft(app, world.programme_id, world.audiences["North"])[0], "next")
    assert "Overdue: Overdue review, planned for Mon 16 Nov 2026." in north
    assert "Fri 27 Nov 2026: Data rehearsal." in north
    assert not any("Far review" in line for line in north)
    assert "Tue 1 Dec 2026: Key goes live (North)." in north
    assert not any("Rest goes live" in line for line in north)
    assert ("The steering committee meets next on Thu 26 Nov 2026 at 10:00 (Europe/Berlin): Steering committee."
            in north)
    assert not any("CRM basics" in line for line in north)  # the South session is not North's
    south = _lines(_draft(app, world.programme_id, world.audiences["South"])[0], "next")
    assert "1 training session is scheduled for people of this audience:" in south
    assert "Wed 25 Nov 2026 at 10:00: CRM basics, South." in south


def test_what_changes_is_about_this_audience_only(app, world):
    north = _lines(_draft(app, world.programme_id, world.audiences["North"])[0], "for_you")
    assert north[0] == f"Why we are doing this: {WHY}"
    assert "North starts working with Helix CRM on Tue 1 Dec 2026, in 11 days (with Key)." in north
    assert not any(line.startswith(("South", "HQ")) for line in north)
    assert "Training: CRM basics (2 hours) is required for 2 of you; 1 completed it so far." in north
    assert ("Your way of working changes: New way of logging visits (we explain it on Tue 24 Nov 2026). "
            "Why: Visits logged once feed the forecast automatically.") in north
    assert "Approved change CR-001: Visit reports on the phone. Why: Field staff asked for it in the survey." in north
    assert not any("Drop the quote module" in line for line in north)  # submitted, not approved
    assert not any("Quotes from the CRM" in line or "CR-002" in line or "CR-003" in line for line in north)
    everything = _lines(_draft(app, world.programme_id, world.audiences["North"], since=None)[0], "for_you")
    assert "Your way of working changes: Quotes from the CRM. Why: One price list for everyone." in everything
    assert "Change CR-002 is now in place: Shared contact list. Why: Share contacts across teams." in everything

    south = _lines(_draft(app, world.programme_id, world.audiences["South"])[0], "for_you")
    assert "South starts working with Helix CRM on Fri 15 Jan 2027, in 56 days (with Rest)." in south
    assert not any(line.startswith(("North", "HQ")) for line in south)
    assert "Training: CRM basics (2 hours) is required for 1 of you; 0 completed it so far." in south
    assert not any("Your way of working" in line or "Approved change" in line for line in south)

    hq = _lines(_draft(app, world.programme_id, world.audiences["HQ"])[0], "for_you")
    assert "HQ has been working with Helix CRM since Mon 9 Nov 2026." in hq


def test_an_audience_without_people_is_told_plainly(app, world):
    lines = _lines(_draft(app, world.programme_id, world.audiences["nobody"])[0], "for_you")
    assert lines == ["Nobody is in this audience yet, so nothing here changes for anyone."]


def test_an_empty_programme_gives_a_sensible_draft(app, factories, now_is):
    now_is(NOW)
    programme = factories.programme(description="")
    with app.app_context():
        audience_id = _audience(db.session.get(Programme, programme.id), "Everyone", is_everyone=True)
        db.session.commit()
    draft, text, html = _draft(app, programme.id, audience_id, since=None)
    where = _lines(draft, "where")
    assert where[0].startswith("We are in stage 1 of 6: ") and where[1].startswith("Before it can close")
    assert where[2:] == ["No go-live date is set yet."]  # nothing dated: no schedule, so nothing said to be late
    assert _lines(draft, "done") == ["Nothing was completed in this period: no stage closed, no milestone was reached, "
                                     "no region went live and the committee took no decision."]
    assert _lines(draft, "next") == ["No steering-committee meeting is scheduled yet.",
                                     "No milestone, go-live or training session is planned in the next six weeks."]
    assert _lines(draft, "for_you") == ["Nobody is in this audience yet, so nothing here changes for anyone."]
    assert "Nothing was completed" in text and "<li>No go-live date is set yet.</li>" in html


def test_people_with_no_go_live_and_no_training_are_told_nothing_changes_yet(app, factories, now_is):
    now_is(NOW)
    programme = factories.programme(regions=["Solo"], description="")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        region_id = target.regions[0].id
    factories.person(programme, "Sol", region_id=region_id)
    with app.app_context():
        audience_id = _audience(db.session.get(Programme, programme.id), "Everyone", is_everyone=True)
        db.session.commit()
    lines = _lines(_draft(app, programme.id, audience_id)[0], "for_you")
    assert lines == ["Nothing changes for you yet: your regions have no go-live date and no training is required for "
                     "your roles. We will tell you as soon as that changes."]


def test_the_html_is_escaped_and_the_text_is_not(app, factories, now_is):
    now_is(NOW)
    programme = factories.programme(description="Less <b>typing</b> & more selling")
    factories.person(programme, "Pat")
    with app.app_context():
        audience_id = _audience(db.session.get(Programme, programme.id), "All <people>", is_everyone=True)
        db.session.commit()
    draft, text, html = _draft(app, programme.id, audience_id)
    assert "Why we are doing this: Less <b>typing</b> & more selling" in text
    assert "Less &lt;b&gt;typing&lt;/b&gt; &amp; more selling" in html and "<b>typing" not in html
    assert "All &lt;people&gt;" in html


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    assert shorten("  short   text ") == "short text"
    long = "word " * 100
    cut = shorten(long, 30)
    assert len(cut) <= 30 and cut.endswith("…") and not cut.endswith(" …")
    assert shorten("x" * 50, 20) == "x" * 19 + "…"


def _grow(app, factories, rows: int):
    """A programme with ``rows`` people in the audience, milestones reached and coming, decisions and sessions."""
    programme = factories.programme(regions=["North"], description="Why")
    with app.app_context():
        region_id = db.session.get(Programme, programme.id).regions[0].id
    for n in range(rows):
        factories.person(programme, f"P{n}", email=f"p{n}-{programme.id}@example.com", region_id=region_id)
    with app.test_request_context():
        target = db.session.get(Programme, programme.id)
        audience_id = _audience(target, "North", region_ids=[region_id])
        rollout_services.create_wave(target, name="Key", kind="key", position=1, planned_go_live=date(2026, 12, 1),
                                     trial_days=10, region_ids=[region_id])
        occurrence = held_occurrence(target, date(2026, 11, 13))
        course = training_services.create_course(target, title="CRM basics", description="", duration_minutes=90,
                                                 format="classroom", material_links="")
        db.session.flush()
        training_services.add_requirement(course, job_role="", department_id=None)
        for n in range(rows):
            rollout_services.create_milestone(target, name=f"Done {n}", kind="other", planned_on=date(2026, 11, 10),
                                              actual_on=date(2026, 11, 10))
            rollout_services.create_milestone(target, name=f"Next {n}", kind="other", planned_on=date(2026, 11, 30),
                                              actual_on=None)
            committee_services.record_decision(target, text=f"Decision {n}", recorded_by_id=None,
                                               occurrence=occurrence)
            comms_services.record_held(target, held_on=date(2026, 11, 10), subject=f"Note {n}",
                                       audience_id=audience_id, purpose="other", channel="intranet")
        for n in range(min(rows, 12)):
            _session(target, course.id, region_id, date(2026, 11, 23 + n % 5))
        db.session.commit()
    return programme.id, audience_id


def test_the_query_count_does_not_grow_with_the_data(app, factories, now_is):
    now_is(NOW)
    counts = []
    for rows in (3, 30):
        programme_id, audience_id = _grow(app, factories, rows)
        with app.test_request_context():
            programme = db.session.get(Programme, programme_id)
            audience = db.session.get(Audience, audience_id)
            with count_queries(app) as statements:
                draft = draft_status_update(programme, audience, today=TODAY, since=SINCE)
            counts.append(len(statements))
            assert len(draft.section("done").lines) <= 3 * (LIST_LIMIT + 2) + 2
        if rows == 30:
            done, coming = draft.section("done").lines, draft.section("next").lines
            assert "The steering committee took 30 decisions:" in done and "... and 22 more." in done
            assert "30 messages or meetings reached this audience:" in done
            assert "12 training sessions are scheduled for people of this audience:" in coming
            assert "... and 4 more." in coming
            assert "Training: CRM basics (1 h 30 min) is required for 30 of you; 0 completed it so far." in \
                draft.section("for_you").lines
    assert counts[0] == counts[1], counts
    print("status draft queries at 3 and 30 rows:", counts)


def test_a_region_that_went_live_by_committee_decision_says_so(app, factories, now_is):
    now_is(NOW)
    programme = factories.programme(regions=["One", "Two"])
    with app.test_request_context():
        target = db.session.get(Programme, programme.id)
        one, two = target.regions
    factories.person(programme, "Tess", region_id=two.id)
    with app.test_request_context():
        target = db.session.get(Programme, programme.id)
        two = db.session.get(Region, two.id)
        rollout_services.create_wave(target, name="First", kind="pilot", position=1, planned_go_live=date(2026, 11, 2),
                                     trial_days=10, region_ids=[one.id])
        rollout_services.create_wave(target, name="Second", kind="key", position=2, planned_go_live=date(2026, 11, 16),
                                     trial_days=10, region_ids=[two.id])
        decision = committee_services.record_decision(
            target, text="Two goes live now: its sales season starts.", recorded_by_id=None,
            occurrence=held_occurrence(target, date(2026, 11, 13)))
        db.session.flush()
        rollout_services.mark_region_live(target, two, live_on=date(2026, 11, 16), today=date(2026, 11, 16),
                                          decision_id=decision.id)
        audience_id = _audience(target, "Two", region_ids=[two.id])
        db.session.commit()
    lines = _lines(_draft(app, programme.id, audience_id)[0], "for_you")
    assert lines[:2] == ["Two has been working with Helix CRM since Mon 16 Nov 2026.",
                         "Two went live by a committee decision although its gate was not met: Two goes live now: its "
                         "sales season starts."]
