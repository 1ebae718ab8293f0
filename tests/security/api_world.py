"""Programmes A and B seen through the API: one record of every resource in each, a project manager of A with an
API token, and for every write operation a body that A's project manager may send (found by trying A's objects
for each id field until one is accepted, inside a savepoint that is rolled back).

``ApiWorld.baseline(op)`` is the proof that a later refusal comes from the one foreign id put in, not from a body
that would have been refused anyway.
"""
import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from planner.changes import services as change_services
from planner.changes.models import ChangeRequest
from planner.committee import services as committee_services
from planner.committee.models import MeetingOccurrence
from planner.core import clock
from planner.extensions import db
from planner.programmes.models import Programme
from planner.training.models import Enrolment
from tests.api.helpers import token_for
from tests.api.rows_sessions import add_session
from tests.api.test_api_access import ITEMS
from tests.security import api_sweep
from tests.security.helpers import Ownership, difference, snapshot, undone
from tests.test_access_matrix import build_world

#: operations project managers may not call at all (admins only): nothing to sweep with a project manager's token
ADMIN_ONLY = frozenset({"api.programmes_create", "api.programmes_delete"})

#: values a schema cannot tell: a body field -> its value (``today`` is the real date, ``start`` the programme's)
BODY_VALUES = {
    "week": lambda today, start: today.isoformat(),  # a week that has started
    "decided_by": lambda today, start: "Steering committee",
    "local_start": lambda today, start: f"{(today + timedelta(days=30)).isoformat()}T10:00",
    "start_time": lambda today, start: "10:00",
    "start_on": lambda today, start: (today + timedelta(days=30)).isoformat(),
    "new_start": lambda today, start: start.isoformat(),
    "decided_on": lambda today, start: today.isoformat(),
}
#: optional fields an operation needs all the same (a decision outside a meeting says when and by whom)
ALSO_SEND = {"api.decisions_create": ("decided_by", "decided_on")}
#: an optional id field that is accepted only with another (an agenda item is named with its meeting)
COMPANIONS = {"agenda_item_id": ("occurrence_id",)}


@dataclass
class Call:
    """One accepted call of programme A's project manager."""

    url_values: dict
    body: dict | None
    status: int
    #: id field -> the A id that made the body acceptable (lists hold one id)
    ids: dict = field(default_factory=dict)


def _kept(response, body: dict, names) -> bool:
    """Whether the record the response shows holds the ids sent (a service may drop a field it does not use)."""
    shown = response.get_json(silent=True) or {}
    for name in names:
        if name in shown:
            sent, kept = body[name], shown[name]
            if (sorted(sent) if isinstance(sent, list) else sent) != (sorted(kept) if isinstance(kept, list) else kept):
                return False
    return True


