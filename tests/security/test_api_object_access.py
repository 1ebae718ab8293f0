"""Another programme's objects through the JSON API (QUALITY.md item 6), swept over every operation of the OpenAPI
document with the token of programme A's project manager:

- every path that names a programme or a record, given programme B's ids (B's programme, B's record under A's
  programme, A's record under B's programme), answers 404 and writes nothing;
- every id field of every write body (``person_id``, ``region_ids``, ``plan_item_key`` ...), given each of B's
  objects of that kind instead of A's, is refused (403, 404 or 422) and writes nothing, where the same body with
  A's object is accepted (and kept: the record shown holds it), so the refusal is the foreign id's doing.

"Writes nothing" compares every row of every table before and after the call.
"""
import pytest

from tests.security import api_sweep
from tests.security.api_world import ADMIN_ONLY, ApiWorld

REFUSED_FOR_A_BODY_ID = (403, 404, 422)


@pytest.fixture
def api_world(app, factories, _rolled_back):
    return ApiWorld(app, factories, _rolled_back)


def _writes(app):
    return [op for op in api_sweep.operations(app) if op.writes and op.endpoint not in ADMIN_ONLY]


def test_the_document_lists_every_api_route(app):
    """The sweeps walk the OpenAPI document: it must hold every /api/v1 route of the app."""
    documented = {(op.endpoint, op.method) for op in api_sweep.operations(app)}
    routed = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    assert len([op for op in api_sweep.operations(app) if "{item_id}" in op.path]) > 40


def _path_variants(world: ApiWorld, op: api_sweep.Op) -> list[dict]:
    if op.resource is None:
        return [{"programme_id": world.b}]
    mine, theirs = world.item(op, world.a), world.item(op, world.b)
    return [{"programme_id": world.a, "item_id": theirs}, {"programme_id": world.b, "item_id": theirs},
            {"programme_id": world.b, "item_id": mine}]


def test_every_path_naming_another_programme_is_404_and_writes_nothing(app, api_world):
    problems, checked = [], 0
    for op in api_sweep.operations(app):
        if "programme_id" not in op.parameters:
            continue
        with api_world.prepared(op) as prepared:
            body = None
            if op.body_schema is not None:
                baseline = api_world.baseline(op, prepared)
                assert baseline is not None, f"{op}: no accepted body in programme A"
                body = baseline.body
            before = api_world.snapshot()
            for values in _path_variants(api_world, op):
                response, effect = api_world.call_undone(op, values, body, before)
                checked += 1
                if response.status_code != 404:
                    problems.append(f"{op} {values}: {response.status_code} {response.get_data(as_text=True)[:200]}")
                elif set(response.get_json()) < {"error", "message"}:
                    problems.append(f"{op} {values}: 404 without a JSON error body")
                if not effect.is_empty():
                    problems.append(f"{op} {values} wrote: {effect.describe()}")
    assert not problems, "\n".join(problems)
    assert checked > 150, checked


def test_every_body_id_naming_another_programmes_object_is_refused_and_writes_nothing(app, api_world):
    problems, checked = [], []
    for op in _writes(app):
        fields = api_world.id_fields(op)
        if not fields:
            continue
        with api_world.prepared(op) as prepared:
            for name in fields:
                optional = name not in op.body_schema.get("required", ()) and name not in prepared[1]
                baseline = api_world.baseline(op, prepared, name if optional else None)
                assert baseline is not None, \
                    f"{op} with {name}: no accepted body in programme A (add a value to tests/security/api_world.py)"
                before = api_world.snapshot()
                for foreign in api_world.other_side(op, name):
                    body = {**baseline.body, name: foreign}
                    response, effect = api_world.call_undone(op, baseline.url_values, body, before)
                    checked.append((op.endpoint, name))
                    if response.status_code not in REFUSED_FOR_A_BODY_ID:
                        problems.append(f"{op} {name}={foreign!r}: {response.status_code} "
                                        f"{response.get_data(as_text=True)[:200]}")
                    if not effect.is_empty():
                        problems.append(f"{op} {name}={foreign!r} wrote: {effect.describe()}")
    assert not problems, "\n".join(problems)
    assert len({name for _endpoint, name in checked}) >= 15, sorted(set(checked))
