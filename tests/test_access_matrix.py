"""Who gets what on every route (QUALITY.md item 6).

An explicit role x endpoint x method -> status matrix, checked one case at a time against a
fresh world of two programmes: the URL's ids are always programme A's objects. A completeness
test fails when a rule in ``app.url_map`` has no row, so a new page cannot ship untested.
Every rule must also be reachable only from its own programme: programme B's objects through
programme A's URLs (and the other way round) are 404, even for an admin.

The world-building helpers here are shared with test_csrf.py and test_security_headers.py.
"""
import re
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import scoped_session, sessionmaker

from planner import create_app
from planner.auth.models import User
from planner.core.permissions import BUILTIN_ENDPOINTS, public
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Membership, Programme, Region
from tests.conftest import csrf_token_from, log_in
from tests.factories import Factories
from tests.calendar_web import access as calendar_access
from tests.committee import access as committee_access
from tests.training import curriculum_access, enrolment_access, planner_access, readiness_access, session_access
from tests.core import outbox_access
from tests.lifecycle import access as lifecycle_access
from tests.rollout import access as rollout_access
from tests.rollout import plan_access
from tests.adoption import access as adoption_access
from tests.changes import access as changes_access
from tests.comms import access as comms_access
from tests.feedback import access as feedback_access
from tests.api import access as api_access
from tests.dashboards import access as dashboards_access
from tests.exports import access as exports_access
from tests.health import access as health_access
from tests.risks import access as risks_access
from tests.surveys import access as surveys_access

# --- the world every case runs in --------------------------------------------------------------


@dataclass
class Side:
    """One programme and one object of each kind inside it."""

    programme: Programme
    region: Region
    department: Department
    person: Person
    #: a role held by ``other_user``: the membership the delete-member URL points at
    membership: Membership
    #: a user who is not the one acting; the admin user pages point at them
    other_user: User
    #: ids of the lifecycle, rollout and committee objects: stage_id, wave_id, ... (see _plan_objects)
    plan_ids: dict[str, int]
    #: endpoint -> the secret token its <token> placeholder takes (a real feed, RSVP, feedback, survey and check-in
    #: link of this side)
    tokens: dict[str, str]

    def url_values(self) -> dict[str, int]:
        """The id for every placeholder a rule may have, taken from this side's objects."""
        return {"programme_id": self.programme.id, "region_id": self.region.id,
                "department_id": self.department.id, "person_id": self.person.id,
                "membership_id": self.membership.id, "user_id": self.other_user.id, "fmt": "png",
                "token_for": self.tokens, **self.plan_ids}


@dataclass
class World:
    a: Side
    b: Side


def _side(factories) -> Side:
    programme = factories.programme()
    region = factories.region(programme)
    department = factories.department(programme)
    person = factories.person(programme, region_id=region.id, department_id=department.id)
    other_user = factories.user()
    membership = factories.grant(other_user, programme, "viewer")
    plan_ids = _plan_objects(factories.app, programme, region)
    tokens = _secret_tokens(factories.app, other_user, plan_ids["invitee_id"], person.id)
    with factories.app.app_context():
        tokens.update(surveys_access.survey_tokens(plan_ids["survey_id"]))
        tokens.update(planner_access.checkin_tokens(plan_ids["session_id"]))
        db.session.commit()
    return Side(programme, region, department, person, membership, other_user, plan_ids, tokens)


def _secret_tokens(app, user, invitee_id: int, person_id: int) -> dict[str, str]:
    """A real feed token (of ``user``), RSVP token (of the committee invitee) and feedback token (of the
    side's person)."""
    from planner.calendar import tokens
    from planner.committee import invitations
    from planner.committee.models import MeetingInvitee
    from planner.core import secret_links

    with app.app_context():
        feed = tokens.reset_feed_token(db.session.get(User, user.id))
        invitee = db.session.get(MeetingInvitee, invitee_id)
        rsvp = secret_links.derive_token(invitations.RSVP_PURPOSE, invitee.rsvp_salt)
        feedback = feedback_access.secret_tokens(db.session.get(Person, person_id))
        db.session.commit()
    return {"calendar.feed": feed, "calendar.rsvp": rsvp, **feedback}


