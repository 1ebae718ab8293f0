"""Small helpers views share: safe redirects, pagination, and the form and delete page patterns."""
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request
from sqlalchemy import Select, false

from planner.core.errors import DomainError
from planner.core.forms import show_domain_error
from planner.core.routing import MAX_ID
from planner.extensions import db


def safe_next_url(target: str | None, fallback: str) -> str:
    """A local path to go to after login; anything pointing off-site falls back."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


#: no list has this many pages; a larger page number would overflow the OFFSET
MAX_PAGE = 100_000


def page_number(arg: str = "page") -> int:
    """The page asked for in the query string (``?page=3``; ``arg`` names another argument for a page's second
    list), 1 when absent or not a number."""
    return min(MAX_PAGE, max(1, request.args.get(arg, 1, type=int) or 1))


def id_arg(name: str) -> int | None:
    """An id from the query string (``?region=4``); None when absent, not a number, or beyond what the
    database stores (such an id names nothing)."""
    value = request.args.get(name, type=int)
    if value is None or not 1 <= value <= MAX_ID:
        return None
    return value


def per_page() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


def paginate(query: Select, *, total: int | None = None, arg: str = "page"):
    """The requested page of ``query`` (the page number read from ``?<arg>=``). ``total``: how many rows it has,
    when the page knows already or can tell more cheaply than by counting ``query``'s rows (which is what happens
    without it); a total of 0 asks the database for nothing but a constant-false query."""
    if total == 0:
        query = query.where(false())
    page = db.paginate(query, page=page_number(arg), per_page=per_page(), error_out=False, count=total is None)
    if total is not None:
        page.total = total
    return page


def render_form(template: str, form, status: int | None = None, **context):
    """Render a form page; a submitted form with errors answers 422 so its writes roll back."""
    if status is None:
        status = 422 if form.errors or getattr(form, "form_errors", None) else 200
    return render_template(template, form=form, **context), status


def render_refused(template: str, form, error: DomainError, **context):
    """Re-render a form with the service's refusal shown; the request's writes roll back."""
    show_domain_error(form, error)
    return render_template(template, form=form, **context), error.status_code


def save_form(template: str, form, save: Callable, *, done: Callable[[object], tuple[str, str]], **context):
    """The create/edit page: show the form; on a valid submit call ``save()``.

    ``done(result)`` gives the flash message and the address to go to. A DomainError from the
    service is shown on the form (at its field when it names one) and nothing is written.
    """
    if not form.validate_on_submit():
        return render_form(template, form, **context)
    try:
        result = save()
    except DomainError as error:
        return render_refused(template, form, error, **context)
    message, next_url = done(result)
    flash(message, "success")
    return redirect(next_url)


def confirm_delete(*, what: str, delete: Callable[[], None], done_message: str, done_url: str,
                   cancel_url: str, warning: str | None = None):
    """The delete page: GET asks for confirmation, POST deletes (a refusal is flashed)."""
    if request.method == "GET":
        return render_template("confirm_delete.html", what=what, warning=warning, cancel_url=cancel_url)
    try:
        delete()
    except DomainError as error:
        flash(error.message, "error")
        return redirect(cancel_url)
    flash(done_message, "success")
    return redirect(done_url)
