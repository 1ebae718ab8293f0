"""Status-update drafts: generated for an audience, edited (versioned), sent through the outbox and logged,
fulfilling the due status-update occurrence; read-only once sent."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from planner.comms.models import CommunicationLog, StatusUpdate
from planner.core.models import OutboxMessage
from planner.extensions import db
from tests.comms.helpers import make_audience, make_item, send
from tests.conftest import form_post


@pytest.fixture
def world(app, factories, now_is):
    now_is(datetime(2026, 6, 15, 9, tzinfo=UTC))
    programme = factories.programme(regions=["North"])
    factories.person(programme, "Ana")
    factories.person(programme, "Ben")
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    return programme, everyone


def _only(app, model):
    with app.app_context():
        return db.session.scalars(select(model)).one()


def test_draft_edit_send(app, client, login_as, world, now_is):
    programme, everyone = world
    item_id = make_item(app, programme, everyone, planned_on=date(2026, 6, 1), recurrence="FREQ=WEEKLY;INTERVAL=2")
    now_is(datetime(2026, 6, 2, 9, tzinfo=UTC))
    send(app, programme, everyone, item_id=item_id, occurrence_on=date(2026, 6, 1))
    now_is(datetime(2026, 6, 15, 9, tzinfo=UTC))
    login_as("project_manager", programme)
    base = f"/programmes/{programme.id}/status-updates"
    response = form_post(client, base + "/new", {"audience_id": str(everyone)})
    assert response.status_code == 302, response.get_data(as_text=True)
    update = _only(app, StatusUpdate)
    assert update.since == date(2026, 6, 2) and update.body and update.state == "draft"
    edit_url = f"{base}/{update.id}/edit"
    stale = form_post(client, edit_url, {"subject": "Where we stand", "body": "Edited.", "version": "0"})
    assert stale.status_code == 409
    saved = form_post(client, edit_url, {"subject": "Where we stand", "body": "Edited by hand.",
                                         "version": str(update.version)})
    assert saved.status_code == 302
    update = _only(app, StatusUpdate)
    sent = form_post(client, f"{base}/{update.id}/send", {"version": str(update.version)},
                     page_url=f"{base}/{update.id}")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    update = _only(app, StatusUpdate)
    assert update.state == "sent"
    with app.app_context():
        log = db.session.get(CommunicationLog, update.log_id)
        assert (log.item_id, log.occurrence_on, log.subject, log.recipients_count) == (
            item_id, date(2026, 6, 15), "Where we stand", 2)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.key.like(f"comms:{log.id}:%"))) == 2
    # read-only now
    assert client.get(edit_url).status_code == 302
    again = form_post(client, f"{base}/{update.id}/send", {"version": str(update.version)},
                      page_url=f"{base}/{update.id}")
    assert again.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommunicationLog)) == 2


def test_the_first_update_covers_since_the_programme_start(app, client, login_as, world):
    programme, everyone = world
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/status-updates/new", {"audience_id": str(everyone)})
    assert response.status_code == 302
    assert _only(app, StatusUpdate).since == programme.start_date


def test_no_audience_no_draft(app, client, login_as, world):
    programme, _everyone = world
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/status-updates/new", {"audience_id": ""})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StatusUpdate)) == 0


def test_others_read_but_do_not_write(app, client, login_as, world):
    programme, everyone = world
    login_as("committee_member", programme)
    base = f"/programmes/{programme.id}/status-updates"
    assert client.get(base).status_code == 200
    assert client.get(base + "/new").status_code == 403


def test_an_unedited_draft_goes_with_its_html_and_an_edited_one_as_text(app, client, login_as, world):
    import email
    import email.policy

    programme, everyone = world
    login_as("project_manager", programme)
    base = f"/programmes/{programme.id}/status-updates"
    form_post(client, base + "/new", {"audience_id": str(everyone)})
    update = _only(app, StatusUpdate)
    assert "<html" in update.body_html
    same = form_post(client, f"{base}/{update.id}/edit", {"subject": "New subject", "body": update.body,
                                                          "version": str(update.version)})
    assert same.status_code == 302
    update = _only(app, StatusUpdate)
    assert update.body_html  # only the subject changed
    form_post(client, f"{base}/{update.id}/send", {"version": str(update.version)}, page_url=f"{base}/{update.id}")
    with app.app_context():
        contents = db.session.scalars(select(OutboxMessage.content).where(OutboxMessage.kind == "comms")).all()
    assert len(contents) == 2
    for content in contents:
        message = email.message_from_bytes(content, policy=email.policy.default)
        html = message.get_body(("html",)).get_content()
        assert html.index("/feedback/") < html.index("</body>")
        assert "/feedback/" in message.get_body(("plain",)).get_content()

    form_post(client, base + "/new", {"audience_id": str(everyone)})
    with app.app_context():
        draft = db.session.scalars(select(StatusUpdate).where(StatusUpdate.state == "draft")).one()
        draft_id, version, body = draft.id, draft.version, draft.body
    form_post(client, f"{base}/{draft_id}/edit", {"subject": "Edited", "body": body + "\nOne more line.",
                                                  "version": str(version)})
    with app.app_context():
        assert db.session.get(StatusUpdate, draft_id).body_html == ""


def test_an_edit_that_only_changes_line_ends_keeps_the_html(app, client, login_as, world):
    """Browsers post textarea text with CRLF line ends: that is not an edit of the body."""
    programme, everyone = world
    login_as("project_manager", programme)
    base = f"/programmes/{programme.id}/status-updates"
    form_post(client, base + "/new", {"audience_id": str(everyone)})
    update = _only(app, StatusUpdate)
    assert "\n" in update.body and update.body_html
    response = form_post(client, f"{base}/{update.id}/edit", {"subject": update.subject,
                                                              "body": update.body.replace("\n", "\r\n"),
                                                              "version": str(update.version)})
    assert response.status_code == 302
    edited = _only(app, StatusUpdate)
    assert edited.body_html and edited.body == update.body.strip() and "\r" not in edited.body
    form_post(client, f"{base}/{update.id}/edit", {"subject": update.subject,
                                                   "body": "First\r\nSecond\r\n",
                                                   "version": str(edited.version)})
    edited = _only(app, StatusUpdate)
    assert (edited.body, edited.body_html) == ("First\nSecond", "")
