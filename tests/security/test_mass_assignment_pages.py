"""Mass assignment through the pages (QUALITY.md item 7): the form class is the allow-list.

Every POST form the pages render (found by opening every GET page of programme A as its project manager, then as
an admin for the admin pages, and anonymously for the public ones) is submitted the way a browser would, three
times from the same state, each rolled back: twice as it is (what differs between those two is noise: timestamps,
random salts, ids from a sequence) and once with fields it does not have added: ``role``, ``is_admin``, ``id``,
``programme_id``, ``owner_id``, ``created_by_id`` and every other "who/what owns this" column, pointing at
programme B. The added fields must change nothing: the same status and redirect, and the same rows written (or
the whole submission refused, writing nothing).
POST routes no rendered page offers a form for (state the world is not in) get the added fields with only the CSRF
token, against the same POST without them.
"""
import re
from collections import Counter
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.security.forms import Form, forms_in, path_of
from tests.security.helpers import Effect, compare, difference, snapshot, undone
from tests.test_access_matrix import act_as, app_rules, build_world, fill_url

#: what empty fields are filled with, by input type, so that create forms can be accepted
FILL = {"text": "Probe text", "textarea": "Probe text", "email": "probe@example.com", "date": "2026-06-01",
        "number": "1", "time": "10:00", "url": "https://example.com/probe", "search": "", "tel": "123"}


def mass_assignment_fields(world) -> dict[str, str]:
    """Fields no form offers, naming programme B's objects: none may have any effect."""
    b = world.b.url_values()
    user, person = str(world.b.other_user.id), str(world.b.person.id)
    by_user = {name: user for name in (
        "user_id", "created_by_id", "recorded_by_id", "submitted_by_id", "assessed_by_id", "decided_by_id",
        "rejected_by_id", "implemented_by_id", "answered_by_id", "entered_by_id", "marked_by_id",
        "acknowledged_by_id", "changed_by_id", "organiser_id", "actor_user_id", "trainer_id")}
    return {
        **by_user, "id": str(b["region_id"]), "programme_id": str(world.b.programme.id), "role": "project_manager",
        "is_admin": "y", "is_active": "y", "owner_id": person, "person_id": person, "approved_by_id": person,
        "requester_id": person, "sponsor_id": person, "region_id": str(b["region_id"]),
        "meeting_id": str(b["meeting_id"]), "session_id": str(b["session_id"]), "decision_id": str(b["decision_id"]),
        "occurrence_id": str(b["occurrence_id"]), "committee_id": str(b["meeting_id"]), "created_by": "forged",
        "status": "approved", "state": "answered", "source": "api", "number": "999", "uid": "forged-uid",
        "sequence": "99", "created_at": "2000-01-01T00:00:00", "updated_at": "2000-01-01T00:00:00",
        "password_hash": "forged", "session_token": "forged", "token_hash": "forged", "calendar_salt": "forged",
        "checkin_salt": "forged", "rsvp_salt": "forged", "link_salt": "forged", "salt": "forged",
    }


def _crawl(app, world, clients) -> dict[str, tuple[str, str, Form | None]]:
    """endpoint -> (role, form URL, form) for every POST rule; form None when no page offers one."""
    adapter = app.url_map.bind("planner.test")
    values = world.a.url_values()
    found: dict[str, tuple[str, str, Form | None]] = {}
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        url = fill_url(rule, values)
        for role, client in clients.items():
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in forms_in(response.get_data(as_text=True), f"http://planner.test{url}"):
                try:
                    endpoint, _arguments = adapter.match(urlsplit(form.action).path, method="POST")
                except HTTPException:
                    continue
                found.setdefault(endpoint, (role, path_of(form.action), form))
            break
    for rule in app_rules(app):
        if "POST" in rule.methods and rule.endpoint not in found:
            found[rule.endpoint] = ("pm" if rule.endpoint != "auth.login" else "anonymous",
                                    fill_url(rule, values), None)
    return found


