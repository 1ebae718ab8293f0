"""Defects per region: reporting, filtering, closing."""
from datetime import date

from sqlalchemy import select

from planner.extensions import db
from planner.rollout.models import Defect
from tests.conftest import form_post
from tests.rollout.helpers import (
    IN_TRIAL,
    add_defect,
    pilot_and_key,
    pin_today,
    region_ids,
)


def test_report_a_defect_in_a_region(app, client, login_as, make_programme, monkeypatch):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    ids = region_ids(app, programme)
    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/defects/new"

    page = client.get(f"{url}?region={ids['HQ']}").get_data(as_text=True)
    assert 'value="2026-10-12"' in page  # found today, unless told otherwise
    assert f'<option selected value="{ids["HQ"]}">HQ</option>' in page

    response = form_post(client, url, {"region_id": str(ids["HQ"]), "title": "Offline sync loses notes",
                                       "severity": "critical", "opened_on": "2026-10-09"})
    assert response.status_code == 302
    with app.app_context():
        defect = db.session.scalar(select(Defect).where(Defect.programme_id == programme.id))
        assert (defect.region_id, defect.title, defect.severity.value, defect.opened_on, defect.closed_on) == (
            ids["HQ"], "Offline sync loses notes", "critical", date(2026, 10, 9), None)

    other = make_programme(regions=["Elsewhere"])
    foreign = region_ids(app, other)["Elsewhere"]
    refused = form_post(client, url, {"region_id": str(foreign), "title": "Not ours", "severity": "low",
                                      "opened_on": "2026-10-09"})
    assert refused.status_code == 422


def test_defects_are_filtered_by_region_and_state_and_closed_today(app, client, login_as, make_programme,
                                                                    monkeypatch):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    ids = region_ids(app, programme)
    add_defect(app, programme, "HQ", title="HQ open")
    fixed = add_defect(app, programme, "HQ", title="HQ fixed")
    add_defect(app, programme, "North", title="North open")
    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/defects"

    closed = form_post(client, f"{url}/{fixed}/close", {}, page_url=url)
    assert closed.status_code == 302
    with app.app_context():
        assert db.session.get(Defect, fixed).closed_on == IN_TRIAL

    def listed(query: str = "") -> set[str]:
        page = client.get(f"{url}{query}").get_data(as_text=True)
        return {title for title in ("HQ open", "HQ fixed", "North open") if f"<td>{title}</td>" in page}

    assert listed() == {"HQ open", "North open"}
    assert listed(f"?region={ids['HQ']}") == {"HQ open"}
    assert listed("?state=closed") == {"HQ fixed"}
    assert listed(f"?state=all&region={ids['HQ']}") == {"HQ open", "HQ fixed"}

    again = form_post(client, f"{url}/{fixed}/close", {}, page_url=url)
    assert again.status_code == 302
    assert "This defect is already closed." in client.get(url).get_data(as_text=True)


def test_viewers_see_defects_without_actions(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    add_defect(app, programme, "HQ", title="HQ open")
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/defects").get_data(as_text=True)
    assert "HQ open" in page
    assert "/close" not in page and "/defects/new" not in page
