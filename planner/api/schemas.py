"""Building blocks of the API's request and response models (pydantic v2).

Input models derive from ``InputModel`` (unknown fields are refused: the schema is the allow-list, QUALITY.md
item 7) and use the field types below, which carry the limits the database has: a string never longer than its
column and never with a NUL character (PostgreSQL refuses those), an id or a number never beyond 32 bits. The
same limits appear in the OpenAPI document, so clients and schemathesis see them.
"""
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, create_model

from planner.core.routing import MAX_ID

#: the largest integer an INTEGER column holds on PostgreSQL
MAX_INT = 2**31 - 1
#: no NUL anywhere; at least one character that is not white space
_FILLED = r"^[^\x00]*[^\x00\s][^\x00]*$"
_NO_NUL = r"^[^\x00]*$"


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: ``description: Text(5000) = ""``
    """A string that may be empty, at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_NO_NUL)]


def Name(max_length: int) -> Any:  # noqa: N802
    """A string with at least one visible character, at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_FILLED)]


#: the id of a row (in a body: a person, a region, a stage ...)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: a count or amount stored in an INTEGER column
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


def _plausible_day(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}.")
    return day


#: the years a plan's dates may fall in: date arithmetic near year 9999 overflows
FIRST_YEAR, LAST_YEAR = 1900, 2999
#: a calendar day (YYYY-MM-DD) in a plausible year
Day = Annotated[date, AfterValidator(_plausible_day)]


def _time_zone_names() -> list[str]:
    from planner.core.forms import time_zone_choices

    return [choice.value for choice in time_zone_choices()]


def _known_time_zone(name: str) -> str:
    if name not in set(_time_zone_names()):
        raise ValueError("Choose a time zone from the list, such as Europe/Berlin.")
    return name


#: an IANA time zone name, from the same list the pages offer
TimeZone = Annotated[str, AfterValidator(_known_time_zone),
                     WithJsonSchema({"type": "string", "enum": _time_zone_names(),
                                     "description": "An IANA time zone name, such as Europe/Berlin."})]


class InputModel(BaseModel):
    """A request body: unknown fields are an error, strings are taken as sent."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    """A response body, read from a model's attributes."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    """Every API error: a short title, a sentence for people, and the messages per field (for 422)."""

    error: str
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


def partial(model: type[InputModel], name: str, *, versioned: bool = True) -> type[InputModel]:
    """The PATCH model of a create model: every field may be left out (then it keeps its value), none may be
    sent as null unless the create model allows null. ``versioned`` adds the optional ``version`` field: a
    stale one gets 409."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name] = (annotation, Field(default=None, description=info.description,
                                                json_schema_extra=_no_default))
    if versioned:
        fields["version"] = (Id, Field(default=None, json_schema_extra=_no_default,
                                       description="The version you read; a newer one on the server gives 409."))
    return create_model(name, __base__=InputModel, __doc__=f"Changes to make (PATCH): {model.__doc__ or ''}",
                        **fields)


def _no_default(schema: dict) -> None:
    schema.pop("default", None)
