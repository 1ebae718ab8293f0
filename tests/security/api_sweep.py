"""The API as its OpenAPI document describes it, for the sweeps: every operation, a valid body for each write built
from its request schema, and the table every id field of a body points at.

A body is made of the schema's required fields (strings, numbers, dates and choices from their JSON Schema) and
programme A's objects for the id fields; ``BODY_VALUES`` holds the few values a schema cannot tell (the ISO week
of an adoption figure is one that has started). ``check_baselines`` in the tests proves each generated body is
accepted, so a refusal later is caused by the one thing changed.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from planner.api.framework import RESOURCES
from planner.api.openapi import openapi_document

API_PREFIX = "/api/v1"
_PARAMETER = re.compile(r"{(\w+)}")

#: id fields whose table the model's foreign key cannot tell (fields of bodies that are not a model column)
ID_FIELD_TABLES = {
    "person_id": "person", "session_id": "training_session", "to_session_id": "training_session",
    "decision_id": "decision", "occurrence_id": "meeting_occurrence", "milestone_id": "milestone",
    "gate_review_id": "gate_review", "agenda_item_id": "agenda_item", "course_id": "course",
    "region_id": "region", "audience_id": "audience", "trainer_id": "user_account",
    "region_ids": "region", "stage_ids": "stage", "occurrence_ids": "meeting_occurrence",
}
#: string fields that name an object by "kind:id"
KEY_FIELDS = {"plan_item_key": ("milestone", "milestone:{id}")}


@dataclass(frozen=True)
class Op:
    path: str
    method: str
    endpoint: str
    document: dict
    #: the request body's schema, $refs resolved one level (None: the operation takes no body)
    body_schema: dict | None

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    @property
    def resource(self) -> str | None:
        """The collection an ``{item_id}`` names: ``sessions`` for /programmes/{p}/sessions/{item_id}/attendance."""
        parts = self.path.split("/")
        return parts[parts.index("{item_id}") - 1] if "{item_id}" in parts else None

    def url(self, **values) -> str:
        return _PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)

    @property
    def writes(self) -> bool:
        return self.method in ("POST", "PATCH", "PUT", "DELETE")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def document(app) -> dict:
    with app.test_request_context():
        return openapi_document()


def _resolve(schema: dict, components: dict) -> dict:
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operations(app) -> list[Op]:
    """Every operation of the document, in a stable order."""
    doc = document(app)
    components = doc["components"]["schemas"]
    ops = []
    for path, methods in sorted(doc["paths"].items()):
        for method, op in sorted(methods.items()):
            body = op.get("requestBody")
            schema = None
            if body is not None:
                schema = _resolve(body["content"]["application/json"]["schema"], components)
            ops.append(Op(path, method.upper(), f"api.{op['operationId']}", op, schema))
    return ops


def field_schema(app, schema: dict, name: str) -> dict:
    """A property's schema without null, $refs resolved."""
    components = document(app)["components"]["schemas"]
    prop = _resolve(schema["properties"][name], components)
    for choice in prop.get("anyOf", ()):
        choice = _resolve(choice, components)
        if choice.get("type") != "null":
            return choice
    return prop


def id_field_table(op: Op, name: str) -> str | None:
    """The table an id field of ``op``'s body points at, or None when the field is not an id."""
    if not (name.endswith("_id") or name.endswith("_ids")):
        return None
    resource = RESOURCES.get(op.resource or op.path.rstrip("/").split("/")[-1])
    if resource is not None and name in resource.model.__table__.c:
        foreign = list(resource.model.__table__.c[name].foreign_keys)
        if foreign:
            return foreign[0].column.table.name
    if name in ID_FIELD_TABLES:
        return ID_FIELD_TABLES[name]
    if name == "sponsor_id":
        from planner.programmes.models import Programme

        return list(Programme.__table__.c.sponsor_id.foreign_keys)[0].column.table.name
    raise AssertionError(f"{op}: cannot tell which table the body field {name} points at; add it to "
                         f"ID_FIELD_TABLES in tests/security/api_sweep.py")


def a_value(app, schema: dict, name: str, today: date):
    """A plausible JSON value for one non-id property."""
    prop = field_schema(app, schema, name)
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "integer":
        return max(prop.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if prop.get("format") == "date":
        return (today + timedelta(days=30)).isoformat()
    if prop.get("format") == "date-time":
        return f"{(today + timedelta(days=30)).isoformat()}T10:00:00"
    if prop.get("format") == "time":
        return "10:00:00"
    return "Security probe"
