"""Alembic migrations (QUALITY.md item 14).

Each test builds its own app on a fresh database (a SQLite file, or a PostgreSQL database created
for the test when TEST_DATABASE_URL is set): migrations are run up and down, so the shared,
rolled-back test database is no use here.
"""
import os
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, select

from planner import ROOT, create_app
from planner.auth.models import User
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Membership, Programme, Region, RegionTier
from tests.conftest import _create_postgres_database

SCRIPTS = ScriptDirectory(str(ROOT / "migrations"))
#: revision ids from the first to the head
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions("base", "heads")))]
HEAD = REVISIONS[-1]
#: every upgrade step N -> N+1; empty while there is a single revision
STEPS = list(zip(REVISIONS, REVISIONS[1:]))


@pytest.fixture(autouse=True)
def _rolled_back():
    """These tests own their database: no shared session rolled back around them."""
    yield


@pytest.fixture
def fresh_app(tmp_path):
    admin_url = os.environ.get("TEST_DATABASE_URL")
    drop = None
    if admin_url:
        url, drop = _create_postgres_database(admin_url)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            drop()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _current_revisions() -> tuple:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


def test_single_head():
    assert len(SCRIPTS.get_heads()) == 1, f"several heads, merge them: {SCRIPTS.get_heads()}"
    assert len(SCRIPTS.get_bases()) == 1
    assert REVISIONS[0] in SCRIPTS.get_bases() and HEAD == SCRIPTS.get_current_head()


def test_upgrade_from_empty_down_to_base_and_up_again(fresh_app):
    model_tables = set(db.metadata.tables)
    with fresh_app.app_context():
        assert _tables() == set()

        upgrade()
        assert _tables() == model_tables | {"alembic_version"}
        assert _current_revisions() == (HEAD,)

        downgrade(revision="base")
        assert _tables() <= {"alembic_version"}, "downgrade to base left tables behind"
        assert _current_revisions() == ()

        upgrade()
        assert _tables() == model_tables | {"alembic_version"}
        assert _current_revisions() == (HEAD,)


def test_models_and_migrations_are_in_sync(fresh_app):
    """What ``flask db check`` does: autogenerate against the migrated database finds nothing."""
    with fresh_app.app_context():
        upgrade()
        configure_args = fresh_app.extensions["migrate"].configure_args
        assert configure_args.get("compare_type") is True  # column types are part of the check
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "render_as_batch": True, "target_metadata": db.metadata})
            differences = compare_metadata(context, db.metadata)
    assert differences == [], "models differ from the migrations; run 'flask db migrate'"

    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


# Rows written with plain SQL (no models: the models follow the head, not revision N). Columns are
# matched against the table as it is at revision N, so a later revision adding a column changes
# nothing here; a revision that adds a NOT NULL column without a server default must backfill it,
# and the upgrade step below is what proves it does.
_AT = datetime(2026, 1, 5, 9, 30)
SEED = [
    ("programme", {"id": 901, "name": "Seeded programme", "system_name": "Helix CRM", "sponsor_id": None,
                   "start_date": date(2026, 3, 2), "home_time_zone": "Europe/Berlin", "description": "old data",
                   "created_at": _AT, "updated_at": _AT, "version": 1}),
    ("department", {"id": 911, "programme_id": 901, "name": "Sales", "is_it": False,
                    "created_at": _AT, "updated_at": _AT, "version": 1}),
    ("region", {"id": 921, "programme_id": 901, "name": "Headquarters", "tier": "pilot",
                "time_zone": "Australia/Sydney", "headcount": 40, "site_notes": "", "created_at": _AT,
                "updated_at": _AT, "version": 1}),
    ("person", {"id": 931, "programme_id": 901, "full_name": "Kim Lindqvist", "email": "kim@example.com",
                "department_id": 911, "job_role": "Sponsor", "job_role_key": "sponsor", "region_id": 921,
                "is_super_user": True,
                "created_at": _AT, "updated_at": _AT, "version": 1}),
    ("user_account", {"id": 941, "email": "seeded@example.com", "password_hash": "$argon2id$not-a-real-hash",
                      "is_active": True, "is_admin": False, "preferred_language": "", "person_id": 931,
                      "session_token": "seeded-token", "last_login_at": _AT, "created_at": _AT,
                      "updated_at": _AT, "version": 1}),
    ("membership", {"id": 951, "user_id": 941, "programme_id": 901, "role": "project_manager",
                    "created_at": _AT, "updated_at": _AT}),
    ("audit_event", {"id": 961, "occurred_at": _AT, "actor_user_id": 941, "actor_label": "seeded@example.com",
                     "action": "create", "object_type": "Programme", "object_id": 901, "programme_id": 901,
                     "object_label": "Programme Seeded programme", "changes": {"name": [None, "Seeded programme"]}}),
]
#: written after person exists: programme.sponsor_id and person.programme_id refer to each other
SPONSOR_UPDATE = ("programme", 901, {"sponsor_id": 931})


