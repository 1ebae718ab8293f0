"""What every template can use: permission checks, labels and date formatting."""
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from planner.core.permissions import Permission, can


def register_template_helpers(app: Flask) -> None:
    from planner.programmes.forms import ROLE_LABELS, TIER_LABELS

    app.jinja_env.globals.update(get_locale=get_locale, can=can, Permission=Permission, ROLE_LABELS=ROLE_LABELS, TIER_LABELS=TIER_LABELS)
    app.jinja_env.filters["date"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["datetime"] = lambda value: format_datetime(value, "short") if value else ""
