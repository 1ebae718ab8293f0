"""The page scripts send the CSRF token as ``X-CSRFToken`` (QUALITY.md item 3), beyond tests/test_csrf.py: every
``fetch`` that posts sends the header, the roster's tap (the one script that posts) is accepted with the header
alone, and refused without it or with another session's token.
"""
import re
from pathlib import Path

from tests.conftest import csrf_token_from
from tests.training.test_roster import DURING, _marks, _roster

STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"


def test_every_script_that_posts_sends_the_csrf_header():
    posting = []
    for script in sorted(STATIC_JS.glob("*.js")):
        source = script.read_text()
        for match in re.finditer(r"fetch\(", source):
            call = source[match.start():match.start() + 800]
            if re.search(r'method:\s*"(POST|PUT|PATCH|DELETE)"', call, re.IGNORECASE):
                posting.append(script.name)
                assert '"X-CSRFToken"' in call, f"{script.name}: a fetch that posts without X-CSRFToken"
    assert posting == ["roster.js"], posting
    assert not re.search(r"XMLHttpRequest|navigator\.sendBeacon", "".join(
        script.read_text() for script in STATIC_JS.glob("*.js"))), "a request not made with fetch"


def test_the_roster_tap_is_accepted_with_the_header_alone_and_refused_without_it(app, factories, now_is):
    now_is(DURING)
    _s, people, session_id, client, url = _roster(app, factories)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fetch = {"Accept": "application/json", "X-Requested-With": "fetch"}
    mark = {"person_id": str(people[0]), "status": "present", "note": ""}

    assert client.post(f"{url}/marks", data=mark, headers=fetch).status_code == 400
    _other, _people, _session, other_client, other_url = _roster(app, factories)
    stolen = csrf_token_from(other_client.get(other_url).get_data(as_text=True))
    assert client.post(f"{url}/marks", data=mark, headers={**fetch, "X-CSRFToken": stolen}).status_code == 400
    assert _marks(app, session_id) == {}

    accepted = client.post(f"{url}/marks", data=mark, headers={**fetch, "X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["ok"] is True
    assert _marks(app, session_id) == {people[0]: ("present", "")}
