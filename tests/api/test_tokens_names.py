"""A token's name: no NUL or other control characters (PostgreSQL refuses NUL in text), from the service, the
page and the command alike."""
import pytest
from sqlalchemy import select

from planner.api import tokens
from planner.api.models import ApiToken
from planner.auth.models import User
from planner.core.errors import DomainError
from planner.extensions import db
from tests.conftest import form_post, log_in

BAD_NAMES = ["cron\x00job", "cron\x1fjob", "tab\tname", "\x1f\x1e", "bell\x07", "esc\x1b[31m", "lone \udcff"]


def _names(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ApiToken.name).where(ApiToken.user_id == user.id)))


@pytest.mark.parametrize("name", BAD_NAMES)
def test_service_refuses_control_characters_in_the_name(app, factories, name):
    user = factories.user()
    with app.app_context(), pytest.raises(DomainError) as refused:
        tokens.create_api_token(db.session.get(User, user.id), name)
    assert refused.value.field == "name"
    assert _names(app, user) == []


def test_service_keeps_ordinary_names_with_accents_and_spaces(app, factories):
    user = factories.user()
    with app.app_context():
        row, _token = tokens.create_api_token(db.session.get(User, user.id), " Rapport quotidien – équipe ")
        assert row.name == "Rapport quotidien – équipe"


def test_page_refuses_a_nul_in_the_name_with_422(app, client, factories):
    user = factories.user()
    log_in(client, user.email)
    response = form_post(client, "/account/api-tokens", {"name": "cron\x00job"})
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert _names(app, user) == []


def test_cli_refuses_a_nul_in_the_name_cleanly(app, factories):
    user = factories.user()
    result = app.test_cli_runner().invoke(args=["create-api-token", user.email, "--name", "cron\x00job"])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "control characters" in result.output and "Traceback" not in result.output
    assert _names(app, user) == []
