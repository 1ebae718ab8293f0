"""Admins create, edit and delete accounts and give roles in programmes."""
from sqlalchemy import select

from planner.auth.models import User
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Membership
from tests.conftest import PASSWORD, form_post, log_in


def test_admin_creates_a_user_who_can_log_in(client, app, login_as):
    login_as("admin")
    response = form_post(client, "/admin/users/new", {
        "email": "New.Person@Example.com", "new_password": "a long enough password", "is_active": "y",
        "preferred_language": "", "person_id": ""})
    assert response.status_code == 302
    log_in(app.test_client(), "new.person@example.com", password="a long enough password")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "User",
                                                           AuditEvent.action == "create")
                                  .order_by(AuditEvent.id.desc()))
        assert event.changes["email"] == [None, "new.person@example.com"]
        assert "password_hash" not in event.changes


def test_new_user_needs_a_password_and_a_unique_email(client, app, login_as, make_user):
    login_as("admin")
    existing = make_user()
    no_password = form_post(client, "/admin/users/new", {"email": "x@example.com", "new_password": "",
                                                         "preferred_language": "", "person_id": ""})
    assert no_password.status_code == 422
    assert "needs a password" in no_password.get_data(as_text=True)
    duplicate = form_post(client, "/admin/users/new", {"email": existing.email.upper(),
                                                       "new_password": "another long password",
                                                       "preferred_language": "", "person_id": ""})
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_admin_cannot_remove_own_admin_rights(client, app, login_as):
    admin = login_as("admin")
    url = f"/admin/users/{admin.id}/edit"
    with app.app_context():
        version = db.session.get(User, admin.id).version
    response = form_post(client, url, {"email": admin.email, "new_password": "", "is_active": "y",
                                       "preferred_language": "", "person_id": "", "version": str(version)})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, admin.id).is_admin


def test_admin_deletes_a_user_with_memberships(client, app, login_as, make_user, make_programme, factories):
    login_as("admin")
    programme = make_programme()
    victim = make_user()
    factories.grant(victim, programme, "viewer")
    assert client.get(f"/admin/users/{victim.id}/delete").status_code == 200
    assert form_post(client, f"/admin/users/{victim.id}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(User, victim.id) is None
        assert db.session.scalar(select(Membership).where(Membership.user_id == victim.id)) is None


def test_non_admin_cannot_manage_users(client, login_as, make_programme):
    login_as("project_manager", make_programme())
    assert client.get("/admin/users").status_code == 403


def test_project_manager_grants_and_revokes_roles(client, app, login_as, make_programme, make_user):
    programme = make_programme()
    pm = login_as("project_manager", programme)
    colleague = make_user()
    url = f"/programmes/{programme.id}/members"
    assert form_post(client, url, {"user_id": str(colleague.id), "role": "trainer"}).status_code == 302
    again = form_post(client, url, {"user_id": str(colleague.id), "role": "trainer"})
    assert again.status_code == 422
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.user_id == colleague.id))
        own = db.session.scalar(select(Membership).where(Membership.user_id == pm.id))
    assert form_post(client, f"{url}/{membership.id}/delete", {}, page_url=url).status_code == 302
    refused = form_post(client, f"{url}/{own.id}/delete", {}, page_url=url)
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Membership, membership.id) is None
        assert db.session.get(Membership, own.id) is not None  # cannot drop their own PM role


def test_user_changes_own_language(client, app, make_user):
    user = make_user()
    log_in(client, user.email)
    assert form_post(client, "/account", {"preferred_language": "en"}).status_code == 302
    bogus = form_post(client, "/account", {"preferred_language": "xx"})
    assert bogus.status_code == 422
    with app.app_context():
        assert db.session.get(User, user.id).preferred_language == "en"


def test_create_user_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "cli.admin@example.com", "--admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Created admin user cli.admin@example.com" in result.output
    short = runner.invoke(args=["create-user", "cli.short@example.com", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 12" in short.output