def _plan_objects(app, programme, region) -> dict[str, int]:
    """One object of every lifecycle, rollout and committee kind, made through the services."""
    from datetime import date

    from planner.committee import services as committee_services
    from planner.lifecycle import services as lifecycle_services
    from planner.lifecycle.models import GoalKind
    from planner.rollout import services as rollout_services

    with app.app_context():
        target = db.session.get(Programme, programme.id)
        stage = lifecycle_services.stages_of(target.id)[0]
        company_goal = lifecycle_services.create_goal(
            target, kind=GoalKind.COMPANY, title="Grow repeat business", serves_id=None, unit="%",
            baseline=None, target=None, actual=None, due_stage_number=6)
        wave = rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                            planned_go_live=date(2026, 10, 5), trial_days=20,
                                            region_ids=[region.id])
        defect = rollout_services.report_defect(target, region_id=region.id, title="Slow search",
                                                severity="high", opened_on=date(2026, 10, 6))
        holiday = rollout_services.add_holiday(target, day=date(2026, 12, 25), name="Christmas", region_id=None)
        freeze = rollout_services.add_freeze_window(target, name="Quarter-end", start_on=date(2026, 12, 21),
                                                    end_on=date(2026, 12, 31))
        milestone = rollout_services.create_milestone(target, name="Kickoff", kind="kickoff",
                                                      planned_on=date(2026, 3, 2), actual_on=None)
        db.session.flush()
        dependency = rollout_services.add_dependency(target, predecessor_key=f"milestone:{milestone.id}",
                                                     successor_key=f"wave:{wave.id}", lag_days=0)
        decision = committee_services.record_decision(target, text="Go ahead", decided_on=date(2026, 9, 1),
                                                      decided_by="Steering committee", recorded_by_id=None)
        message_id = outbox_access.make_message(target.id)
        committee_ids = committee_access.committee_objects(target)
        training_ids = {**curriculum_access.curriculum_objects(target), **session_access.session_objects(target),
                        **planner_access.planner_objects(target), **readiness_access.readiness_objects(target)}
        issue7_ids = {**comms_access.comms_objects(target), **feedback_access.feedback_objects(target),
                      **changes_access.changes_objects(target), **adoption_access.adoption_objects(target),
                      **surveys_access.surveys_objects(target)}
        issue8_ids = {**risks_access.risks_objects(target), **exports_access.exports_objects(target),
                      **health_access.health_objects(target), **api_access.api_objects(target)}
        db.session.commit()
        return {"stage_id": stage.id, "deliverable_id": stage.deliverables[0].id,
                "criterion_id": stage.criteria[0].id, "goal_id": company_goal.id, "wave_id": wave.id,
                "defect_id": defect.id, "holiday_id": holiday.id, "freeze_id": freeze.id,
                "milestone_id": milestone.id, "dependency_id": dependency.id, "decision_id": decision.id,
                "message_id": message_id, **committee_ids, **training_ids, **issue7_ids,
                **issue8_ids}


def build_world(factories) -> World:
    """Programme A and programme B, each with a region, department, person and membership."""
    return World(a=_side(factories), b=_side(factories))


#: the roles of the matrix, in the order of its columns
ROLES = ("anonymous", "admin", "pm", "pm_other", "committee", "trainer", "viewer", "none")

#: role name -> (role granted, programme it is granted in: "a", "b" or None)
_GRANTS = {
    "admin": ("admin", None),
    "pm": ("project_manager", "a"),
    "pm_other": ("project_manager", "b"),
    "committee": ("committee_member", "a"),
    "trainer": ("trainer", "a"),
    "viewer": ("viewer", "a"),
    "none": ("none", None),
}


def act_as(client, factories, world: World, role: str):
    """Log the client in as a new user holding ``role``; returns the user (None when anonymous)."""
    if role == "anonymous":
        return None
    if role == "pm_both":
        user = factories.user()
        factories.grant(user, world.a.programme, "project_manager")
        factories.grant(user, world.b.programme, "project_manager")
    else:
        granted, side = _GRANTS[role]
        user = factories.user_with_role(granted, getattr(world, side).programme if side else None)
    log_in(client, user.email)
    return user


def csrf_token(client, logged_in: bool) -> str:
    """A valid CSRF token for the client's current session."""
    page = client.get("/" if logged_in else "/login")
    assert page.status_code == 200, page.status_code
    return csrf_token_from(page.get_data(as_text=True))


# --- rules and their URLs --------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
MATRIX_METHODS = frozenset({"GET", "POST"})


