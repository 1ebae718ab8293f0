"""The resource framework: one declaration gives the routes, the checks and the OpenAPI operations.

``operation()`` adds one route to the API blueprint and records it for the OpenAPI document, so the document
is built from the same declarations as the routes. ``Resource`` describes a collection of records in a
programme (its pydantic models, the permissions to read and to write, the query listing it, and the area's
services that create, update and delete); ``install(resource)`` turns it into up to five operations:

    GET    /programmes/<programme_id>/<name>              list (paginated)
    POST   /programmes/<programme_id>/<name>              create: 201 + Location
    GET    /programmes/<programme_id>/<name>/<item_id>    read
    PATCH  /programmes/<programme_id>/<name>/<item_id>    update: only the fields sent; ``version`` -> 409 if stale
    DELETE /programmes/<programme_id>/<name>/<item_id>    delete: 204

A module in ``planner/api/resources/`` that sets ``resource = MyResource()`` is found and installed by itself.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError, create_model
from sqlalchemy import Select

from planner.api import bp
from planner.api.errors import BadRequest, invalid_body
from planner.api.schemas import InputModel, OutputModel
from planner.core.pages import MAX_PAGE
from planner.core.permissions import Permission, login_required, public
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme

#: items per page unless ``per_page`` says otherwise, and the most it may say
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
CRUD = ("list", "read", "create", "update", "delete")


@dataclass(frozen=True)
class Operation:
    """One documented route of the API."""

    method: str
    #: the Flask rule below /api/v1, such as ``/programmes/<int:programme_id>/risks``
    rule: str
    endpoint: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    #: OpenAPI parameter objects for the query string
    query: tuple[dict, ...] = ()
    public: bool = False
    #: the 4xx statuses the operation may answer besides those every operation has
    errors: tuple[int, ...] = field(default=())


#: every operation, in the order it was added; the OpenAPI document lists these
OPERATIONS: list[Operation] = []
#: every installed resource by its name
RESOURCES: dict[str, "Resource"] = {}


def operation(rule: str, method: str = "GET", *, endpoint: str, summary: str, tag: str,
              body: type[BaseModel] | None = None, response: type[BaseModel] | None = None, status: int = 200,
              query: tuple[dict, ...] = (), public_view: bool = False, errors: tuple[int, ...] = ()):
    """Add a view to the API at ``rule`` for ``method`` and document it. The view returns a Response or
    (body, status[, headers]); a body model is read by the view with ``parse_body``. A query parameter that is
    not in ``query`` is refused (400), as an unknown field of a body is: a misspelt ``?per_pgae=`` is not ignored."""
    def decorate(view: Callable) -> Callable:
        allowed = frozenset(parameter["name"] for parameter in query)

        @wraps(view)
        def checked(**path):
            refuse_unknown_query(allowed)
            return view(**path)

        declared = public(checked) if public_view else login_required(checked)
        bp.add_url_rule(rule, endpoint=endpoint, view_func=declared, methods=[method])
        OPERATIONS.append(Operation(method=method, rule=rule, endpoint=f"{bp.name}.{endpoint}", summary=summary,
                                    tag=tag, body=body, response=response, status=status, query=query,
                                    public=public_view, errors=errors))
        return declared
    return decorate


# --- request helpers -----------------------------------------------------------------------

def refuse_unknown_query(allowed: frozenset[str]) -> None:
    """400 when the query string names a parameter the operation does not document (at most 50 are listed)."""
    unknown = [name for name in request.args if name not in allowed]
    if unknown:
        message = _("This address does not take this query parameter.")
        raise BadRequest(message, {name or "query": [message] for name in unknown[:50]})

def parse_body(model: type[InputModel]) -> InputModel:
    """The JSON body read into ``model``: 400 when it is not JSON, 422 (per field) when it does not fit."""
    if not request.is_json:
        raise BadRequest(_("Send the body as JSON, with Content-Type: application/json."))
    try:
        return model.model_validate_json(request.get_data(cache=False) or b"")
    except ValidationError as exc:
        raise invalid_body(exc) from None


PAGE_PARAMETERS = (
    {"name": "page", "in": "query", "required": False, "description": "The page, from 1.",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query", "required": False, "description": "Items per page.",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
)


def _int_arg(name: str, default: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= highest:
        message = _("Give a whole number from 1 to %(highest)d.", highest=highest)
        raise BadRequest(message, {name: [message]})
    return int(raw)


def page_args() -> tuple[int, int]:
    """``?page=`` and ``?per_page=`` checked: 400 for anything but a number in range."""
    if len(request.args.get("page", "")) > 12 or len(request.args.get("per_page", "")) > 12:
        raise BadRequest(_("Give a whole number from 1 to %(highest)d.", highest=MAX_PAGE))
    return _int_arg("page", 1, MAX_PAGE), _int_arg("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def paginated(query: Select, serialize: Callable[[object], dict], *, total: int | None = None) -> Response:
    """One page of ``query``: ``{"items", "page", "per_page", "total", "next"}`` (two queries plus loaders).
    ``total``: how many rows ``query`` has, when known more cheaply than by counting them (then one query)."""
    page, per_page = page_args()
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, max_per_page=MAX_PER_PAGE,
                         count=total is None)
    if total is not None:
        result.total = total
    next_url = None
    if result.has_next and page < MAX_PAGE:
        next_url = url_for(request.endpoint, **(request.view_args or {}), page=page + 1, per_page=per_page)
    return jsonify(items=[serialize(obj) for obj in result.items], page=page, per_page=per_page,
                   total=result.total, next=next_url)


def page_model(out: type[BaseModel]) -> type[BaseModel]:
    """The documented shape of a page of ``out``."""
    return create_model(f"{out.__name__}Page", __doc__=f"One page of {out.__name__} items.",
                        items=(list[out], ...), page=(int, ...), per_page=(int, ...), total=(int, ...),
                        next=(str | None, ...))


# --- resources -----------------------------------------------------------------------------

class Resource:
    """A collection of records inside a programme. Subclass it, set the attributes, override the hooks of the
    operations it offers; see planner/api/resources/risks.py."""

    #: the URL segment and OpenAPI tag, plural: ``"risks"``
    name: str
    #: one record, for summaries: ``"risk"``
    title: str
    #: the SQLAlchemy model (with ``id`` and ``programme_id``)
    model: type
    out: type[OutputModel]
    create_schema: type[InputModel] | None = None
    update_schema: type[InputModel] | None = None
    #: the permission to list and read, and the one to create, update and delete
    read: Permission = Permission.PROGRAMME_VIEW
    write: Permission | None = None
    #: which of ``CRUD`` the resource offers
    operations: tuple[str, ...] = CRUD
    collection_rule = "/programmes/<int:programme_id>/{name}"
    item_rule = "/programmes/<int:programme_id>/{name}/<int:item_id>"

    # --- access: what the URL names, loaded for the permission of the operation ---

    def permission(self, op: str) -> Permission:
        return self.read if op in ("list", "read") else self.write

    def load_owner(self, op: str, programme_id: int, **_path):
        """The programme a list or create works in (404 when not the user's, 403 when the role may not)."""
        return load_programme(programme_id, self.permission(op))

    def load_item(self, op: str, programme_id: int, item_id: int, **_path):
        """The record in the URL; another programme's is a 404."""
        return load_in_programme(self.model, programme_id, item_id, self.permission(op))[1]

    def item_path(self, obj) -> dict:
        """The URL values of one record, for the Location header."""
        return {"programme_id": obj.programme_id, "item_id": obj.id}

    # --- the work: override for the operations offered ---

    def collection(self, programme) -> Select:
        """The records listed, as a Select from the area's queries (load what ``serialize`` reads)."""
        raise NotImplementedError

    def total(self, programme) -> int | None:
        """How many records ``collection`` has, where the area keeps that count (one query instead of counting
        every record); None counts them."""
        return None

    def create(self, programme, values: dict):
        """Create through the area's service and return the new record."""
        raise NotImplementedError

    def update(self, obj, values: dict, expected_version: int | None) -> None:
        """Update through the area's service; ``values`` holds every field of ``update_schema``."""
        raise NotImplementedError

    def delete(self, obj) -> None:
        raise NotImplementedError

    def current_values(self, obj) -> dict:
        """The record's values of the ``update_schema`` fields: what a PATCH leaves unchanged."""
        return {name: getattr(obj, name) for name in self.update_schema.model_fields if name != "version"}

    def serialize(self, obj) -> dict:
        return self.out.model_validate(obj).model_dump(mode="json")


def _rule(resource: Resource, template: str) -> str:
    return template.format(name=resource.name)


def install(resource: Resource) -> None:
    """Add the resource's operations to the API and the document."""
    problems = [f"unknown operations {sorted(set(resource.operations) - set(CRUD))}"
                if set(resource.operations) - set(CRUD) else "",
                "no create_schema" if "create" in resource.operations and not resource.create_schema else "",
                "no update_schema" if "update" in resource.operations and not resource.update_schema else "",
                "no write permission" if not {"create", "update", "delete"}.isdisjoint(resource.operations)
                and resource.write is None else ""]
    if resource.name in RESOURCES:
        problems.append("a resource of this name is installed already")
    if any(problems):
        raise TypeError(f"API resource {resource.name}: " + "; ".join(filter(None, problems)))
    RESOURCES[resource.name] = resource
    collection, item, name, tag = (_rule(resource, resource.collection_rule), _rule(resource, resource.item_rule),
                                   resource.name, resource.name)

    def read_endpoint() -> str:
        return f"{bp.name}.{name}_read"

    if "list" in resource.operations:
        @operation(collection, "GET", endpoint=f"{name}_list", summary=f"List the {name}", tag=tag,
                   response=page_model(resource.out), query=PAGE_PARAMETERS, errors=(400,))
        def list_view(**path):
            owner = resource.load_owner("list", **path)
            return paginated(resource.collection(owner), resource.serialize, total=resource.total(owner))

    if "create" in resource.operations:
        @operation(collection, "POST", endpoint=f"{name}_create", summary=f"Create a {resource.title}", tag=tag,
                   body=resource.create_schema, response=resource.out, status=201, errors=(400, 409, 413, 422))
        def create_view(**path):
            owner = resource.load_owner("create", **path)
            values = parse_body(resource.create_schema).model_dump()
            obj = resource.create(owner, values)
            db.session.flush()
            location = url_for(read_endpoint(), **resource.item_path(obj)) if "read" in resource.operations else None
            return resource.serialize(obj), 201, {"Location": location} if location else {}

    if "read" in resource.operations:
        @operation(item, "GET", endpoint=f"{name}_read", summary=f"Read a {resource.title}", tag=tag,
                   response=resource.out)
        def read_view(**path):
            return resource.serialize(resource.load_item("read", **path))

    if "update" in resource.operations:
        @operation(item, "PATCH", endpoint=f"{name}_update", summary=f"Change a {resource.title}", tag=tag,
                   body=resource.update_schema, response=resource.out, errors=(400, 409, 413, 422))
        def update_view(**path):
            obj = resource.load_item("update", **path)
            changes = parse_body(resource.update_schema).model_dump(exclude_unset=True)
            expected_version = changes.pop("version", None)
            resource.update(obj, {**resource.current_values(obj), **changes}, expected_version)
            db.session.flush()
            return resource.serialize(obj)

    if "delete" in resource.operations:
        @operation(item, "DELETE", endpoint=f"{name}_delete", summary=f"Delete a {resource.title}", tag=tag,
                   status=204, errors=(409, 422))
        def delete_view(**path):
            resource.delete(resource.load_item("delete", **path))
            db.session.flush()
            return "", 204
