"""The user's API tokens page: list them, create one (shown once, right away), revoke one."""
from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_fresh
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from planner.api import tokens
from planner.api.models import ApiToken
from planner.core.errors import DomainError
from planner.core.forms import show_domain_error
from planner.core.pages import render_form
from planner.core.permissions import login_required
from planner.extensions import db

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=tokens.MAX_NAME_LENGTH)])


def _page(form: TokenForm, *, new_token: str | None = None, status: int | None = None):
    response, code = render_form("api/tokens.html", form, status=status, tokens=tokens.tokens_of(current_user),
                                 new_token=new_token)
    return response, code, {"Cache-Control": "no-store"}


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def list_tokens():
    """The user's tokens; a POST creates one and shows it on this response only (never stored, never again)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form)
    if not login_fresh():  # a remembered session must confirm the password before minting a credential
        return current_app.login_manager.needs_refresh()
    try:
        _row, token = tokens.create_api_token(current_user, form.name.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _page(form, status=error.status_code)
    return _page(TokenForm(formdata=None), new_token=token, status=201)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    tokens.revoke_api_token(row, current_user)
    flash(_("The token %(prefix)s… no longer works.", prefix=row.prefix), "success")
    return redirect(url_for("api_tokens.list_tokens"))
