from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_fresh, login_user, logout_user
from sqlalchemy import select

from planner.auth import bp, services
from planner.auth.forms import AccountForm, ChangePasswordForm, LoginForm, UserForm
from planner.auth.models import User
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import (confirm_delete, page_number, per_page, render_form, render_refused, safe_next_url,
                                save_form)
from planner.core.permissions import Permission, login_required, public, require
from planner.core.transaction import keep_changes
from planner.extensions import db
from planner.people.models import Person


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated and login_fresh():
        return redirect(url_for("programmes.list_programmes"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_form("auth/login.html", form)
    next_url = safe_next_url(request.args.get("next"), url_for("programmes.list_programmes"))
    earlier = current_user._get_current_object() if current_user.is_authenticated else None
    try:
        user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "unknown")
    except DomainError as error:
        keep_changes()  # the failure must be counted even though the login is refused
        return render_refused("auth/login.html", form, error)
    if earlier is not None:  # logging in again (a fresh login asked for): this browser's earlier login ends
        services.end_login_session(earlier)
    session.clear()  # no session fixation: a fresh session for the logged-in user
    services.start_login_session(user, remember=form.remember.data)
    login_user(user, remember=form.remember.data)
    if not form.remember.data:
        session["_remember"] = "clear"  # a remember-me cookie of an earlier login goes too
    return redirect(next_url)


def _log_out() -> None:
    """End this browser's login: the session emptied, then Flask-Login told, so that it also deletes the
    remember-me cookie (emptying the session afterwards would drop that order)."""
    session.clear()
    logout_user()


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        services.end_login_session(current_user)
    _log_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    return save_form("auth/account.html", form,
                     lambda: services.set_preferred_language(current_user, form.preferred_language.data),
                     done=lambda _result: (_("Your settings are saved."), url_for("auth.account")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@fresh_login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_form("auth/change_password.html", form)
    try:
        services.change_password(current_user, form.current_password.data, form.new_password.data)
    except DomainError as error:
        return render_refused("auth/change_password.html", form, error)
    login_user(current_user._get_current_object())  # this device carries on, with the new login's id
    session["_remember"] = "clear"  # the remember-me cookie named a login that has ended
    flash(_("Your password is changed. Other devices have been logged out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    services.log_out_everywhere(current_user)
    _log_out()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"))


# --- administration of accounts -------------------------------------------------------------

def _person_choices(email: str | None):
    people = []
    if email:
        people = db.session.scalars(select(Person).where(Person.email == services.normalise_email(email))
                                    .order_by(Person.id)).all()
    return as_choices([("", _("No linked person"))]
                      + [(p.id, f"{p.full_name} ({p.programme.name})") for p in people])


def _load_user(user_id: int) -> User:
    require(Permission.USERS_MANAGE)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users")
@login_required
def list_users():
    require(Permission.USERS_MANAGE)
    query = select(User).order_by(User.email)
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(User.email.contains(search.lower(), autoescape=True))
    users = db.paginate(query, page=page_number(), per_page=per_page(), error_out=False)
    return render_template("auth/users.html", users=users, search=search)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
@fresh_login_required  # accounts and admin rights: a remembered session confirms the password
def create_user():
    require(Permission.USERS_MANAGE)
    form = UserForm()
    form.person_id.choices = _person_choices(form.email.data)
    return save_form(
        "auth/user_form.html", form,
        lambda: services.create_user(form.email.data, form.new_password.data or "", is_admin=form.is_admin.data,
                                     is_active=form.is_active.data,
                                     preferred_language=form.preferred_language.data,
                                     person_id=form.person_id.data),
        done=lambda user: (_("Account %(email)s created. Now give it a role in a programme.", email=user.email),
                           url_for("auth.list_users")),
        user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@fresh_login_required  # accounts and admin rights: a remembered session confirms the password
def edit_user(user_id: int):
    user = _load_user(user_id)
    form = UserForm(obj=user)
    form.person_id.choices = _person_choices(form.email.data or user.email)
    return save_form(
        "auth/user_form.html", form,
        lambda: services.update_user(user, acting_user=current_user, expected_version=form.expected_version(),
                                     email=form.email.data, is_admin=form.is_admin.data,
                                     is_active=form.is_active.data,
                                     preferred_language=form.preferred_language.data,
                                     person_id=form.person_id.data, new_password=form.new_password.data or ""),
        done=lambda _result: (_("Account %(email)s saved.", email=user.email), url_for("auth.list_users")),
        user=user)


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@login_required
@fresh_login_required  # accounts and admin rights: a remembered session confirms the password
def delete_user(user_id: int):
    user = _load_user(user_id)
    back = url_for("auth.list_users")
    return confirm_delete(what=user.email, delete=lambda: services.delete_user(user, acting_user=current_user),
                          done_message=_("Account %(email)s deleted.", email=user.email), done_url=back,
                          cancel_url=back)
