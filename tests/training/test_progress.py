"""Each person's kept training progress, the kept kinds, the kept missed seats and the kept enrolment counts
(planner/training/progress.py): every kind of write that changes someone's progress, kind or misses, or a
session's enrolments, changes the kept rows at the commit, a read in the same transaction sees its own writes, a
rollback leaves the kept rows alone, and the readiness figures read the kept rows. (tests/conftest.py also checks
the kept rows of all four tables after every test of the suite.)"""
from datetime import time, timedelta

from sqlalchemy import insert, select, update

from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region
from planner.training import enrolment, progress, readiness, sessions
from planner.training.models import AttendanceMark, Course, CourseRequirement, Enrolment, EnrolmentCount, \
    SessionStatus, TrainingKind, TrainingMiss, TrainingProgress, TrainingSession
from tests.training.test_readiness_helpers import NOW, build


def _kept(programme_id: int) -> dict[int, tuple[int, int]]:
    return {person_id: (needed, completed) for person_id, needed, completed in db.session.execute(
        select(TrainingProgress.person_id, TrainingProgress.needed, TrainingProgress.completed)
        .where(TrainingProgress.programme_id == programme_id))}


def _mark(w, session_name: str, person: str, status: str) -> None:
    session = db.session.get(TrainingSession, w.sessions[session_name])
    sessions.mark_attendance(session, person_id=w.people[person], status=status, note="", marked_by_id=None,
                             now=session.starts_at)


def _by_name(w, kept):
    names = {person_id: name for name, person_id in w.people.items()}
    return {names[person_id]: figures for person_id, figures in kept.items()}


def test_the_kept_rows_hold_each_persons_needs_and_completions(app, factories):
    w = build(app, factories)
    with app.app_context():
        kept = _by_name(w, _kept(w.programme.id))
    assert kept == {"Ana": (1, 1), "Ben": (2, 2), "Cai": (1, 1), "Hal": (1, 0), "Dee": (1, 1), "Eve": (2, 0),
                    "Fay": (1, 0), "Gus": (1, 0)}


def test_a_mark_changes_the_persons_row_at_the_commit(app, factories):
    w = build(app, factories)
    with app.app_context():
        _mark(w, "S2", "Fay", "present")
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Fay"] == (1, 1)
        _mark(w, "S2", "Fay", "absent")
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Fay"] == (1, 0)


def test_a_role_or_department_change_and_a_new_person_change_their_rows(app, factories):
    w = build(app, factories)
    with app.app_context():
        db.session.get(Person, w.people["Ana"]).job_role = "TEAM LEAD"
        db.session.add(Person(programme_id=w.programme.id, full_name="Ivy", email="ivy@example.com",
                              job_role="Team lead"))
        db.session.commit()
        kept = _kept(w.programme.id)
        ivy = db.session.scalar(select(Person.id).where(Person.email == "ivy@example.com"))
    assert kept[w.people["Ana"]] == (2, 1) and kept[ivy] == (2, 0)


def test_requirement_cancellation_course_and_department_deletions_rework_the_programme(app, factories):
    w = build(app, factories)
    with app.app_context():
        service = db.session.get(Department, w.departments["Service"])
        basics = db.session.get(Course, w.courses["basics"])
        db.session.add(CourseRequirement(programme_id=w.programme.id, course_id=w.courses["leads"], job_role="",
                                         department_id=service.id))
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Dee"] == (2, 1)

        db.session.get(TrainingSession, w.sessions["S1"]).status = SessionStatus.CANCELLED
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Ana"] == (1, 0)

        db.session.delete(service)  # its people lose their department, its requirement goes
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Dee"] == (1, 1)

        db.session.delete(basics)  # its requirement and sessions go with it
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id)) == {"Ben": (1, 1), "Eve": (1, 0)}


def test_a_read_after_a_write_in_the_same_transaction_sees_the_write(app, factories):
    w = build(app, factories)
    with app.app_context():
        programme = db.session.get(Programme, w.programme.id)
        before = readiness.readiness(programme).total
        db.session.add(CourseRequirement(programme_id=w.programme.id, course_id=w.courses["leads"], job_role="",
                                         department_id=None))
        db.session.flush()
        assert progress.pending(db.session)
        during = readiness.readiness(programme).total
        db.session.rollback()
        assert not progress.pending(db.session)
        after = readiness.readiness(programme).total
        kept = _by_name(w, _kept(w.programme.id))
    assert (before.needing, before.trained) == (8, 4)
    assert (during.needing, during.trained) == (8, 1)  # everyone needs "Leading with CRM" now: only Ben has it
    assert (after.needing, after.trained) == (8, 4) and kept["Ana"] == (1, 1)