def _reflect(connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=connection)


def _write_seed(connection) -> None:
    for name, values in SEED:
        table = _reflect(connection, name)
        missing = [column.name for column in table.columns
                   if not column.nullable and column.server_default is None and not column.primary_key
                   and column.name not in values]
        assert not missing, f"{name}.{missing} is NOT NULL at this revision: add a value to SEED"
        connection.execute(table.insert().values({key: value for key, value in values.items()
                                                  if key in table.columns}))
    name, row_id, values = SPONSOR_UPDATE
    table = _reflect(connection, name)
    connection.execute(table.update().where(table.c.id == row_id).values(values))


def _read_seed(connection) -> dict[str, list[dict]]:
    rows = {}
    for name, _values in SEED:
        table = _reflect(connection, name)
        rows[name] = [dict(row) for row in connection.execute(select(table).order_by(table.c.id)).mappings()]
    return rows


def _assert_survived(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> None:
    for name, old_rows in before.items():
        new_rows = after[name]
        assert len(new_rows) == len(old_rows), f"{name}: rows lost or added by the upgrade"
        for old, new in zip(old_rows, new_rows):
            kept = {column: value for column, value in old.items() if column in new}
            assert {column: new[column] for column in kept} == kept, f"{name} row {old['id']} changed"


def _assert_models_read_seed() -> None:
    """The models at head load the old rows: enum values, dates and links all still make sense."""
    programme = db.session.get(Programme, 901)
    assert programme.sponsor.full_name == "Kim Lindqvist"
    assert programme.created_at.tzinfo is not None and programme.created_at.hour == 9
    region = db.session.get(Region, 921)
    assert region.tier is RegionTier.PILOT
    person = db.session.get(Person, 931)
    assert person.department.name == "Sales" and person.region.name == "Headquarters"
    assert person.job_role_key == "sponsor"
    user = db.session.get(User, 941)
    assert user.person_id == 931
    membership = db.session.scalar(select(Membership).where(Membership.user_id == 941))
    assert membership.role.value == "project_manager"


@pytest.mark.parametrize(("older", "newer"), STEPS or [(HEAD, HEAD)],
                         ids=[f"{a[:8]}-to-{b[:8]}" for a, b in (STEPS or [(HEAD, HEAD)])])
def test_data_written_at_older_revision_survives_upgrade(fresh_app, older, newer):
    """Rows written at revision N are still there, unchanged, after upgrading to N+1.

    With a single revision today there is no step yet: the test then writes at the head and runs
    'upgrade head' again, which proves only that a no-op upgrade leaves data alone and that the
    models read rows written without them. Each new revision adds a step here by itself.
    """
    with fresh_app.app_context():
        upgrade(revision=older)
        with db.engine.begin() as connection:
            _write_seed(connection)
        with db.engine.connect() as connection:
            before = _read_seed(connection)
        assert sum(len(rows) for rows in before.values()) == len(SEED)

        upgrade(revision=newer)
        assert _current_revisions() == (newer,)
        with db.engine.connect() as connection:
            after = _read_seed(connection)
        _assert_survived(before, after)

        if newer == HEAD:
            _assert_models_read_seed()
            db.session.rollback()


def test_the_job_role_key_revision_fills_the_keys_of_existing_people(fresh_app):
    """People written before job_role_key existed get their key, folded as the model folds it."""
    with fresh_app.app_context():
        upgrade(revision="8d6b7f4a2c65")
        with db.engine.begin() as connection:
            _write_seed(connection)
            person = _reflect(connection, "person")
            connection.execute(person.update().where(person.c.id == 931).values(job_role="  AUSSENDIENST  Nord"))
        upgrade(revision="9e7c8a5b3d76")
        with db.engine.connect() as connection:
            person = _reflect(connection, "person")
            key = connection.execute(select(person.c.job_role_key).where(person.c.id == 931)).scalar_one()
        assert key == "aussendienst nord"


def test_the_training_progress_revision_fills_the_progress_of_existing_people(fresh_app):
    """Upgrading a database that already holds people, requirements and marks fills training_progress with what
    planner/training/progress.py works out (the demo programme: trained, half-way and untrained people)."""
    from planner.training.models import TrainingProgress
    from planner.training.progress import worked_out

    with fresh_app.app_context():
        upgrade()
        result = fresh_app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        programme_id = db.session.scalar(select(Programme.id))
        expected = set(map(tuple, db.session.execute(worked_out(programme_id=programme_id))))
        db.session.rollback()
        downgrade(revision="d4e5f6a7b8c9")
        assert "training_progress" not in _tables()
        upgrade()
        filled = set(map(tuple, db.session.execute(select(
            TrainingProgress.person_id, TrainingProgress.programme_id, TrainingProgress.needed,
            TrainingProgress.completed))))
        db.session.rollback()
    assert filled == expected
    assert any(needed == completed for _, _, needed, completed in filled)
    assert any(needed > completed for _, _, needed, completed in filled)


def _kept_rows_filled_again(fresh_app, below: str, table: str, kept, assert_kept) -> tuple[list, list]:
    """A kept table's rows for the demo programme, and the rows its revision fills in a database taken down to
    ``below`` (the table gone) and up again, which ``assert_kept`` then checks against their definition."""
    with fresh_app.app_context():
        upgrade()
        result = fresh_app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        before = kept()
        db.session.rollback()
        downgrade(revision=below)
        assert table not in _tables()
        upgrade()
        filled = kept()
        db.session.rollback()
        with db.engine.connect() as connection:
            assert_kept(connection)
    return before, filled


def test_the_training_kind_revision_fills_the_kinds_of_existing_people(fresh_app):
    """Upgrading a database that already holds people and their kept progress fills training_kind with the kinds
    planner/training/progress.py works out (the demo programme)."""
    from planner.training.models import TrainingKind
    from tests.conftest import assert_training_kinds_kept

    def kept() -> list[tuple]:
        return sorted(map(tuple, db.session.execute(select(TrainingKind.programme_id, TrainingKind.region_id,
                                                           TrainingKind.department_id, TrainingKind.job_role_key,
                                                           TrainingKind.job_role, TrainingKind.people,
                                                           TrainingKind.needing, TrainingKind.trained))), key=repr)

    before, filled = _kept_rows_filled_again(fresh_app, "0a1b2c3d4e5f", "training_kind", kept,
                                             assert_training_kinds_kept)
    assert filled == before
    assert any(trained < needing for *_kind, needing, trained in filled)
    assert any(0 < trained for *_kind, needing, trained in filled)


def test_the_training_miss_revision_fills_the_missed_seats_of_existing_sessions(fresh_app):
    """Upgrading a database that already holds sessions, seats and marks fills training_miss with the missed seats
    planner/training/progress.py works out (the demo programme)."""
    from planner.training.models import TrainingMiss
    from planner.training.progress import MISS_COLUMNS
    from tests.conftest import assert_training_misses_kept

    def kept() -> list[tuple]:
        return sorted(map(tuple, db.session.execute(select(*(getattr(TrainingMiss, name) for name in MISS_COLUMNS)))),
                      key=repr)

    before, filled = _kept_rows_filled_again(fresh_app, "1b2c3d4e5f6a", "training_miss", kept,
                                             assert_training_misses_kept)
    assert filled == before and filled  # the demo has no-shows


def test_the_enrolment_count_revision_counts_the_enrolments_of_existing_sessions(fresh_app):
    """Upgrading a database that already holds sessions and enrolments fills enrolment_count with each session's
    enrolments as planner/training/progress.py counts them (the demo programme)."""
    from planner.training.models import EnrolmentCount
    from planner.training.progress import COUNT_COLUMNS
    from tests.conftest import assert_enrolment_counts_kept

    def kept() -> list[tuple]:
        return sorted(map(tuple, db.session.execute(select(*(getattr(EnrolmentCount, name)
                                                             for name in COUNT_COLUMNS)))))

    before, filled = _kept_rows_filled_again(fresh_app, "2c3d4e5f6a7b", "enrolment_count", kept,
                                             assert_enrolment_counts_kept)
    assert filled == before and any(enrolments > 1 for *_session, enrolments in filled)


def test_the_outbox_links_revision_refuses_a_downgrade_while_placeholders_wait_to_be_sent(fresh_app, capfd):
    """Below b6196a8c4861 nothing fills in secret-link placeholders, so an email holding them must be sent first."""
    from planner.core import mail, outbox, outbox_links
    from planner.core.models import OutboxMessage, OutboxStatus
    from planner.feedback.links import emailed_feedback_url, ensure_feedback_links

    with fresh_app.app_context():
        upgrade()
        programme = Programme(name="Links", system_name="CRM", start_date=date(2027, 1, 4), home_time_zone="Europe/Berlin")
        db.session.add(programme)
        db.session.flush()
        person = Person(programme_id=programme.id, full_name="Ada Lovelace", email="ada@example.com")
        db.session.add(person)
        db.session.flush()
        ensure_feedback_links([person])
        secret = outbox_links.SecretLinks()
        message = mail.compose(to=person.email, subject="Hi", text=emailed_feedback_url(person.id, secret))
        row = outbox.enqueue(message, key="waiting", kind="test", links=secret)
        plain = outbox.enqueue(mail.compose(to=person.email, subject="Agenda", text="No link"), key="plain",
                               kind="test")  # an email without links does not hold the downgrade up
        db.session.commit()
        assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.links.is_(None))) == plain.id
        db.session.rollback()
        downgrade(revision="b6196a8c4861")  # the revisions after it hold nothing up
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            downgrade(revision="53787a62c657")
        assert "1 queued emails hold secret-link placeholders" in capfd.readouterr().err
        db.session.rollback()
        assert _current_revisions() == ("b6196a8c4861",)
        row = db.session.get(OutboxMessage, row.id)
        row.status = OutboxStatus.SENT
        db.session.commit()
        downgrade(revision="53787a62c657")
        assert "links" not in {column["name"] for column in inspect(db.engine).get_columns("outbox_message")}
        assert set(db.session.scalars(select(OutboxMessage.key))) == {"waiting", "plain"}
        db.session.rollback()


