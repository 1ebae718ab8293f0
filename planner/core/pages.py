"""Small helpers views share: safe redirects, pagination arguments, re-rendering a refused form."""
from urllib.parse import urlsplit

from flask import current_app, render_template, request

from planner.core.errors import DomainError
from planner.core.forms import show_domain_error


def safe_next_url(target: str | None, fallback: str) -> str:
    """A local path to go to after login; anything pointing off-site falls back."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def per_page() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


def render_form(template: str, form, status: int | None = None, **context):
    """Render a form page; a submitted form with errors answers 422 so its writes roll back."""
    if status is None:
        status = 422 if form.errors or getattr(form, "form_errors", None) else 200
    return render_template(template, form=form, **context), status


def render_refused(template: str, form, error: DomainError, **context):
    """Re-render a form with the service's refusal shown; the request's writes roll back."""
    show_domain_error(form, error)
    return render_template(template, form=form, **context), error.status_code
