"""The OpenAPI 3.1 document, built from the operations the framework registered (``framework.OPERATIONS``).

Schemas come from the pydantic models (JSON Schema 2020-12, which OpenAPI 3.1 uses as it is): request bodies
in validation mode, responses in serialization mode, all under components.schemas.
"""
import re

from pydantic.json_schema import models_json_schema

from planner.api.framework import OPERATIONS, Operation
from planner.api.schemas import ErrorOut
from planner.core.errors import ERROR_TITLES
from planner.core.routing import MAX_ID

REF_TEMPLATE = "#/components/schemas/{model}"
#: every operation that needs a token may answer these. 400: a query parameter it does not take. 405: an id beyond
#: 32 bits matches no route; Werkzeug's router then answers 405 (not 404) for a method other than GET on such a path.
COMMON_ERRORS = (400, 401, 403, 404, 405, 503)
_PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(rule: str) -> str:
    return "/api/v1" + _PATH_PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for converter, name in _PATH_PARAMETER.findall(rule):
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _operation(op: Operation, refs: dict) -> dict:
    success: dict = {"description": "Done." if op.status != 204 else "Deleted."}
    if op.response is not None:
        success["content"] = _json(refs[(op.response, "serialization")])
    responses = {str(op.status): success}
    if op.status == 201:
        success["headers"] = {"Location": {"description": "The new record's address.",
                                           "schema": {"type": "string"}}}
    errors = set(op.errors) | ({400} if op.public else set(COMMON_ERRORS))
    for code in sorted(errors):
        responses[str(code)] = {"description": str(ERROR_TITLES.get(code, "Error")),
                                "content": _json({"$ref": REF_TEMPLATE.format(model="ErrorOut")})}
    document = {"operationId": op.endpoint.split(".", 1)[1], "summary": op.summary, "tags": [op.tag],
                "parameters": _path_parameters(op.rule) + list(op.query), "responses": responses,
                "security": [] if op.public else [{"bearerAuth": []}]}
    if op.body is not None:
        document["requestBody"] = {"required": True, "content": _json(refs[(op.body, "validation")])}
    return document


def openapi_document() -> dict:
    """The whole document, for ``GET /api/v1/openapi.json``."""
    models = {(ErrorOut, "serialization")}
    for op in OPERATIONS:
        if op.body is not None:
            models.add((op.body, "validation"))
        if op.response is not None:
            models.add((op.response, "serialization"))
    ordered = sorted(models, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, definitions = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rollout Planner API", "version": "1",
                 "description": "Authenticate with a personal API token (My account, API tokens) sent as "
                                "`Authorization: Bearer <token>`. Errors are JSON: error, message, fields."},
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {}),
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                          "description": "A personal API token (rpt_...)."}}},
        "security": [{"bearerAuth": []}],
    }