def test_the_unique_keys_revision_merges_holidays_and_requirements_stored_twice(fresh_app):
    """Before 0a1b2c3d4e5f a programme-wide holiday or a requirement for every department could be stored twice (NULL
    parts of a unique key are never equal). The upgrade keeps the oldest of each, with every name of a holiday;
    other rows, regional holidays and requirements of one department, are left as they were."""
    rows = [
        ("holiday", {"id": 1, "region_id": None, "day": date(2026, 12, 25), "name": "Christmas"}),
        ("holiday", {"id": 2, "region_id": None, "day": date(2026, 12, 25), "name": "Christmas Day"}),
        ("holiday", {"id": 3, "region_id": None, "day": date(2026, 12, 25), "name": "Christmas"}),
        ("holiday", {"id": 4, "region_id": 921, "day": date(2026, 12, 25), "name": "Christmas"}),
        ("holiday", {"id": 5, "region_id": None, "day": date(2026, 12, 26), "name": "Boxing Day"}),
        ("course", {"id": 81, "title": "CRM basics", "description": "", "duration_minutes": 60,
                    "format": "classroom", "material_links": "", "version": 1}),
        ("course_requirement", {"id": 11, "course_id": 81, "job_role": "Sales rep", "job_role_key": "sales rep",
                                "department_id": None}),
        ("course_requirement", {"id": 12, "course_id": 81, "job_role": "SALES REP", "job_role_key": "sales rep",
                                "department_id": None}),
        ("course_requirement", {"id": 13, "course_id": 81, "job_role": "Sales rep", "job_role_key": "sales rep",
                                "department_id": 911}),
        ("course_requirement", {"id": 14, "course_id": 81, "job_role": "SALES REP", "job_role_key": "sales rep",
                                "department_id": 911}),
        ("course_requirement", {"id": 15, "course_id": 81, "job_role": "", "job_role_key": "",
                                "department_id": None}),
    ]
    with fresh_app.app_context():
        upgrade(revision="1279852d0bb2")
        with db.engine.begin() as connection:
            _write_seed(connection)
            for name, values in sorted(rows, key=lambda row: row[0] != "course"):
                connection.execute(_reflect(connection, name).insert().values(
                    programme_id=901, created_at=_AT, updated_at=_AT, **values))
        upgrade(revision="0a1b2c3d4e5f")
        with db.engine.connect() as connection:
            holiday = _reflect(connection, "holiday")
            holidays = connection.execute(select(holiday.c.id, holiday.c.name).order_by(holiday.c.id)).all()
            requirement = _reflect(connection, "course_requirement")
            requirements = connection.execute(select(requirement.c.id, requirement.c.job_role)
                                              .order_by(requirement.c.id)).all()
        assert holidays == [(1, "Christmas / Christmas Day"), (4, "Christmas"), (5, "Boxing Day")]
        assert requirements == [(11, "Sales rep"), (13, "Sales rep"), (15, "")]
        downgrade(revision="1279852d0bb2")
        upgrade()
        assert _current_revisions() == (HEAD,)
