"""Every evidence link the demo's health page shows a role opens for that role (issue 8 review: links to pages the
reader may not open answered 403)."""
import re
from html import unescape

from sqlalchemy import select

from planner.extensions import db
from planner.programmes.models import Programme
from tests.conftest import log_in
from tests.test_demo import DEFAULT_PASSWORD, _rolled_back  # noqa: F401  (fixture: this test owns its database)

EVIDENCE = re.compile(r'<ul class="evidence">(.*?)</ul>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def test_every_evidence_link_shown_to_a_role_opens_for_it(demo_app):
    app = demo_app
    with app.app_context():
        programme_id = db.session.scalars(select(Programme.id)).one()
        db.session.rollback()
    shown_somewhere = 0
    for email in ("pm@example.com", "chair@example.com", "trainer@example.com", "viewer@example.com"):
        client = app.test_client()
        log_in(client, email, DEFAULT_PASSWORD)
        html = client.get(f"/programmes/{programme_id}/health").get_data(as_text=True)
        links = {unescape(url) for block in EVIDENCE.findall(html) for url in HREF.findall(block)}
        shown_somewhere += len(links)
        refused = {url: client.get(url).status_code for url in sorted(links)}
        refused = {url: status for url, status in refused.items() if status != 200}
        assert not refused, (email, refused)
    assert shown_somewhere, "the demo's health page shows no evidence links at all"