def test_fields_a_form_does_not_have_change_nothing(app, factories, _rolled_back):
    connection = _rolled_back
    world = build_world(factories)
    clients = {"pm": app.test_client(), "admin": app.test_client(), "anonymous": app.test_client()}
    act_as(clients["pm"], factories, world, "pm")
    act_as(clients["admin"], factories, world, "admin")
    found = _crawl(app, world, clients)
    clients["anonymous"].get("/login")
    #: the sessions the crawled forms' CSRF tokens belong to, restored before every submission
    cookies = {role: client.get_cookie("session").value for role, client in clients.items()}
    forged = mass_assignment_fields(world)
    before = snapshot(connection)

    def submit(role: str, url: str, form: Form | None, data: dict):
        client = clients[role]
        client.set_cookie("session", cookies[role])
        with undone(connection):
            multipart = form is not None and form.enctype == "multipart/form-data"
            response = client.post(url, data=data, content_type="multipart/form-data" if multipart else None)
            effect = difference(before, snapshot(connection))
        return response.status_code, response.headers.get("Location"), effect

    problems, outcomes = [], Counter()
    for endpoint, (role, url, form) in sorted(found.items()):
        if form is not None:
            data = form.submission(FILL)
        else:
            page = clients[role].get("/login" if role == "anonymous" else "/")
            data = {"csrf_token": re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                                            page.get_data(as_text=True)).group(1)}
        offered = form.names if form is not None else set(data)
        added = {name: value for name, value in forged.items() if name not in offered}
        first, second = submit(role, url, form, data), submit(role, url, form, data)
        attacked = submit(role, url, form, {**data, **added})
        outcomes[(form is not None, first[0])] += 1
        if attacked[0] >= 400 and attacked[2].is_empty():
            outcomes["refused with the added fields"] += 1
        problems += [f"{endpoint} ({url}): {problem}" for problem in compare(first, second, attacked, added)]
    assert not problems, "\n".join(problems)
    posts = {rule.endpoint for rule in app_rules(app) if "POST" in rule.methods}
    assert set(found) == posts
    accepted = sum(count for key, count in outcomes.items() if key[0] is True and key[1] < 400)
    with_form = sum(count for key, count in outcomes.items() if key[0] is True)
    assert with_form >= 130 and accepted >= 90, dict(outcomes)


def test_the_comparison_catches_a_forged_owner_and_ignores_noise():
    """The check itself: a timestamp that differs between runs is noise, a programme_id that differs is not."""
    def run(updated_at, programme_id, status=302):
        effect = Effect(changed={("region", (1,), "name"): ("Old", "New"),
                                 ("region", (1,), "updated_at"): ("t0", updated_at)},
                        added={"audit_event": [{"id": 9, "programme_id": 1, "occurred_at": updated_at}]})
        if programme_id != 1:
            effect.changed[("region", (1,), "programme_id")] = (1, programme_id)
        return status, "/programmes/1/regions", effect

    first, second = run("t1", 1), run("t2", 1)
    assert compare(first, second, run("t3", 1), {"programme_id": "2"}) == []
    assert compare(first, second, run("t3", 2), {"programme_id": "2"}), "a moved region must be caught"
    assert compare(first, second, run("t3", 1, status=200), {"role": "x"}), "a different answer must be caught"
    refused = (422, None, Effect())
    assert compare(first, second, refused, {"programme_id": "2"}) == []


def test_a_forged_moment_is_caught_although_moments_are_noise():
    from datetime import UTC, datetime

    def run(created_at):
        effect = Effect(added={"region": [{"id": 5, "name": "New", "created_at": created_at}]})
        return 302, "/programmes/1/regions", effect

    now = datetime.now(UTC)
    first, second = run(now), run(now)
    assert compare(first, second, run(now), {"created_at": "2000-01-01T00:00:00"}) == []
    forged = compare(first, second, run(datetime(2000, 1, 1, tzinfo=UTC)), {"created_at": "2000-01-01T00:00:00"})
    assert forged and "forged" in forged[0]