class ApiWorld:
    def __init__(self, app, factories, connection):
        self.app, self.connection = app, connection
        self.world = build_world(factories)
        self.a, self.b = self.world.a.programme.id, self.world.b.programme.id
        self.pm = factories.user_with_role("project_manager", self.world.a.programme)
        self.headers = {"Authorization": f"Bearer {token_for(app, self.pm)}"}
        self.trainers = {self.a: factories.user_with_role("trainer", self.world.a.programme).id,
                         self.b: factories.user_with_role("trainer", self.world.b.programme).id}
        self.items: dict[tuple[int, str], int] = {}
        with app.app_context():
            for programme_id in (self.a, self.b):
                programme = db.session.get(Programme, programme_id)
                self._gate_review(programme)
                self._decision_in_a_meeting(programme)
                for name, make in sorted(ITEMS.items()):
                    self.items[(programme_id, name)] = make(programme)
            db.session.commit()
        self.ownership = Ownership(connection)
        self.client = app.test_client()
        self.today = datetime.now(UTC).date()
        self.start = self.world.a.programme.start_date

    @staticmethod
    def _gate_review(programme):
        from planner.lifecycle import services as lifecycle_services

        stage = lifecycle_services.stages_of(programme.id)[0]
        lifecycle_services.record_gate_review(stage, met_criterion_ids=set(), reviewed_on=programme.start_date,
                                              approved_by_id=None, notes="", recorded_by_id=None)

    # --- objects of one side ---

    def ids(self, table: str, programme_id: int) -> list[int]:
        if table == "user_account":
            return [self.trainers[programme_id]]
        return self.ownership.ids_in(table, programme_id)

    def item(self, op: api_sweep.Op, programme_id: int) -> int | None:
        return self.items[(programme_id, op.resource)] if op.resource else None

    # --- calls ---

    def call(self, op: api_sweep.Op, url_values: dict, body: dict | None):
        return self.client.open(op.url(**url_values), method=op.method, json=body, headers=self.headers)

    def snapshot(self) -> dict:
        return snapshot(self.connection)

    def call_undone(self, op, url_values, body, before: dict | None = None):
        """The response, and what the call wrote (compared with ``before``, the state now, when given), rolled
        back afterwards."""
        with undone(self.connection):
            before = before if before is not None else snapshot(self.connection)
            response = self.call(op, url_values, body)
            effect = difference(before, snapshot(self.connection))
        return response, effect

    def call_undone_raw(self, op, url: str, *, data: bytes, before: dict | None = None, headers: dict | None = None):
        """Send ``data`` as the JSON body of ``op`` at ``url`` (with A's project manager's token unless ``headers``
        say otherwise); the response and what it wrote, rolled back."""
        with undone(self.connection):
            before = before if before is not None else snapshot(self.connection)
            response = self.client.open(url, method=op.method, data=data, content_type="application/json",
                                        headers=headers or self.headers)
            effect = difference(before, snapshot(self.connection))
        return response, effect

    def _prepared(self, op: api_sweep.Op) -> tuple[dict, dict]:
        """URL values and body fields an operation needs beyond the generic ones (made inside the caller's
        savepoint): state the operation requires of its record."""
        values = {"programme_id": self.a}
        if op.resource:
            values["item_id"] = self.item(op, self.a)
        extra: dict = {}
        if op.endpoint in ("api.change_requests_decide", "api.change_requests_implement"):
            with self.app.app_context():
                change = db.session.get(ChangeRequest, values["item_id"])
                change_services.assess_change(change, expected_version=None, assessment="Small", schedule_days=0,
                                              cost=None, risks="", assessed_by_id=None)
                if op.endpoint == "api.change_requests_implement":
                    decision = self._decision_in_a_meeting(change.programme)
                    change_services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                                                  decision_id=decision.id)
                db.session.commit()
        if op.endpoint.startswith("api.attendance_") or op.endpoint == "api.enrolments_move":
            started = datetime.now(UTC) - timedelta(hours=1)
            made = add_session(self.app, self.world.a.programme, start_on=started.date(),
                               start_time=time(started.hour, started.minute),
                               people=0 if op.endpoint == "api.attendance_complete" else 1)
            if op.endpoint == "api.enrolments_move":
                with self.app.app_context():
                    enrolment = db.session.get(Enrolment, values["item_id"])
                    course_id = enrolment.session.course_id
                target = add_session(self.app, self.world.a.programme, course_id=course_id)
                extra["to_session_id"] = target["session"]
            else:
                values["item_id"] = made["session"]
                if op.endpoint == "api.attendance_mark":
                    extra["person_id"] = made["people"][0]
        return values, extra

    def _decision_in_a_meeting(self, programme):
        """A decision taken today in a meeting of ``programme`` that has just been held."""
        occurrence = db.session.scalars(select(MeetingOccurrence).where(
            MeetingOccurrence.programme_id == programme.id, MeetingOccurrence.starts_at <= clock.now(),
            MeetingOccurrence.is_cancelled.is_(False)).order_by(MeetingOccurrence.starts_at.desc())).first()
        assert occurrence is not None, "the world has no past meeting to decide in"
        return committee_services.record_decision(programme, text="Approved", recorded_by_id=None,
                                                  occurrence=occurrence)

    def _generic_body(self, op: api_sweep.Op, names) -> dict:
        body = {}
        for name in names:
            if api_sweep.id_field_table(op, name) is None and name not in api_sweep.KEY_FIELDS:
                make = BODY_VALUES.get(name)
                body[name] = make(self.today, self.start) if make else \
                    api_sweep.a_value(self.app, op.body_schema, name, self.today)
        return body

    def _try(self, op, values, body) -> int:
        with undone(self.connection):
            return self.call(op, values, body).status_code

    def id_fields(self, op: api_sweep.Op) -> list[str]:
        """The body's fields that name an object (``plan_item_key`` too), required ones first."""
        if op.body_schema is None:
            return []
        required = op.body_schema.get("required", [])
        names = list(required) + [name for name in op.body_schema["properties"] if name not in required]
        return [name for name in names if api_sweep.id_field_table(op, name) or name in api_sweep.KEY_FIELDS]

    def _candidates(self, op, name: str, programme_id: int) -> list:
        """Values of one id field naming ``programme_id``'s objects."""
        if name in api_sweep.KEY_FIELDS:
            table, template = api_sweep.KEY_FIELDS[name]
            return [template.format(id=object_id) for object_id in self.ids(table, programme_id)]
        ids = self.ids(api_sweep.id_field_table(op, name), programme_id)
        return [[object_id] for object_id in ids] if name.endswith("_ids") else ids

    @contextmanager
    def prepared(self, op: api_sweep.Op):
        """A savepoint in which ``op`` finds the state it needs; yields (URL values, body fields) for A."""
        with undone(self.connection):
            yield self._prepared(op)

    def baseline(self, op: api_sweep.Op, prepared: tuple[dict, dict], with_field: str | None = None) -> Call | None:
        """An accepted call of ``op`` on A's record (inside ``prepared(op)``) with A's objects in the required id
        fields and in ``with_field``, an optional one; None when no choice of A's objects is accepted."""
        values, extra = prepared
        if op.body_schema is None:
            status = self._try(op, values, None)
            return Call(values, None, status) if status < 300 else None
        required = op.body_schema.get("required", [])
        body = {**self._generic_body(op, [*required, *ALSO_SEND.get(op.endpoint, ())]), **extra}
        if with_field in api_sweep.KEY_FIELDS:  # a plan item moves only in a schedule change, to a new start
            body.update(kind="schedule", new_start=BODY_VALUES["new_start"](self.today, self.start))
        names = [name for name in self.id_fields(op) if name not in extra
                 and (name in required or name == with_field or name in COMPANIONS.get(with_field, ()))]
        for choice in itertools.islice(itertools.product(*(self._candidates(op, name, self.a) for name in names)),
                                       200):
            trial = {**body, **dict(zip(names, choice))}
            with undone(self.connection):
                response = self.call(op, values, trial)
            if response.status_code < 300 and _kept(response, trial, names):
                return Call(values, trial, response.status_code, dict(zip(names, choice)))
        return None

    def other_side(self, op: api_sweep.Op, name: str) -> list:
        """Values of an id field that name B's objects (for a list field also A's and B's together)."""
        foreign = self._candidates(op, name, self.b)
        if name.endswith("_ids"):
            mine = self._candidates(op, name, self.a)[0]
            foreign = foreign + [mine + each for each in foreign]
        return foreign
