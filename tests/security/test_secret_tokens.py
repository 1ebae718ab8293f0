"""Secret-token links and API tokens (QUALITY.md item 9): at least 128 random bits, never stored in plaintext
anywhere in the database, and revocable through the pages. (Logs: test_secret_token_logs.py.)
"""
import math
import re
from base64 import urlsafe_b64decode

from planner.api import tokens as api_tokens
from planner.auth.models import User
from planner.calendar import tokens as feed_tokens
from planner.extensions import db
from planner.training import checkin
from tests.api.helpers import token_for
from tests.conftest import form_post, log_in
from tests.security.helpers import snapshot, tables
from tests.security.secret_tokens import NOT_PLAINTEXT_SECRETS, live_tokens, plaintext_hits, salts
from tests.test_access_matrix import act_as, build_world

SECRET_LOOKING = re.compile(r"salt|token|secret|password|code", re.IGNORECASE)


def _bits_of_token(token: str) -> int:
    return 8 * len(urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def test_every_secret_looking_column_is_known_to_the_scan():
    columns = {(table.name, column.name) for table in tables() for column in table.columns
               if SECRET_LOOKING.search(column.name)}
    unknown = columns - set(salts()) - NOT_PLAINTEXT_SECRETS
    assert not unknown, f"columns that may hold secrets, unknown to tests/security/secret_tokens.py: {unknown}"


def test_every_link_token_comes_from_128_random_bits_and_carries_256(app, factories, _rolled_back):
    world = build_world(factories)
    with app.app_context():
        user = db.session.get(User, world.a.other_user.id)
        again = [feed_tokens.reset_feed_token(user) for _ in range(3)]
        db.session.commit()
    snap = snapshot(_rolled_back)
    for (table, column) in salts():
        values = [row[column] for row in snap[table].values() if row[column]]
        if table != "training_session":
            assert values, f"the world has no {table}.{column}"
        assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in values), f"{table}.{column}: not 128 bits"
        assert len(set(values)) == len(values), f"{table}.{column}: a salt repeats"
    with app.app_context():
        links = live_tokens(snap)
    assert len(links) >= 8
    assert all(_bits_of_token(token) == 256 for token in links), "a link token is not an HMAC-SHA256"
    assert len(set(again)) == 3, "resetting a feed must give a new token each time"

    api_token = token_for(app, factories.user())
    assert api_token.startswith(api_tokens.TOKEN_PREFIX)
    assert _bits_of_token(api_token[len(api_tokens.TOKEN_PREFIX):]) >= 256


def test_the_self_check_in_link_carries_256_bits_from_a_128_bit_salt_and_the_typed_code_is_throttled(app, factories):
    """The QR code's link is the check-in secret (QUALITY.md item 9). The six-character code typed at the short
    address (about 30 bits) is the fallback, accepted only with an enrolled email, within the session's time and
    stopped after MAX_FAILURES guesses per address and email (MAX_FAILURES_PER_ADDRESS per address)."""
    world = build_world(factories)
    token = world.a.tokens["training.checkin_link"]
    assert _bits_of_token(token) == 256
    with app.app_context():
        from planner.training.models import TrainingSession

        session = db.session.get(TrainingSession, world.a.url_values()["session_id"])
        assert re.fullmatch(r"[0-9a-f]{32}", session.checkin_salt)
        assert checkin.checkin_link_token(session) == token and checkin.holds_link(session, token)
        assert not checkin.holds_link(session, checkin.checkin_code(session))
    code_bits = math.log2(len(checkin.CODE_ALPHABET) ** checkin.CODE_LENGTH)
    guesses_per_window = checkin.MAX_FAILURES_PER_ADDRESS
    assert code_bits > 29 and guesses_per_window / 2 ** code_bits < 1e-6, "a guessed code must stay improbable"


