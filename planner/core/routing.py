"""URL parts: an ``<int:...>`` that the database can hold.

Werkzeug's integer converter takes any number of digits; an id beyond a 64-bit integer then reaches
the database, which refuses it (SQLite cannot bind more than 64 bits, PostgreSQL compares no integer
column with a number beyond 32 bits): a 500. Such a URL names nothing, so it is a 404. ``id_arg`` in
core/pages.py does the same for ids in query strings.
"""
from flask import Flask
from werkzeug.routing import IntegerConverter

#: the largest id our databases store: primary keys are INTEGER, 32 bits on PostgreSQL
MAX_ID = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Call before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
