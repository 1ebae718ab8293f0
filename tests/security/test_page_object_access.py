"""Another programme's objects through the pages (QUALITY.md item 6), beyond tests/test_access_matrix.py.

The access matrix swaps every id of a URL at once (programme A's URL, all of B's objects). Here each id of a
nested URL is swapped on its own, the others staying the programme's own, so a page that checks its first object
but not its second (a deliverable under a stage, an invitee under a meeting) is caught; and a completeness test
proves every id placeholder of every rule is one the matrix knows, so the matrix's cross-programme test reaches it.
"""
import pytest

from tests.security.helpers import difference, snapshot
from tests.test_access_matrix import (
    _OBJECT_KEYS, MATRIX_METHODS, act_as, app_rules, build_world, csrf_token, exists, fill_url,
)

#: id placeholders of rules outside /programmes/<id>/..., and why no programme applies to them
NOT_IN_A_PROGRAMME = {
    "user_id": "accounts are global; only admins reach /admin/users (access matrix)",
    "message_id": "the mail outbox is global; only admins reach it (access matrix)",
    "token_id": "an API token is its owner's; another user's is 404 (access matrix row api_tokens.revoke_token)",
    "session_id": "/check-in/<session_id> is public by design: the code and an enrolled email are the proof",
}
#: placeholders that are not ids
NOT_IDS = {"fmt", "export_format", "register", "token"}


def test_every_id_placeholder_is_known_to_the_cross_programme_check(app):
    unknown = []
    for rule in app_rules(app):
        for name in rule.arguments - {"programme_id"} - NOT_IDS:
            nested = "programme_id" in rule.arguments
            if nested and name not in _OBJECT_KEYS:
                unknown.append(f"{rule.rule}: <{name}> has no model in _OBJECT_KEYS (test_access_matrix.py)")
            if not nested and name not in NOT_IN_A_PROGRAMME and name not in _OBJECT_KEYS:
                unknown.append(f"{rule.rule}: <{name}> outside a programme; say why in NOT_IN_A_PROGRAMME")
            if not nested and name in _OBJECT_KEYS and name not in NOT_IN_A_PROGRAMME:
                unknown.append(f"{rule.rule}: <{name}> names a programme's object without the programme")
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("role", ["admin", "pm_both"])
def test_each_id_of_a_nested_url_is_checked_on_its_own(app, client, factories, _rolled_back, role):
    """/programmes/A/stages/<A's stage>/deliverables/<B's deliverable>/toggle and the like are 404."""
    world = build_world(factories)
    act_as(client, factories, world, role)
    token = csrf_token(client, True)
    before = snapshot(_rolled_back)
    problems, checked = [], 0
    for rule in app_rules(app):
        keys = sorted(rule.arguments & _OBJECT_KEYS.keys())
        if "programme_id" not in rule.arguments or not keys:
            continue
        for home, foreign in ((world.a, world.b), (world.b, world.a)):
            for key in keys:
                values = {**home.url_values(), key: foreign.url_values()[key]}
                url = fill_url(rule, values)
                for method in sorted(rule.methods & MATRIX_METHODS):
                    response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
                    checked += 1
                    if response.status_code != 404:
                        problems.append(f"{method} {url} ({rule.endpoint}, foreign {key}): {response.status_code}")
                if not exists(app, _OBJECT_KEYS[key], values[key]):
                    problems.append(f"{rule.endpoint} deleted the other programme's {key} {values[key]}")
    effect = difference(before, snapshot(_rolled_back))
    assert not problems, "\n".join(problems)
    assert effect.is_empty(), f"refused requests wrote: {effect.describe()}"
    assert checked > 250, checked