def _all_secrets(app, factories, connection):
    """(the world, {every live secret: what it is})."""
    world = build_world(factories)
    with app.app_context():  # a feedback answer emails the person their feedback link
        from planner.feedback import services as feedback_services
        from planner.people.models import Person
        from planner.programmes.models import Programme

        item = feedback_services.submit_feedback(db.session.get(Programme, world.a.programme.id), kind="question",
                                                 topic="system", text="How do I log in?", region_id=None,
                                                 person=db.session.get(Person, world.a.person.id))
        assert feedback_services.answer_feedback(item, answer="With single sign-on.", answered_by_id=None,
                                                 expected_version=item.version)
        db.session.commit()
    api_token = token_for(app, world.a.other_user)
    snap = snapshot(connection)
    with app.app_context():
        secrets = live_tokens(snap)
    secrets[api_token] = "an API token"
    for side in (world.a, world.b):
        secrets.update({token: endpoint for endpoint, token in side.tokens.items()})
    return world, secrets


def test_no_table_holds_a_secret_in_plaintext_not_even_the_mail_outbox(app, factories, _rolled_back):
    """Every column of every row, emails decoded part by part, checked for every live token. The world has queued
    invitations, survey emails and a feedback answer: their links are placeholders, filled in only when sent."""
    world, secrets = _all_secrets(app, factories, _rolled_back)
    snap = snapshot(_rolled_back)
    kinds = {kind for row in snap["outbox_message"].values() for kind, _key in (row["links"] or {}).values()}
    assert kinds == {"rsvp", "survey", "feedback"}, "the world must queue every kind of emailed secret link"
    assert plaintext_hits(snap, secrets) == {}

    planted = next(iter(secrets))
    with app.app_context():
        from planner.programmes.models import Region

        db.session.get(Region, world.a.region.id).site_notes = f"see https://planner.test/rsvp/{planted}"
        db.session.commit()
    assert ("region", "site_notes") in plaintext_hits(snapshot(_rolled_back), secrets), "the scan must see a token"


def test_every_kind_of_link_is_revoked_through_the_pages(app, client, factories):
    world = build_world(factories)
    a = world.a
    anonymous = app.test_client()
    links = {"feed": f"/calendar/{a.tokens['calendar.feed']}.ics", "rsvp": f"/rsvp/{a.tokens['calendar.rsvp']}",
             "feedback": f"/feedback/{a.tokens['feedback.by_token']}",
             "survey": f"/survey/{a.tokens['surveys.answer']}"}
    for name, url in links.items():
        assert anonymous.get(url).status_code == 200, name

    owner = app.test_client()
    log_in(owner, a.other_user.email)  # the feed's owner resets it
    assert form_post(owner, "/me/calendar/reset", {}, page_url="/me/calendar").status_code == 302
    act_as(client, factories, world, "pm")
    programme = f"/programmes/{a.programme.id}"
    values = a.url_values()
    assert form_post(client, f"{programme}/people/{a.person.id}/feedback-link", {}).status_code == 302
    assert form_post(client, f"{programme}/meetings/{values['meeting_id']}/invitees/{values['invitee_id']}/remove",
                     {}, page_url=f"{programme}/meetings/{values['meeting_id']}").status_code == 302
    assert form_post(client, f"{programme}/surveys/{values['survey_id']}/close", {},
                     page_url=f"{programme}/surveys/{values['survey_id']}").status_code == 302
    expected = {"feed": 404, "rsvp": 410, "feedback": 404, "survey": 410}  # 410: the link was real, now gone
    for name, url in links.items():
        assert anonymous.get(url).status_code == expected[name], name

    api_user = factories.user()
    token = token_for(app, api_user)
    headers = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        row = db.session.scalars(db.select(api_tokens.ApiToken).where(api_tokens.ApiToken.user_id == api_user.id)).one()
    user_client = app.test_client()
    log_in(user_client, api_user.email)
    assert form_post(user_client, f"/account/api-tokens/{row.id}/revoke", {},
                     page_url="/account/api-tokens").status_code == 302
    assert anonymous.get("/api/v1/me", headers=headers).status_code == 401
