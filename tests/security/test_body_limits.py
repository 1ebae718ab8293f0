"""Request bodies are limited (QUALITY.md item 11): MAX_CONTENT_LENGTH is set in every configuration, and a body over
it gets 413 with a clear page (or the API's JSON error) on every upload form the pages render, every other POST
route, and every write operation of the API, also when the body comes chunked without a length. Nothing is written.
"""
import io
from urllib.parse import urlencode, urlsplit


from werkzeug.exceptions import HTTPException

from planner.config import CONFIGS
from tests.api.helpers import token_for
from tests.security import api_sweep
from tests.security.api_world import ApiWorld
from tests.security.forms import forms_in, path_of
from tests.security.helpers import difference, snapshot
from tests.test_access_matrix import act_as, app_rules, build_world, csrf_token, fill_url

LIMIT = 5 * 1024 * 1024
TITLE, MESSAGE = "Too large", "larger than the planner accepts (5 MB)"


def test_every_configuration_limits_request_bodies(app):
    for name, config in CONFIGS.items():
        assert config.MAX_CONTENT_LENGTH == LIMIT, name
    assert app.config["MAX_CONTENT_LENGTH"] == LIMIT


def _multipart(fields: dict[str, str], file_field: str, size: int) -> tuple[bytes, str]:
    """A multipart body built by hand (the test client would spool a large file to a file it never closes)."""
    parts = [f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--B\r\nContent-Disposition: form-data; name="{file_field}"; filename="big.csv"\r\n'
                 "Content-Type: text/csv\r\n\r\n".encode() + b"a,b\n" * (size // 4) + b"\r\n--B--\r\n")
    return b"".join(parts), "multipart/form-data; boundary=B"


def _is_413_page(response) -> bool:
    text = response.get_data(as_text=True)
    return response.status_code == 413 and response.mimetype == "text/html" and TITLE in text and MESSAGE in text


def test_every_upload_form_answers_an_oversized_file_with_the_413_page(app, client, factories, _rolled_back):
    world = build_world(factories)
    act_as(client, factories, world, "pm")
    adapter = app.url_map.bind("planner.test")
    uploads = {}
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        url = fill_url(rule, world.a.url_values())
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in forms_in(response.get_data(as_text=True), f"http://planner.test{url}"):
            files = [field.name for field in form.fields if field.kind == "file"]
            if files:
                try:
                    endpoint, _arguments = adapter.match(urlsplit(form.action).path, method="POST")
                except HTTPException:
                    continue
                uploads[endpoint] = (path_of(form.action), form, files[0])
    assert {"people.import_people", "adoption.import_figures", "calendar.upload_reply"} <= set(uploads), uploads
    problems = []
    before = snapshot(_rolled_back)
    for endpoint, (url, form, file_field) in sorted(uploads.items()):
        fields = {field.name: field.value for field in form.fields if field.kind == "hidden"}
        body, content_type = _multipart(fields, file_field, LIMIT + 1024)
        response = client.post(url, data=body, content_type=content_type)
        if not _is_413_page(response):
            problems.append(f"{endpoint}: {response.status_code} {response.mimetype}")
        small, small_type = _multipart(fields, file_field, 1024)
        if client.post(url, data=small, content_type=small_type).status_code == 413:
            problems.append(f"{endpoint}: a small file was refused as too large")
    assert not problems, "\n".join(problems)
    assert not difference(before, snapshot(_rolled_back)).added.get("person"), "an oversized import wrote people"


def test_every_post_route_answers_an_oversized_form_with_413_and_writes_nothing(app, client, factories,
                                                                               _rolled_back):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    token = csrf_token(client, True)
    big = "x" * (LIMIT + 1)
    before = snapshot(_rolled_back)
    problems, checked = [], 0
    for rule in app_rules(app):
        if "POST" not in rule.methods:
            continue
        url = fill_url(rule, world.a.url_values())
        response = client.post(url, data={"csrf_token": token, "text": big})
        checked += 1
        if not _is_413_page(response):
            problems.append(f"POST {url} ({rule.endpoint}): {response.status_code}")
    assert not problems, "\n".join(problems)
    assert checked > 140, checked
    assert difference(before, snapshot(_rolled_back)).is_empty()


def _api_url(api: ApiWorld, op) -> str:
    return op.url(programme_id=api.a, item_id=api.item(op, api.a)) if op.resource else op.url(programme_id=api.a)


def test_every_api_write_that_takes_a_body_answers_an_oversized_one_with_413(app, factories, _rolled_back):
    api = ApiWorld(app, factories, _rolled_back)
    admin = {"Authorization": f"Bearer {token_for(app, factories.user(is_admin=True))}"}  # never refused for role
    big = b'{"name": "' + b"x" * (LIMIT + 1) + b'"}'
    before = api.snapshot()
    problems, checked = [], 0
    for op in api_sweep.operations(app):
        if op.body_schema is None:
            continue
        response, effect = api.call_undone_raw(op, _api_url(api, op), data=big, before=before, headers=admin)
        checked += 1
        body = response.get_json(silent=True) or {}
        if response.status_code != 413 or body.get("error") != TITLE or "fields" not in body:
            problems.append(f"{op}: {response.status_code} {body}")
        if not effect.is_empty():
            problems.append(f"{op} wrote: {effect.describe()}")
    assert not problems, "\n".join(problems)
    assert checked >= 30, checked


def test_every_api_write_without_a_body_refuses_an_oversized_one(app, factories, _rolled_back):
    api = ApiWorld(app, factories, _rolled_back)
    big = b"{}" + b" " * (LIMIT + 1)
    problems = []
    for op in api_sweep.operations(app):
        if op.writes and op.body_schema is None:
            response, effect = api.call_undone_raw(op, _api_url(api, op), data=big)
            if response.status_code != 413 or not effect.is_empty():
                problems.append(f"{op}: {response.status_code}, wrote: {effect.describe()}")
    assert not problems, "\n".join(problems)


def test_a_chunked_body_over_the_limit_gets_413_not_a_cut_body(app, client, factories, _rolled_back):
    world = build_world(factories)
    act_as(client, factories, world, "pm")
    fields = {"csrf_token": csrf_token(client, True), "name": "Cut-off region", "tier": "standard",
              "time_zone": "Europe/Berlin", "headcount": "3", "site_notes": ""}
    body = urlencode(fields).encode() + b"&padding=" + b"x" * (LIMIT + 1024)
    chunked = {"headers": {"Transfer-Encoding": "chunked"}, "environ_overrides": {"wsgi.input_terminated": True}}
    before = snapshot(_rolled_back)
    page = client.post(f"/programmes/{world.a.programme.id}/regions/new", input_stream=io.BytesIO(body),
                       content_type="application/x-www-form-urlencoded", **chunked)
    api = ApiWorld(app, factories, _rolled_back)
    region = next(op for op in api_sweep.operations(app) if op.endpoint == "api.regions_create")
    json_body = b'{"name": "Cut-off API region", "time_zone": "UTC", "site_notes": "' + b"x" * LIMIT + b'"}'
    response = api.client.open(region.url(programme_id=api.a), method="POST", input_stream=io.BytesIO(json_body),
                               content_type="application/json", headers={**api.headers, **chunked["headers"]},
                               environ_overrides=chunked["environ_overrides"])
    added_regions = difference(before, snapshot(_rolled_back)).added.get("region", [])  # ApiWorld adds its own
    assert not [row for row in added_regions if row["name"].startswith("Cut-off")], "a cut body was saved"
    assert (page.status_code, response.status_code) == (413, 413)
