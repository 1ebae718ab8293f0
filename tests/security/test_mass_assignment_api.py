"""Mass assignment through the JSON API (QUALITY.md item 7): the request schema is the allow-list.

Generated from the OpenAPI document, for every write operation:
- its request schema refuses unknown fields (``additionalProperties: false``) and offers none of the fields the
  server owns (ids, the programme, who created or decided something, roles, tokens, timestamps);
- a body that is accepted as it is, sent again with those fields added (naming programme B), is refused with 422
  naming each added field, and writes nothing;
- an operation that takes no body answers and writes the same whether or not such fields are sent.
"""
import pytest

from planner.models import Base
from tests.security import api_sweep
from tests.security.api_world import ADMIN_ONLY, ApiWorld
from tests.security.helpers import compare

#: fields a client never sets, besides every ``*_by_id`` column of the models
SERVER_OWNED = frozenset({
    "id", "programme_id", "role", "is_admin", "is_active", "user_id", "organiser_id", "actor_user_id", "created_at",
    "updated_at", "uid", "sequence", "number", "password_hash", "session_token", "token_hash", "calendar_salt",
    "calendar_token_hash", "checkin_salt", "rsvp_salt", "rsvp_token_hash", "link_salt", "link_token_hash", "salt",
    "source", "submitted_at", "assessed_at", "decided_at", "rejected_at", "implemented_at", "answered_at",
})


def server_owned_fields() -> set[str]:
    by = {column.name for table in Base.metadata.sorted_tables for column in table.columns
          if column.name.endswith("_by_id")}
    return set(SERVER_OWNED) | by


def forged_body_fields(api_world: ApiWorld) -> dict:
    """Every server-owned field, with a value naming programme B (a JSON type the column would take)."""
    world = api_world.world
    values = {}
    for name in sorted(server_owned_fields()):
        if name.endswith("_id"):
            values[name] = world.b.other_user.id if name.endswith("_by_id") or name in ("user_id", "organiser_id",
                                                                                        "actor_user_id") \
                else world.b.programme.id if name == "programme_id" else world.b.region.id
        elif name.startswith("is_"):
            values[name] = True
        elif name.endswith("_at"):
            values[name] = "2000-01-01T00:00:00Z"
        elif name in ("sequence", "number"):
            values[name] = 99
        else:
            values[name] = "project_manager" if name == "role" else "forged"
    return values


@pytest.fixture
def api_world(app, factories, _rolled_back):
    return ApiWorld(app, factories, _rolled_back)


def test_every_request_schema_is_closed_and_offers_no_server_owned_field(app):
    problems, checked = [], 0
    owned = server_owned_fields()
    for op in api_sweep.operations(app):
        if op.body_schema is None:
            continue
        checked += 1
        if op.body_schema.get("additionalProperties") is not False:
            problems.append(f"{op}: the schema accepts fields it does not list")
        offered = owned & set(op.body_schema.get("properties", {}))
        if offered:
            problems.append(f"{op}: the schema offers server-owned fields {sorted(offered)}")
    assert not problems, "\n".join(problems)
    assert checked >= 30, checked


def test_server_owned_fields_added_to_any_body_are_refused_and_nothing_is_written(app, api_world):
    forged = forged_body_fields(api_world)
    problems, checked = [], 0
    for op in api_sweep.operations(app):
        if not op.writes or op.endpoint in ADMIN_ONLY:
            continue
        with api_world.prepared(op) as prepared:
            baseline = api_world.baseline(op, prepared)
            assert baseline is not None, f"{op}: no accepted body in programme A"
            before = api_world.snapshot()
            first = api_world.call_undone(op, baseline.url_values, baseline.body, before)
            added = {name: value for name, value in forged.items()
                     if op.body_schema is None or name not in op.body_schema["properties"]}
            attacked = api_world.call_undone(op, baseline.url_values, {**(baseline.body or {}), **added}, before)
            checked += 1
            if op.body_schema is not None:
                response, effect = attacked
                fields = (response.get_json(silent=True) or {}).get("fields", {})
                if response.status_code != 422:
                    problems.append(f"{op}: {response.status_code} with server-owned fields added")
                elif not set(added) <= set(fields) and len(fields) < 50:
                    problems.append(f"{op}: 422 without naming {sorted(set(added) - set(fields))}")
                if not effect.is_empty():
                    problems.append(f"{op} wrote: {effect.describe()}")
            else:  # the fields go nowhere: the same answer, the same rows written
                second = api_world.call_undone(op, baseline.url_values, baseline.body, before)
                runs = [(response.status_code, response.headers.get("Location"), effect)
                        for response, effect in (first, second, attacked)]
                problems += [f"{op}: {problem}" for problem in compare(*runs, {
                    name: str(value) for name, value in added.items()})]
    assert not problems, "\n".join(problems)
    assert checked >= 50, checked