def test_statements_through_the_session_are_noted(app, factories):
    """An update whose rows cannot be told notes every programme; a bulk insert of people their programme (a
    mark upserted by statement, its person: the mark test above)."""
    w = build(app, factories)
    with app.app_context():
        db.session.execute(update(AttendanceMark).where(AttendanceMark.session_id == w.sessions["S2"],
                                                        AttendanceMark.person_id == w.people["Eve"])
                           .values(status="present"))
        db.session.commit()
        assert _by_name(w, _kept(w.programme.id))["Eve"] == (2, 1)
        db.session.execute(insert(Person), [{"programme_id": w.programme.id, "full_name": "Jo",
                                             "email": "jo@example.com", "job_role": "", "job_role_key": "",
                                             "is_super_user": False, "version": 1}])
        db.session.commit()
        jo = db.session.scalar(select(Person.id).where(Person.email == "jo@example.com"))
        assert _kept(w.programme.id)[jo] == (1, 0)


# --- the kept kinds -----------------------------------------------------------------------------------------

def _kinds(w) -> dict[tuple[str | None, str | None, str], tuple[str, int, int, int]]:
    """{(region, department, role key): (role as spelt, people, needing, trained)} as kept."""
    regions = {region_id: name for name, region_id in w.regions.items()}
    departments = {department_id: name for name, department_id in w.departments.items()}
    return {(regions.get(region_id), departments.get(department_id), key): (role, people, needing, trained)
            for region_id, department_id, key, role, people, needing, trained in db.session.execute(
                select(TrainingKind.region_id, TrainingKind.department_id, TrainingKind.job_role_key,
                       TrainingKind.job_role, TrainingKind.people, TrainingKind.needing, TrainingKind.trained)
                .where(TrainingKind.programme_id == w.programme.id))}


def test_the_kept_kinds_count_people_alike_in_region_department_and_role(app, factories):
    w = build(app, factories)
    with app.app_context():
        kinds = _kinds(w)
    assert kinds == {
        ("North", "Sales", "sales representative"): ("Sales representative", 2, 2, 1),  # Ana trained, Hal not
        ("North", "Sales", "team lead"): ("Team Lead", 1, 1, 1),
        ("North", "Service", "service agent"): ("Service agent", 1, 1, 1),
        ("South", "Service", "service agent"): ("Service agent", 1, 1, 1),
        ("South", "Sales", "team lead"): ("Team lead", 1, 1, 0),
        ("South", "Service", "sales representative"): ("Sales representative", 1, 1, 0),
        (None, "Service", "service agent"): ("Service agent", 1, 1, 0),
    }


def test_a_person_moved_added_or_removed_changes_the_kinds_of_both_regions(app, factories):
    w = build(app, factories)
    with app.app_context():
        db.session.get(Person, w.people["Ana"]).region_id = w.regions["South"]  # trained, moves south
        db.session.commit()
        kinds = _kinds(w)
        assert kinds[("North", "Sales", "sales representative")] == ("Sales representative", 1, 1, 0)
        assert kinds[("South", "Sales", "sales representative")] == ("Sales representative", 1, 1, 1)

        db.session.delete(db.session.get(Person, w.people["Gus"]))  # the only person without a region
        db.session.add(Person(programme_id=w.programme.id, full_name="Ivy", email="ivy@example.com",
                              job_role="sales REPRESENTATIVE", region_id=w.regions["North"],
                              department_id=w.departments["Sales"]))
        db.session.commit()
        kinds = _kinds(w)
    assert (None, "Service", "service agent") not in kinds
    assert kinds[("North", "Sales", "sales representative")][1:] == (2, 2, 0)
    # the kind is labelled with the least spelling, in the database's order (upper case first here)
    assert kinds[("North", "Sales", "sales representative")][0] in ("Sales representative", "sales REPRESENTATIVE")


