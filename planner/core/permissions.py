"""Who may do what: one role -> permission table and one ``require()`` check.

Every view declares its access with ``@public`` or ``@login_required`` (both set ``view.access``);
an undeclared view is refused at run time and fails the access-matrix test. Inside a view,
``require(permission, programme)`` checks the current user against the programme the object
belongs to: a user with no role in that programme gets 404 (its objects are not theirs to know
of), a user whose role lacks the permission gets 403. Global admins may do everything.
"""
import enum

from flask import Flask, abort, g, has_request_context, request
from flask_login import current_user
from flask_login import login_required as flask_login_required
from sqlalchemy import select

from planner.extensions import db, login_manager


class Role(enum.StrEnum):
    PROJECT_MANAGER = "project_manager"
    COMMITTEE_MEMBER = "committee_member"
    TRAINER = "trainer"
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    # global: only admins
    PROGRAMME_CREATE = "programme.create"
    USERS_MANAGE = "users.manage"
    #: the mail outbox: what was sent, what failed, retrying it
    MAIL_MANAGE = "mail.manage"
    # per programme
    PROGRAMME_VIEW = "programme.view"
    PROGRAMME_EDIT = "programme.edit"
    PROGRAMME_DELETE = "programme.delete"
    STRUCTURE_EDIT = "structure.edit"  # regions and departments
    PEOPLE_VIEW = "people.view"
    PEOPLE_EDIT = "people.edit"
    PEOPLE_EXPORT = "people.export"
    MEMBERS_MANAGE = "members.manage"
    AUDIT_VIEW = "audit.view"
    PLAN_EDIT = "plan.edit"  # stages, gates, goals, waves, defects, calendar, milestones, dependencies
    #: minutes, attendance, decisions and action items of committee meetings
    DECISIONS_RECORD = "decisions.record"
    #: the committee's members and settings, meetings, agendas and invitations
    MEETINGS_MANAGE = "meetings.manage"
    #: courses, requirements, sessions and enrolment
    TRAINING_MANAGE = "training.manage"
    #: taking attendance; a trainer only for the sessions they give (checked on the session)
    ATTENDANCE_MARK = "attendance.mark"
    #: audiences, the communication plan, its log and status updates
    COMMS_MANAGE = "comms.manage"
    #: answering questions and feedback, and publishing answers to the FAQ
    FEEDBACK_ANSWER = "feedback.answer"
    #: raising a change request (deciding one is DECISIONS_RECORD, in a committee meeting)
    CHANGES_SUBMIT = "changes.submit"
    #: assessing, implementing and rejecting change requests
    CHANGES_MANAGE = "changes.manage"
    #: readiness surveys, adoption figures and super-users
    ADOPTION_MANAGE = "adoption.manage"
    #: the risk register: recording, editing, reviewing and deleting risks (committee members read it)
    RISKS_MANAGE = "risks.manage"


GLOBAL_PERMISSIONS = frozenset({Permission.PROGRAMME_CREATE, Permission.USERS_MANAGE, Permission.MAIL_MANAGE})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PROJECT_MANAGER: frozenset({
        Permission.PROGRAMME_VIEW, Permission.PROGRAMME_EDIT, Permission.STRUCTURE_EDIT,
        Permission.PEOPLE_VIEW, Permission.PEOPLE_EDIT, Permission.PEOPLE_EXPORT,
        Permission.MEMBERS_MANAGE, Permission.AUDIT_VIEW, Permission.PLAN_EDIT, Permission.DECISIONS_RECORD,
        Permission.MEETINGS_MANAGE, Permission.TRAINING_MANAGE, Permission.ATTENDANCE_MARK,
        Permission.COMMS_MANAGE, Permission.FEEDBACK_ANSWER, Permission.CHANGES_SUBMIT, Permission.CHANGES_MANAGE,
        Permission.ADOPTION_MANAGE, Permission.RISKS_MANAGE,
    }),
    Role.COMMITTEE_MEMBER: frozenset({Permission.PROGRAMME_VIEW, Permission.PEOPLE_VIEW,
                                      Permission.DECISIONS_RECORD, Permission.CHANGES_SUBMIT}),
    Role.TRAINER: frozenset({Permission.PROGRAMME_VIEW, Permission.PEOPLE_VIEW, Permission.ATTENDANCE_MARK}),
    Role.VIEWER: frozenset({Permission.PROGRAMME_VIEW}),
}


def roles_in(user, programme_id: int) -> set[Role]:
    """The roles ``user`` holds in one programme (empty for anonymous users).

    Remembered for the rest of the request: a page asks several times (navigation, buttons).
    """
    if not user.is_authenticated:
        return set()
    from planner.programmes.models import Membership

    cache = g.setdefault("roles_cache", {}) if has_request_context() else {}
    key = (user.id, programme_id)
    if key not in cache:
        rows = db.session.scalars(select(Membership.role).where(Membership.user_id == user.id,
                                                                Membership.programme_id == programme_id))
        cache[key] = frozenset(Role(role) for role in rows)
    return set(cache[key])


def permissions_in(user, programme_id: int) -> frozenset[Permission]:
    """Everything ``user`` may do in one programme."""
    if user.is_authenticated and user.is_admin:
        return frozenset(Permission)
    granted: set[Permission] = set()
    for role in roles_in(user, programme_id):
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def can(permission: Permission, programme=None) -> bool:
    """True when the current user may do ``permission`` (in ``programme``, for per-programme ones)."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_admin:
        return True
    if permission in GLOBAL_PERMISSIONS or programme is None:
        return False
    return permission in permissions_in(current_user, programme.id)


def require(permission: Permission, programme=None) -> None:
    """Abort unless the current user may do ``permission``; 404 when the programme is not theirs."""
    if not current_user.is_authenticated:
        abort(401)
    if current_user.is_admin:
        return
    if permission in GLOBAL_PERMISSIONS or programme is None:
        abort(403)
    granted = permissions_in(current_user, programme.id)
    if not granted:
        abort(404)
    if permission not in granted:
        abort(403)


def public(view):
    """Mark a view as reachable without logging in."""
    view.access = "public"
    return view


def login_required(view):
    """Mark a view as needing a logged-in user; the view then calls ``require()`` itself."""
    wrapped = flask_login_required(view)
    wrapped.access = "login"
    return wrapped


#: endpoints provided by Flask itself rather than by our views
BUILTIN_ENDPOINTS = frozenset({"static"})


def register_access_guard(app: Flask) -> None:
    """Refuse any endpoint whose view did not declare its access (fail closed)."""

    @app.before_request
    def refuse_undeclared():
        endpoint = request.endpoint
        if endpoint is None or endpoint in BUILTIN_ENDPOINTS:
            return None
        view = app.view_functions.get(endpoint)
        if getattr(view, "access", None) not in ("public", "login"):
            app.logger.error("Endpoint %s declares no access rule; refusing", endpoint)
            abort(403)
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        from planner.core.errors import error_response, wants_json

        if wants_json():
            return error_response(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