def app_rules(app):
    """Every page rule of the app, in a stable order: not Flask's own (static files), and not the JSON API,
    which takes no session cookie (tests/api/ walks its rules with bearer tokens)."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.endpoint not in BUILTIN_ENDPOINTS and not rule.rule.startswith("/api/")),
                  key=lambda rule: (rule.rule, rule.endpoint))


def rule_for(app, endpoint: str):
    rules = [rule for rule in app_rules(app) if rule.endpoint == endpoint]
    assert len(rules) == 1, f"{endpoint} has {len(rules)} rules; the matrix expects one"
    return rules[0]


def fill_url(rule, values: dict[str, int]) -> str:
    """The rule's path with every placeholder replaced by the id of the same name."""

    def replace(match):
        name = match.group(1)
        if name == "token" and rule.endpoint in values.get("token_for", {}):
            return values["token_for"][rule.endpoint]
        if name not in values:
            pytest.fail(f"{rule.endpoint}: the access-matrix world has no id for <{name}>; add one to Side")
        return str(values[name])

    return _PLACEHOLDER.sub(replace, rule.rule)


def exists(app, model, object_id: int) -> bool:
    with app.app_context():
        return db.session.get(model, object_id) is not None


# --- the matrix ----------------------------------------------------------------------------------

#: 302 to the login page with ?next= (not logged in)
LOGIN = "login"