def test_a_mark_a_spelling_and_a_deleted_region_change_the_kinds(app, factories):
    w = build(app, factories)
    with app.app_context():
        _mark(w, "S2", "Fay", "present")
        db.session.commit()
        assert _kinds(w)[("South", "Service", "sales representative")][1:] == (1, 1, 1)

        db.session.get(Person, w.people["Eve"]).job_role = "Team  LEAD"  # the same role, spelt otherwise
        db.session.commit()
        assert _kinds(w)[("South", "Sales", "team lead")] == ("Team  LEAD", 1, 1, 0)

        # its people now have no region, and its sessions are gone with their marks: Dee and Fay lose basics
        db.session.delete(db.session.get(Region, w.regions["South"]))
        db.session.commit()
        kinds = _kinds(w)
        kept = _by_name(w, _kept(w.programme.id))
    assert not any(region == "South" for region, _department, _role in kinds)
    assert kinds[(None, "Service", "service agent")][1:] == (2, 2, 0)  # Gus and Dee
    assert kept["Dee"] == (1, 0) and kept["Fay"] == (1, 0)


def test_a_read_in_the_same_transaction_sees_a_person_moved(app, factories):
    w = build(app, factories)
    with app.app_context():
        programme = db.session.get(Programme, w.programme.id)
        db.session.get(Person, w.people["Gus"]).region_id = w.regions["North"]
        db.session.flush()
        north = next(row for row in readiness.readiness(programme).by_region if row.key == w.regions["North"])
        db.session.rollback()
        kinds = _kinds(w)
    assert (north.needing, north.trained) == (5, 3)
    assert kinds[(None, "Service", "service agent")][1:] == (1, 1, 0)  # rolled back: as it was


# --- missed seats ------------------------------------------------------------------------------------------

def _misses(w) -> dict[tuple[str, str], tuple]:
    """{(person, session): (mark, starts_at, ends_at)} of the kept missed seats."""
    people = {person_id: name for name, person_id in w.people.items()}
    names = {session_id: name for name, session_id in w.sessions.items()}
    return {(people[person_id], names[session_id]): (mark and mark.value, starts_at, ends_at)
            for person_id, session_id, mark, starts_at, ends_at in db.session.execute(
                select(TrainingMiss.person_id, TrainingMiss.session_id, TrainingMiss.mark, TrainingMiss.starts_at,
                       TrainingMiss.ends_at).where(TrainingMiss.programme_id == w.programme.id))}


def _seat(w, session_name: str, person: str) -> Enrolment:
    return db.session.scalar(select(Enrolment).where(Enrolment.session_id == w.sessions[session_name],
                                                     Enrolment.person_id == w.people[person]))


def test_the_kept_misses_are_the_seats_missed_and_not_made_up(app, factories):
    w = build(app, factories)
    with app.app_context():
        # Cai missed S1 and completed basics in S5; Fay is unmarked on S2's open roster; Eve's S6 lies ahead
        assert {key: mark for key, (mark, _starts, _ends) in _misses(w).items()} == {
            ("Eve", "S2"): "absent", ("Hal", "S1"): None}
        _mark(w, "S6", "Eve", "absent")  # absent again, in a session not over yet: kept, the reader asks the time
        db.session.commit()
        assert set(_misses(w)) == {("Eve", "S2"), ("Eve", "S6"), ("Hal", "S1")}
        _mark(w, "S6", "Eve", "present")  # made up: both of Eve's misses of basics go
        _mark(w, "S2", "Fay", "absent")
        db.session.commit()
        assert set(_misses(w)) == {("Fay", "S2"), ("Hal", "S1")}


def test_a_seat_removed_a_session_moved_a_roster_reopened_or_a_session_cancelled_change_the_misses(app, factories):
    w = build(app, factories)
    with app.app_context():
        s2 = db.session.get(TrainingSession, w.sessions["S2"])
        sessions.update_session(s2, expected_version=None, course_id=s2.course_id, region_id=s2.region_id,
                                trainer_id=None, start_on=s2.local_start.date() - timedelta(days=1),
                                start_time=time(14, 0), duration_minutes=60, location="Room 2", online_url="",
                                capacity=20)
        db.session.commit()
        s2 = db.session.get(TrainingSession, w.sessions["S2"])
        assert _misses(w)[("Eve", "S2")] == ("absent", s2.starts_at, s2.ends_at)

        enrolment.remove_person(_seat(w, "S1", "Hal"))
        db.session.commit()
        assert set(_misses(w)) == {("Eve", "S2")}

        sessions.enrol_person(db.session.get(TrainingSession, w.sessions["S1"]), w.people["Hal"])
        db.session.commit()
        assert set(_misses(w)) == {("Eve", "S2"), ("Hal", "S1")}  # seated again after the roster closed
        db.session.get(TrainingSession, w.sessions["S1"]).roster_completed_at = None
        db.session.commit()
        assert set(_misses(w)) == {("Eve", "S2")}  # an open roster: Hal may still be marked

        db.session.get(TrainingSession, w.sessions["S2"]).status = SessionStatus.CANCELLED  # over: by hand
        db.session.commit()
        assert _misses(w) == {}


