"""The feedback pages through the test client: the signed page, submitting logged in, the answering list and
item page, the FAQ, a person's link; who may see what, refusals that write nothing, and query counts."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from planner.auth.models import User
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.feedback import links, services
from planner.feedback.models import FeedbackItem, FeedbackLink, FeedbackState
from planner.people.models import Person
from tests.conftest import count_queries, csrf_token_from, form_post
from tests.feedback.helpers import NOW, build, submit


@pytest.fixture
def world(factories, now_is):
    now_is(NOW)
    return build(factories)


def _token(app, person) -> str:
    with app.app_context():
        token = links.feedback_token(db.session.get(Person, person.id))
        db.session.commit()
    return token


def _count(app, model=FeedbackItem) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _answered_and_published(app, programme, person, *, text, answer, faq_question=None):
    with app.app_context():
        item = submit(programme, person, text=text)
        services.answer_feedback(item, answer=answer, answered_by_id=None, expected_version=item.version)
        if faq_question:
            services.publish_to_faq(item, faq_question=faq_question, expected_version=item.version)
        db.session.commit()
        return item.id


# --- the signed page ------------------------------------------------------------------------------------

def test_the_signed_page_shows_the_form_own_items_and_the_faq(app, client, world):
    _answered_and_published(app, world.programme, world.ben, text="Ben asks: is data migrated?",
                            answer="Yes, all open orders.", faq_question="Is our data migrated?")
    _answered_and_published(app, world.programme, world.ana, text="Ana's own question", answer="Ana's answer")
    token = _token(app, world.ana)
    response = client.get(f"/feedback/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hello Ana" in html and "Ana&#39;s own question" in html and "Ana&#39;s answer" in html
    assert "Is our data migrated?" in html and "Yes, all open orders." in html
    assert "Ben asks" not in html and "Ben" not in html
    assert f'<option selected value="{world.north.id}">' in html  # pre-filled with her region
    assert "<script>" not in html and "style=" not in html


def test_submitting_through_the_signed_page(app, client, world):
    token = _token(app, world.ana)
    response = form_post(client, f"/feedback/{token}", {"kind": "feedback", "topic": "training",
                                                        "region_id": str(world.north.id),
                                                        "text": "The training was too fast."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/feedback/{token}")
    with app.app_context():
        item = db.session.scalar(select(FeedbackItem))
        assert (item.person_id, item.user_id, item.kind.value, item.topic.value, item.region_id) == (
            world.ana.id, None, "feedback", "training", world.north.id)
    assert "The training was too fast." in client.get(f"/feedback/{token}").get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {"kind": "question", "topic": "system", "text": ""},
    {"kind": "question", "topic": "system", "text": "x" * (services.MAX_TEXT_LENGTH + 1)},
    {"kind": "rant", "topic": "system", "text": "Hello"},
    {"kind": "question", "topic": "system", "text": "Hello", "region_id": "999999"},
])
def test_a_bad_submission_is_422_and_writes_nothing(app, client, world, data):
    token = _token(app, world.ana)
    response = form_post(client, f"/feedback/{token}", data)
    assert response.status_code == 422
    assert _count(app) == 0


def test_the_daily_limit_is_a_clear_422(app, client, world):
    with app.app_context():
        for n in range(services.MAX_PER_DAY):
            submit(world.programme, world.ana, text=f"Q{n}")
        db.session.commit()
    token = _token(app, world.ana)
    response = form_post(client, f"/feedback/{token}", {"kind": "question", "topic": "system", "text": "One more"})
    assert response.status_code == 422
    assert "last 24 hours" in response.get_data(as_text=True)
    assert _count(app) == services.MAX_PER_DAY


def test_unknown_and_revoked_tokens_are_404(app, client, world):
    token = _token(app, world.ana)
    assert client.get("/feedback/not-a-token").status_code == 404
    with app.app_context():
        links.reset_feedback_link(db.session.get(Person, world.ana.id))
        db.session.commit()
    assert client.get(f"/feedback/{token}").status_code == 404
    assert client.post(f"/feedback/{token}", data={"text": "x"}).status_code in (400, 404)


# --- submitting logged in -------------------------------------------------------------------------------

def test_a_viewer_submits_as_their_person_and_sees_only_their_items(app, client, login_as, world):
    user = login_as("viewer", world.programme)
    with app.app_context():
        db.session.get(User, user.id).person_id = world.ana.id
        db.session.commit()
    _answered_and_published(app, world.programme, world.ben, text="Ben's private question", answer="For Ben")
    url = f"/programmes/{world.programme.id}/feedback/new"
    page = client.get(url)
    assert page.status_code == 200 and "Ben&#39;s private question" not in page.get_data(as_text=True)
    response = form_post(client, url, {"kind": "question", "topic": "go-live", "text": "When do we go live?",
                                       "region_id": str(world.north.id)})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(FeedbackItem).where(FeedbackItem.user_id == user.id))
        assert item.person_id == world.ana.id
    assert "When do we go live?" in client.get(url).get_data(as_text=True)


def test_an_account_without_a_person_submits_as_itself(app, client, login_as, world):
    user = login_as("committee_member", world.programme)
    url = f"/programmes/{world.programme.id}/feedback/new"
    assert form_post(client, url, {"kind": "feedback", "topic": "process", "text": "Good plan"}).status_code == 302
    with app.app_context():
        item = db.session.scalar(select(FeedbackItem))
        assert (item.user_id, item.person_id) == (user.id, None)


def test_an_empty_logged_in_submission_is_422(app, client, login_as, world):
    login_as("viewer", world.programme)
    url = f"/programmes/{world.programme.id}/feedback/new"
    assert form_post(client, url, {}).status_code == 422
    assert _count(app) == 0


# --- the list -------------------------------------------------------------------------------------------

def test_the_list_puts_the_oldest_open_first_and_shows_ages(app, client, login_as, world, now_is):
    from datetime import timedelta
    for days_ago, text in ((3, "three days"), (12, "twelve days"), (1, "one day")):
        now_is(NOW - timedelta(days=days_ago))
        with app.app_context():
            submit(world.programme, world.ana, text=text)
            db.session.commit()
    _answered_and_published(app, world.programme, world.ben, text="answered one", answer="Done")
    now_is(NOW)
    login_as("project_manager", world.programme)
    html = client.get(f"/programmes/{world.programme.id}/feedback").get_data(as_text=True)
    order = [html.index(text) for text in ("twelve days", "three days", "one day", "answered one")]
    assert order == sorted(order)
    assert "Oldest open item: 12 days waiting" in html
    assert "12 days" in html and "Waiting too long" in html and html.count("Waiting too long") == 1
    assert "Ana" in html


def test_the_list_filters(app, client, login_as, world):
    with app.app_context():
        submit(world.programme, world.ana, text="north system", topic="system", region_id=world.north.id)
        submit(world.programme, world.ben, text="south training", topic="training", region_id=world.south.id)
        db.session.commit()
    _answered_and_published(app, world.programme, world.ben, text="south answered", answer="ok")
    login_as("project_manager", world.programme)
    base = f"/programmes/{world.programme.id}/feedback"
    by_region = client.get(f"{base}?region={world.north.id}").get_data(as_text=True)
    assert "north system" in by_region and "south training" not in by_region
    by_topic = client.get(f"{base}?topic=training").get_data(as_text=True)
    assert "south training" in by_topic and "north system" not in by_topic
    answered = client.get(f"{base}?state=answered").get_data(as_text=True)
    assert "south answered" in answered and "north system" not in answered
    assert client.get(f"{base}?state=bogus&topic=bogus&region=abc").status_code == 200


@pytest.mark.parametrize("role, status", [("project_manager", 200), ("committee_member", 200),
                                          ("trainer", 200), ("viewer", 403)])
def test_who_may_read_the_list_and_items(app, client, login_as, world, role, status):
    with app.app_context():
        item_id = submit(world.programme, world.ana).id
        db.session.commit()
    login_as(role, world.programme)
    assert client.get(f"/programmes/{world.programme.id}/feedback").status_code == status
    assert client.get(f"/programmes/{world.programme.id}/feedback/{item_id}").status_code == status


def _fill(app, programme, people, count):
    with app.app_context():
        for n in range(count):
            submit(programme, people[n % len(people)], text=f"item {n}", region_id=None)
        db.session.commit()


def test_the_list_query_count_does_not_grow_with_items(app, client, login_as, factories, world):
    login_as("project_manager", world.programme)
    people = [factories.person(world.programme, f"P{n}", region_id=world.north.id) for n in range(25)]
    _fill(app, world.programme, people[:3], 3)
    url = f"/programmes/{world.programme.id}/feedback"
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    _fill(app, world.programme, people, 27)
    with count_queries(app) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), (len(few), len(many))


# --- answering, closing, publishing ------------------------------------------------------------------------

def _item_url(world, item_id, action=""):
    return f"/programmes/{world.programme.id}/feedback/{item_id}" + (f"/{action}" if action else "")


def _version(client, url) -> tuple[str, str]:
    html = client.get(url).get_data(as_text=True)
    return csrf_token_from(html), re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def test_answering_from_the_item_page_sends_the_email(app, client, login_as, world):
    with app.app_context():
        item_id = submit(world.programme, world.ana).id
        db.session.commit()
    login_as("project_manager", world.programme)
    csrf, version = _version(client, _item_url(world, item_id))
    response = client.post(_item_url(world, item_id, "answer"),
                           data={"csrf_token": csrf, "version": version, "answer": "Use SSO."})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(FeedbackItem, item_id)
        assert item.state is FeedbackState.ANSWERED and item.answer == "Use SSO."
        assert db.session.scalar(select(OutboxMessage.key)) == f"feedback-answer:{item_id}:1"
    html = client.get(_item_url(world, item_id)).get_data(as_text=True)
    assert "Use SSO." in html and "Publish to the FAQ" in html


def test_a_stale_answer_is_409_and_an_empty_one_422_and_nothing_is_sent(app, client, login_as, world):
    with app.app_context():
        item_id = submit(world.programme, world.ana).id
        db.session.commit()
    login_as("project_manager", world.programme)
    csrf, version = _version(client, _item_url(world, item_id))
    stale = client.post(_item_url(world, item_id, "answer"),
                        data={"csrf_token": csrf, "version": str(int(version) - 1), "answer": "Late"})
    assert stale.status_code == 409 and "Someone else changed" in stale.get_data(as_text=True)
    empty = client.post(_item_url(world, item_id, "answer"), data={"csrf_token": csrf, "version": version})
    assert empty.status_code == 422
    assert _count(app, OutboxMessage) == 0
    with app.app_context():
        assert db.session.get(FeedbackItem, item_id).state is FeedbackState.OPEN


def test_a_committee_member_reads_but_may_not_answer(app, client, login_as, world):
    with app.app_context():
        item_id = submit(world.programme, world.ana).id
        db.session.commit()
    login_as("committee_member", world.programme)
    html = client.get(_item_url(world, item_id)).get_data(as_text=True)
    assert "Save and send" not in html and "Close without an answer" not in html
    csrf = csrf_token_from(client.get(f"/programmes/{world.programme.id}/feedback/new").get_data(as_text=True))
    for action in ("answer", "close", "publish"):
        assert client.post(_item_url(world, item_id, action),
                           data={"csrf_token": csrf, "version": "1", "answer": "x",
                                 "faq_question": "x"}).status_code == 403


def test_close_reopen_publish_and_unpublish_from_the_item_page(app, client, login_as, world):
    with app.app_context():
        item_id = submit(world.programme, world.ana, text="Ana: how do I log in?").id
        db.session.commit()
    login_as("project_manager", world.programme)
    page = _item_url(world, item_id)

    def post(action, **data):
        csrf, version = _version(client, page)
        return client.post(_item_url(world, item_id, action), data={"csrf_token": csrf, "version": version, **data})

    assert post("close").status_code == 302
    assert post("close").status_code == 422  # already closed: refused, shown on the page
    assert post("reopen").status_code == 302
    assert post("publish", faq_question="How do I log in?").status_code == 422  # not answered yet
    assert post("answer", answer="With SSO.").status_code == 302
    assert post("publish", faq_question="").status_code == 422
    assert post("publish", faq_question="How do I log in?").status_code == 302
    faq = client.get(f"/programmes/{world.programme.id}/faq").get_data(as_text=True)
    assert "How do I log in?" in faq and "With SSO." in faq and "Ana" not in faq
    assert post("unpublish").status_code == 302
    assert "How do I log in?" not in client.get(f"/programmes/{world.programme.id}/faq").get_data(as_text=True)


def test_the_faq_is_for_every_member_and_names_nobody(app, client, login_as, world):
    _answered_and_published(app, world.programme, world.ana, text="Ana Smith asks about passwords",
                            answer="Reset them in the portal.", faq_question="How do I reset my password?")
    _answered_and_published(app, world.programme, world.ben, text="Unpublished", answer="Private answer")
    login_as("viewer", world.programme)
    response = client.get(f"/programmes/{world.programme.id}/faq")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "How do I reset my password?" in html and "Reset them in the portal." in html
    assert "Ana" not in html and "Private answer" not in html


# --- a person's link ----------------------------------------------------------------------------------------

def test_viewing_a_persons_link_creates_nothing_and_posting_makes_a_new_one(app, client, login_as, world):
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/people/{world.ana.id}/feedback-link"
    page = client.get(url)
    assert page.status_code == 200 and "has no feedback link yet" in page.get_data(as_text=True)
    assert _count(app, FeedbackLink) == 0
    assert form_post(client, url, {}).status_code == 302
    first = re.search(r'value="(http[^"]+/feedback/[^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    assert form_post(client, url, {}).status_code == 302
    second = re.search(r'value="(http[^"]+/feedback/[^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    assert first != second
    assert client.get(urlsplit(first).path).status_code == 404
    assert client.get(urlsplit(second).path).status_code == 200
    assert _count(app, FeedbackLink) == 1


def test_a_deleted_person_leaves_their_items_and_takes_their_link(app, world):
    from planner.people import services as people_services
    token = _token(app, world.ana)
    with app.app_context():
        item_id = submit(world.programme, world.ana).id
        db.session.commit()
        people_services.delete_person(db.session.get(Person, world.ana.id))
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(FeedbackItem, item_id).person_id is None
        assert links.person_for_token(token) is None
        assert db.session.scalar(select(func.count()).select_from(FeedbackLink)) == 0


def test_the_faq_and_the_signed_page_query_counts_do_not_grow(app, client, login_as, factories, world):
    login_as("viewer", world.programme)
    token = _token(app, world.ana)
    people = [factories.person(world.programme, f"Q{n}") for n in range(27)]

    def measure():
        counts = []
        for url in (f"/programmes/{world.programme.id}/faq", f"/feedback/{token}",
                    f"/programmes/{world.programme.id}/feedback/new"):
            client.get(url)
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
        return counts

    for n in range(3):
        _answered_and_published(app, world.programme, world.ana, text=f"own {n}", answer="a",
                                faq_question=f"faq {n}")
    few = measure()
    for n, person in enumerate(people):
        _answered_and_published(app, world.programme, person, text=f"other {n}", answer="a",
                                faq_question=f"faq more {n}")
    with app.app_context():
        for n in range(6):  # nine of her own in all: under the daily limit
            submit(world.programme, world.ana, text=f"more own {n}")
        db.session.commit()
    assert measure() == few


def test_deleting_the_programme_a_region_or_the_answerer_keeps_the_database_whole(app, factories, world):
    from planner.auth import services as auth_services
    from planner.programmes import services as programme_services
    from planner.programmes.models import Programme, Region

    answerer = factories.user()
    admin = factories.user(is_admin=True)
    _token(app, world.ana)
    with app.app_context():
        item = submit(world.programme, world.ana, region_id=world.south.id)
        services.answer_feedback(item, answer="Yes", answered_by_id=answerer.id, expected_version=item.version)
        db.session.commit()
        item_id = item.id
        programme_services.delete_region(db.session.get(Region, world.south.id))
        auth_services.delete_user(db.session.get(User, answerer.id), acting_user=db.session.get(User, admin.id))
        db.session.commit()
        db.session.expire_all()
        item = db.session.get(FeedbackItem, item_id)
        assert (item.region_id, item.answered_by_id, item.answer) == (None, None, "Yes")
        programme_services.delete_programme(db.session.get(Programme, world.programme.id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(FeedbackItem)) == 0
        assert db.session.scalar(select(func.count()).select_from(FeedbackLink)) == 0
