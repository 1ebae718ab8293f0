r"""Building blocks of the API's request and response models (pydantic v2).

Input models derive from ``InputModel`` (unknown fields are refused: the schema is the allow-list, QUALITY.md
item 7) and use the field types below, which carry the limits the database has: a string never longer than its
column and never with a NUL character (PostgreSQL refuses those), an id or a number never beyond 32 bits. The
same limits appear in the OpenAPI document, so clients and schemathesis see them.

Input models are strict about JSON types: a number must be a JSON integer (not ``"3"`` or ``3.0``), a boolean
``true`` or ``false``; dates and choices are still read from JSON strings. Patterns are checked by Python's ``re``
(whose ``\s`` is ``str.isspace``, like the services' ``strip()``), and no string of any input model may hold NUL.
"""
from datetime import date
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, create_model,
                      field_validator)

from planner.core.routing import MAX_ID

#: the largest integer an INTEGER column holds on PostgreSQL
MAX_INT = 2**31 - 1
#: no NUL anywhere; at least one character that is not white space
_FILLED = r"^[^\x00]*[^\x00\s][^\x00]*$"
_NO_NUL = r"^[^\x00]*$"


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: ``description: Text(5000) = ""``
    """A string that may be empty, at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_NO_NUL)]


def _filled(value: str) -> str:
    """Refuse a name that ``strip()`` empties (white space and the separators \\x1c-\\x1f), whatever engine
    checked the pattern: the services strip names, and would store ``""``."""
    if not value.strip():
        raise ValueError(_("Write some text here (not only spaces, and without NUL characters)."))
    return value


def Name(max_length: int) -> Any:  # noqa: N802
    """A string with at least one visible character, at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_FILLED), AfterValidator(_filled)]


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
#: a calendar day (YYYY-MM-DD) in a plausible year; the document gives the years as a pattern and in words
Day = Annotated[date, AfterValidator(_plausible_day),
                WithJsonSchema({"type": "string", "format": "date",
                                "pattern": r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                                "description": f"A calendar day, YYYY-MM-DD, in the years {FIRST_YEAR} to "
                                               f"{LAST_YEAR}."}, mode="validation")]


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


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("Remove the NUL character (\\u0000): text cannot hold it."))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _without_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _without_nul(key)
            _without_nul(item)
    return value


class InputModel(BaseModel):
    """A request body: unknown fields are an error, strings are taken as sent, numbers and booleans must be JSON
    numbers and booleans (strict), and no string holds NUL (PostgreSQL refuses it: a plain ``str`` field too)."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    @field_validator("*", mode="after", check_fields=False)
    @classmethod
    def _no_nul_anywhere(cls, value: Any) -> Any:
        return _without_nul(value)


class OutputModel(BaseModel):
    """A response body, read from a model's attributes."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    """Every API error: a short title, a sentence for people, and the messages per field (for 422)."""

    error: str
    message: str
    #: ``{}`` when the error is not about fields
    fields: dict[str, list[str]]


def partial(model: type[InputModel], name: str, *, versioned: bool = True) -> type[InputModel]:
    """The PATCH model of a create model: every field may be left out (then it keeps its value), none may be
    sent as null unless the create model allows null. ``versioned`` adds the optional ``version`` field: a
    stale one gets 409."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name] = (annotation, Field(default=None, description=info.description,
                                                json_schema_extra=no_default))
    if versioned:
        fields["version"] = (Id, Field(default=None, json_schema_extra=no_default,
                                       description="The version you read; a newer one on the server gives 409."))
    return create_model(name, __base__=InputModel, __doc__=f"Changes to make (PATCH): {model.__doc__ or ''}",
                        **fields)


def no_default(schema: dict) -> None:
    """A field whose absence means "keep what is there": the document shows no default for a client to fill in."""
    schema.pop("default", None)
