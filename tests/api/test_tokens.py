"""Personal API tokens: made by the service, the page and the command; stored hashed; only a Bearer token
authenticates an API call."""
import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from planner.api import tokens
from planner.api.models import ApiToken
from planner.auth.models import User
from planner.core.models import AuditEvent
from planner.extensions import db
from tests.api.helpers import API, assert_error, token_for
from tests.conftest import csrf_token_from, form_post, log_in

NOW = datetime(2026, 9, 18, 9, 0, tzinfo=UTC)


def _rows_of(app, user) -> list[ApiToken]:
    with app.app_context():
        return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()


def test_service_stores_only_the_hash_and_a_display_prefix(app, factories):
    user = factories.user()
    with app.app_context():
        row, token = tokens.create_api_token(db.session.get(User, user.id), "  nightly report  ")
        db.session.commit()
        assert token.startswith("rpt_") and len(token) >= 4 + 43  # 256 random bits
        assert row.name == "nightly report"
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.prefix == token[:10] and token not in (row.prefix, row.token_hash)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "ApiToken"))
        assert event.action == "create" and "token_hash" not in event.changes
        assert token not in str(event.changes)
        _other_row, other = tokens.create_api_token(db.session.get(User, user.id), "second")
        assert other != token


def test_a_token_needs_a_name(app, factories):
    import pytest

    from planner.core.errors import DomainError

    user = factories.user()
    with app.app_context(), pytest.raises(DomainError) as refused:
        tokens.create_api_token(db.session.get(User, user.id), "   ")
    assert refused.value.field == "name"


def test_token_authenticates_and_last_used_is_written_at_most_once_a_minute(app, client, factories, now_is):
    user = factories.user()
    token = token_for(app, user)
    now_is(NOW)
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["email"] == user.email
    assert "Set-Cookie" not in response.headers
    assert _rows_of(app, user)[0].last_used_at == NOW
    now_is(NOW + timedelta(seconds=30))
    client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert _rows_of(app, user)[0].last_used_at == NOW
    now_is(NOW + timedelta(minutes=2))
    client.get(f"{API}/me", headers={"Authorization": f"bearer {token}"})
    assert _rows_of(app, user)[0].last_used_at == NOW + timedelta(minutes=2)


def test_revoked_token_unknown_token_and_inactive_user_get_401(app, client, factories):
    user = factories.user()
    token = token_for(app, user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    for bad in ("Bearer rpt_nothing", "Bearer", "Basic abc", f"Token {token}", "Bearer " + "x" * 500):
        response = client.get(f"{API}/me", headers={"Authorization": bad})
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context():
        tokens.revoke_api_token(db.session.get(ApiToken, _rows_of(app, user)[0].id), db.session.get(User, user.id))
        db.session.commit()
    assert_error(client.get(f"{API}/me", headers=headers), 401)
    second = token_for(app, user)
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert_error(client.get(f"{API}/me", headers={"Authorization": f"Bearer {second}"}), 401)


def test_a_session_cookie_alone_does_not_authenticate_the_api(app, client, factories):
    user = factories.user()
    log_in(client, user.email)
    assert client.get("/account").status_code == 200
    response = client.get(f"{API}/me")
    assert_error(response, 401)
    assert "Set-Cookie" not in response.headers
    # and with a cookie of one user and a token of another, the token decides
    other = factories.user()
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token_for(app, other)}"})
    assert response.get_json()["email"] == other.email
    assert "Set-Cookie" not in response.headers


def test_a_token_needs_no_csrf_token(app, client, make_programme, factories):
    programme = make_programme()
    user = factories.user_with_role("project_manager", programme)
    response = client.post(f"{API}/programmes/{programme.id}/regions", json={"name": "Nordic",
                                                                            "time_zone": "Europe/Oslo"},
                           headers={"Authorization": f"Bearer {token_for(app, user)}"})
    assert response.status_code == 201, response.get_json()


def test_page_creates_a_token_shown_once_that_works(app, client, factories):
    user = factories.user()
    log_in(client, user.email)
    response = form_post(client, "/account/api-tokens", {"name": "Reporting script"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'value="(rpt_[^"]+)"', response.get_data(as_text=True)).group(1)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Reporting script" in page and token[:10] in page and token not in page
    assert _rows_of(app, user)[0].last_used_at is not None


def test_page_refuses_an_empty_name_and_needs_csrf(app, client, factories):
    user = factories.user()
    log_in(client, user.email)
    assert form_post(client, "/account/api-tokens", {"name": "  "}).status_code == 422
    assert client.post("/account/api-tokens", data={"name": "no csrf"}).status_code == 400
    assert _rows_of(app, user) == []


def test_page_revokes_own_token_and_another_users_token_is_404(app, client, factories):
    owner, other = factories.user(), factories.user()
    mine, theirs = token_for(app, owner), token_for(app, other)
    log_in(client, owner.email)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    csrf = csrf_token_from(page)
    their_row = _rows_of(app, other)[0]
    assert client.post(f"/account/api-tokens/{their_row.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {theirs}"}).status_code == 200
    my_row = _rows_of(app, owner)[0]
    response = client.post(f"/account/api-tokens/{my_row.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {mine}"}).status_code == 401
    assert "Revoked" in client.get("/account/api-tokens").get_data(as_text=True)


def test_cli_prints_a_working_token_as_the_last_word(app, client, factories):
    user = factories.user()
    result = app.test_cli_runner().invoke(args=["create-api-token", user.email.upper(), "--name", "cron"])
    assert result.exit_code == 0, result.output
    token = result.output.split()[-1]
    assert token.startswith("rpt_")
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).get_json()["id"] == user.id
    assert _rows_of(app, user)[0].name == "cron"
    refused = app.test_cli_runner().invoke(args=["create-api-token", "nobody@example.com"])
    assert refused.exit_code != 0 and "No active user" in refused.output


def test_me_lists_roles_and_the_feed_url_only_once_it_exists(app, client, make_programme, factories):
    from planner.calendar.tokens import reset_feed_token

    programme = make_programme()
    user = factories.user_with_role("viewer", programme)
    headers = {"Authorization": f"Bearer {token_for(app, user)}"}
    body = client.get(f"{API}/me", headers=headers).get_json()
    assert body["memberships"] == [{"programme_id": programme.id, "programme_name": programme.name,
                                    "role": "viewer"}]
    assert body["calendar_feed_url"] is None and body["is_admin"] is False
    with app.app_context():
        assert db.session.get(User, user.id).calendar_salt is None  # reading /me created nothing
        feed = reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
    body = client.get(f"{API}/me", headers=headers).get_json()
    assert body["calendar_feed_url"].endswith(f"/{feed}.ics") or feed in body["calendar_feed_url"]
    assert body["calendar_feed_webcal_url"].startswith("webcal://")