def test_a_deleted_person_takes_their_misses_and_a_read_after_a_flush_sees_its_own_writes(app, factories):
    w = build(app, factories)
    with app.app_context():
        db.session.delete(db.session.get(Person, w.people["Hal"]))
        db.session.commit()
        assert set(_misses(w)) == {("Eve", "S2")}

        _mark(w, "S2", "Fay", "absent")
        db.session.flush()
        pending = readiness.no_shows(w.programme.id, NOW)
        db.session.rollback()
        kept = readiness.no_shows(w.programme.id, NOW)
        misses = set(_misses(w))
    assert sorted(n.full_name for n in pending.shown) == ["Eve", "Fay"] and pending.total == 2
    assert [n.full_name for n in kept.shown] == ["Eve"] and kept.total == 1
    assert misses == {("Eve", "S2")}


# --- the kept enrolment counts ------------------------------------------------------------------------------

def _counts(w) -> dict[str, int]:
    """{session name: enrolments} as kept."""
    names = {session_id: name for name, session_id in w.sessions.items()}
    return {names[session_id]: enrolments for session_id, enrolments in db.session.execute(
        select(EnrolmentCount.session_id, EnrolmentCount.enrolments)
        .where(EnrolmentCount.programme_id == w.programme.id))}


def test_the_kept_counts_follow_seats_taken_given_up_moved_and_deleted(app, factories):
    """Every enrolment counts, whatever its status; a seat taken, an enrolment moved to another session by hand or
    inserted by statement, a person deleted (their enrolments with them) and a session deleted change the counts
    at the commit, and the programme's total is their sum."""
    w = build(app, factories)
    with app.app_context():
        assert _counts(w) == {"S1": 4, "S2": 3, "S3": 1, "S4": 1, "S5": 1, "S6": 1}
        assert progress.enrolment_total(w.programme.id) == 11
        enrolment.remove_person(_seat(w, "S1", "Hal"))  # stays, as removed
        sessions.enrol_person(db.session.get(TrainingSession, w.sessions["S6"]), w.people["Gus"])
        db.session.commit()
        assert _counts(w) == {"S1": 4, "S2": 3, "S3": 1, "S4": 1, "S5": 1, "S6": 2}

        _seat(w, "S2", "Fay").session_id = w.sessions["S5"]
        db.session.commit()
        assert _counts(w) == {"S1": 4, "S2": 2, "S3": 1, "S4": 1, "S5": 2, "S6": 2}

        db.session.execute(insert(Enrolment), [{"session_id": w.sessions["S3"], "person_id": w.people["Eve"],
                                                "status": "enrolled"}])
        db.session.commit()
        assert _counts(w)["S3"] == 2

        db.session.delete(db.session.get(Person, w.people["Eve"]))  # in S2, S3 and S6
        db.session.commit()
        assert _counts(w) == {"S1": 4, "S2": 1, "S3": 1, "S4": 1, "S5": 2, "S6": 1}
        db.session.delete(db.session.get(TrainingSession, w.sessions["S4"]))
        db.session.commit()
        assert _counts(w) == {"S1": 4, "S2": 1, "S3": 1, "S5": 2, "S6": 1}
        assert progress.enrolment_total(w.programme.id) == 9


def test_the_total_read_after_a_flush_counts_its_own_writes(app, factories):
    w = build(app, factories)
    with app.app_context():
        sessions.enrol_person(db.session.get(TrainingSession, w.sessions["S6"]), w.people["Gus"])
        db.session.flush()
        pending = progress.enrolment_total(w.programme.id)
        db.session.rollback()
        kept = progress.enrolment_total(w.programme.id)
        counts = _counts(w)
    assert (pending, kept) == (12, 11) and counts["S6"] == 1