#: POSTs are sent with a valid CSRF token and no other fields: allowed roles get the form back
#: with errors (422) or, where nothing needs filling in (deletes, logout), the redirect (302).
FOUNDATION_ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("core.healthz", "GET"):                          (200,   200, 200, 200, 200, 200, 200, 200),
    ("auth.login", "GET"):                            (200,   302, 302, 302, 302, 302, 302, 302),
    ("auth.login", "POST"):                           (422,   302, 302, 302, 302, 302, 302, 302),
    ("auth.logout", "POST"):                          (302,   302, 302, 302, 302, 302, 302, 302),
    ("auth.account", "GET"):                          (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("auth.account", "POST"):                         (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ("auth.change_password", "GET"):                  (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("auth.change_password", "POST"):                 (LOGIN, 422, 422, 422, 422, 422, 422, 422),
    ("auth.logout_everywhere", "POST"):               (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ("auth.list_users", "GET"):                       (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("auth.create_user", "GET"):                      (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("auth.create_user", "POST"):                     (LOGIN, 422, 403, 403, 403, 403, 403, 403),
    ("auth.edit_user", "GET"):                        (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("auth.edit_user", "POST"):                       (LOGIN, 422, 403, 403, 403, 403, 403, 403),
    ("auth.delete_user", "GET"):                      (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("auth.delete_user", "POST"):                     (LOGIN, 302, 403, 403, 403, 403, 403, 403),
    ("programmes.list_programmes", "GET"):            (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("programmes.create_programme", "GET"):           (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("programmes.create_programme", "POST"):          (LOGIN, 422, 403, 403, 403, 403, 403, 403),
    ("programmes.show_programme", "GET"):             (LOGIN, 200, 200, 404, 200, 200, 200, 404),
    ("programmes.edit_programme", "GET"):             (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.edit_programme", "POST"):            (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.delete_programme", "GET"):           (LOGIN, 200, 403, 404, 403, 403, 403, 404),
    ("programmes.delete_programme", "POST"):          (LOGIN, 302, 403, 404, 403, 403, 403, 404),
    ("programmes.list_regions", "GET"):               (LOGIN, 200, 200, 404, 200, 200, 200, 404),
    ("programmes.create_region", "GET"):              (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.create_region", "POST"):             (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.edit_region", "GET"):                (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.edit_region", "POST"):               (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.delete_region", "GET"):              (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.delete_region", "POST"):             (LOGIN, 302, 302, 404, 403, 403, 403, 404),
    ("programmes.list_departments", "GET"):           (LOGIN, 200, 200, 404, 200, 200, 200, 404),
    ("programmes.create_department", "GET"):          (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.create_department", "POST"):         (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.edit_department", "GET"):            (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.edit_department", "POST"):           (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.delete_department", "GET"):          (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.delete_department", "POST"):         (LOGIN, 302, 302, 404, 403, 403, 403, 404),
    ("programmes.list_members", "GET"):               (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("programmes.list_members", "POST"):              (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("programmes.delete_member", "POST"):             (LOGIN, 302, 302, 404, 403, 403, 403, 404),
    ("programmes.audit_log", "GET"):                  (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("people.list_people", "GET"):                    (LOGIN, 200, 200, 404, 200, 200, 403, 404),
    ("people.lookup_people", "GET"):                  (LOGIN, 200, 200, 404, 200, 200, 403, 404),
    ("people.create_person", "GET"):                  (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("people.create_person", "POST"):                 (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("people.edit_person", "GET"):                    (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("people.edit_person", "POST"):                   (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("people.delete_person", "GET"):                  (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("people.delete_person", "POST"):                 (LOGIN, 302, 302, 404, 403, 403, 403, 404),
    ("people.import_people", "GET"):                  (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("people.import_people", "POST"):                 (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("people.confirm_import_people", "POST"):         (LOGIN, 302, 302, 404, 403, 403, 403, 404),
    ("people.export_people", "GET"):                  (LOGIN, 200, 200, 404, 403, 403, 403, 404),
}

#: rows of the later areas live beside their tests, in the same format
MATRIX: dict[tuple[str, str], tuple] = {**FOUNDATION_ROWS, **lifecycle_access.ROWS, **rollout_access.ROWS,
                                         **plan_access.ROWS, **outbox_access.ROWS,
                                         **calendar_access.ROWS, **committee_access.ROWS,
                                         **curriculum_access.ROWS, **session_access.ROWS, **planner_access.ROWS,
                                         **enrolment_access.ROWS, **readiness_access.ROWS,
                                         **feedback_access.ROWS, **changes_access.ROWS, **adoption_access.ROWS,
                                         **surveys_access.ROWS, **comms_access.ROWS, **risks_access.ROWS,
                                         **exports_access.ROWS, **dashboards_access.ROWS, **health_access.ROWS,
                                         **api_access.ROWS}

#: delete endpoints -> (model, placeholder): a successful POST must really delete the object
DELETES = {**lifecycle_access.DELETES, **rollout_access.DELETES, **committee_access.DELETES,
           **curriculum_access.DELETES, **session_access.DELETES, **planner_access.DELETES,
           **enrolment_access.DELETES, **feedback_access.DELETES, **changes_access.DELETES,
           **adoption_access.DELETES, **surveys_access.DELETES, **comms_access.DELETES,
           **risks_access.DELETES, **exports_access.DELETES, **health_access.DELETES, **api_access.DELETES,
    "auth.delete_user": (User, "user_id"),
    "programmes.delete_programme": (Programme, "programme_id"),
    "programmes.delete_region": (Region, "region_id"),
    "programmes.delete_department": (Department, "department_id"),
    "programmes.delete_member": (Membership, "membership_id"),
    "people.delete_person": (Person, "person_id"),
}


def expected_status(endpoint: str, method: str, role: str):
    return MATRIX[(endpoint, method)][ROLES.index(role)]


def _is_login_redirect(response) -> bool:
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == "/login" and "next" in parse_qs(location.query)


def _cases():
    for (endpoint, method), row in MATRIX.items():
        for role in ROLES:
            yield pytest.param(endpoint, method, role, id=f"{endpoint}-{method}-{role}")


@pytest.fixture(scope="module")
def _module_connection(app):
    """One transaction for the whole module, rolled back at its end: the shared world lives in it."""
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    yield connection
    outer.rollback()
    connection.close()


@contextmanager
def _sessions_on(connection):
    """Requests and factories get sessions joined to ``connection`` through savepoints (as conftest's
    ``_rolled_back`` does for one test)."""
    from flask_sqlalchemy.session import _app_ctx_id

    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
                                scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session = original


@pytest.fixture(autouse=True)
def _rolled_back(_module_connection):
    """Each test runs in a savepoint of the module's transaction and is rolled back to it: what a case
    changes (a delete, a publish) is undone before the next, while the shared world stays."""
    savepoint = _module_connection.begin_nested()
    with _sessions_on(_module_connection):
        yield _module_connection
    if savepoint.is_active:
        savepoint.rollback()


@pytest.fixture(scope="module")
def shared_world(app, _module_connection) -> World:
    """The two programmes of ``build_world``, built once for all the matrix cases (about 2,500 of them)."""
    with _sessions_on(_module_connection):
        return build_world(Factories(app))


@pytest.mark.parametrize(("endpoint", "method", "role"), list(_cases()))
def test_access(app, client, factories, shared_world, endpoint, method, role):
    world = shared_world
    act_as(client, factories, world, role)
    values = world.a.url_values()
    url = fill_url(rule_for(app, endpoint), values)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, role != "anonymous")})

    expected = expected_status(endpoint, method, role)
    body = response.get_data(as_text=True)[:500] if response.mimetype.startswith("text/") else response.mimetype
    if expected == LOGIN:
        assert _is_login_redirect(response), (response.status_code, response.headers.get("Location"), body)
    else:
        assert response.status_code == expected, (response.headers.get("Location"), body)
        if expected == 302:
            assert not _is_login_redirect(response), response.headers.get("Location")

    if method == "POST" and endpoint in DELETES:
        model, key = DELETES[endpoint]
        assert exists(app, model, values[key]) == (expected != 302), \
            "an allowed delete must delete; a refused one must leave the object"


def test_matrix_rows_have_one_status_per_role():
    bad = [key for key, row in MATRIX.items() if len(row) != len(ROLES)]
    assert not bad, f"rows with the wrong number of columns: {bad}"


def test_matrix_covers_every_route(app):
    routes = set()
    unexpected_methods = []
    for rule in app_rules(app):
        methods = rule.methods - {"HEAD", "OPTIONS"}
        routes |= {(rule.endpoint, method) for method in methods & MATRIX_METHODS}
        unexpected_methods += [(rule.endpoint, method) for method in methods - MATRIX_METHODS]
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes missing from the access matrix: {missing}"
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"
    assert not unexpected_methods, f"methods the matrix does not cover yet: {unexpected_methods}"


def test_every_view_declares_access(app):
    undeclared = sorted(endpoint for endpoint, view in app.view_functions.items()
                        if endpoint not in BUILTIN_ENDPOINTS
                        and getattr(view, "access", None) not in ("public", "login"))
    assert not undeclared, f"views without @public or @login_required: {undeclared}"


def test_an_undeclared_route_is_refused(app):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        fresh.add_url_rule("/undeclared", "undeclared", lambda: "secret data")
        fresh.add_url_rule("/declared", "declared", public(lambda: "public data"))
        client = fresh.test_client()

        refused = client.get("/undeclared")
        assert refused.status_code == 403
        assert "secret data" not in refused.get_data(as_text=True)
        allowed = client.get("/declared")
        assert allowed.status_code == 200
        assert allowed.get_data(as_text=True) == "public data"
    finally:
        with fresh.app_context():
            db.engine.dispose()


# --- objects of one programme through the other's URLs -----------------------------------------

_OBJECT_KEYS = {"region_id": Region, "department_id": Department, "person_id": Person,
                "membership_id": Membership, **lifecycle_access.OBJECT_KEYS, **rollout_access.OBJECT_KEYS,
                **committee_access.OBJECT_KEYS, **curriculum_access.OBJECT_KEYS, **session_access.OBJECT_KEYS,
                **planner_access.OBJECT_KEYS, **enrolment_access.OBJECT_KEYS, **feedback_access.OBJECT_KEYS,
                **changes_access.OBJECT_KEYS, **adoption_access.OBJECT_KEYS, **surveys_access.OBJECT_KEYS,
                **comms_access.OBJECT_KEYS, **risks_access.OBJECT_KEYS,
                **exports_access.OBJECT_KEYS, **health_access.OBJECT_KEYS}


@pytest.mark.parametrize("role", ["admin", "pm_both"])
def test_objects_are_reached_only_through_their_own_programme(app, client, factories, role):
    """/programmes/A/regions/<B's region>/edit and the like are 404, even for someone in both."""
    world = build_world(factories)
    act_as(client, factories, world, role)
    token = csrf_token(client, True)
    nested = [rule for rule in app_rules(app) if "programme_id" in rule.arguments
              and rule.arguments & _OBJECT_KEYS.keys()]
    assert nested, "expected nested programme URLs such as /programmes/<id>/regions/<id>/edit"
    problems = []
    for rule in nested:
        for home, foreign in ((world.a, world.b), (world.b, world.a)):
            values = {**foreign.url_values(), "programme_id": home.programme.id}
            url = fill_url(rule, values)
            for method in sorted(rule.methods & MATRIX_METHODS):
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": token})
                if response.status_code != 404:
                    problems.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
            for key in rule.arguments & _OBJECT_KEYS.keys():
                if not exists(app, _OBJECT_KEYS[key], values[key]):
                    problems.append(f"{rule.endpoint} deleted the other programme's {key} {values[key]}")
    assert not problems, "\n".join(problems)
