from tests.conftest import form_post


def test_login_and_see_programme(client, login_as, make_programme):
    programme = make_programme("Alpha", regions=["HQ"])
    login_as("project_manager", programme)
    response = client.get("/")
    assert response.status_code == 200
    assert "Alpha" in response.get_data(as_text=True)
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code == 200


def test_create_region_through_form(client, login_as, make_programme):
    programme = make_programme("Beta")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/regions/new"
    response = form_post(client, url, {"name": "Pacific", "tier": "key", "time_zone": "Australia/Sydney",
                                       "headcount": "12", "site_notes": ""})
    assert response.status_code == 302
    assert "Pacific" in client.get(f"/programmes/{programme.id}/regions").get_data(as_text=True)
