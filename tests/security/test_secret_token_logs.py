"""Secret tokens never reach a log (QUALITY.md item 9), with real servers and real requests: Werkzeug's server (what
``make run`` uses) and gunicorn started with the repository's gunicorn.conf.py (what production uses, at debug log
level, so every line it can write is written). Every kind of secret link is requested (found, not modified, refused,
unknown), with a token in the Referer and an API token in the query string; the whole captured output must hold no
token, and the request lines must be there, redacted.
"""
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from planner.extensions import db
from tests.api.helpers import token_for
from tests.factories import Factories
from tests.security.helpers import snapshot
from tests.security.secret_tokens import live_tokens
from tests.test_access_matrix import build_world

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def _rolled_back():
    """The servers read the world from their own connections: it is committed to a fresh database."""
    yield


@pytest.fixture
def world_app(make_fresh_app):
    app = make_fresh_app()
    world = build_world(Factories(app))
    api_token = token_for(app, world.a.other_user)
    with app.app_context():
        with db.engine.connect() as connection:
            secrets = live_tokens(snapshot(connection))
    secrets[api_token] = "api token"
    return app, world, api_token, secrets


def _requests(world, api_token) -> list[tuple[str, str, dict]]:
    """(method, path, headers) of every kind of secret link, as calendar clients and browsers send them."""
    tokens = world.a.tokens
    feed = f"/calendar/{tokens['calendar.feed']}.ics"
    rsvp = f"/rsvp/{tokens['calendar.rsvp']}"
    return [
        ("GET", feed, {}), ("GET", feed, {"If-None-Match": '"anything"'}),
        ("GET", f"/calendar/{tokens['calendar.feed']}x.ics", {}),  # an unknown token that contains a real one
        ("GET", rsvp, {}), ("POST", rsvp, {}),  # the POST has no CSRF token: 400
        ("GET", f"{rsvp}?occurrence=1", {}),
        ("GET", f"/feedback/{tokens['feedback.by_token']}", {}), ("GET", f"/survey/{tokens['surveys.answer']}", {}),
        ("GET", "/login", {"Referer": f"http://127.0.0.1/rsvp/{tokens['calendar.rsvp']}"}),
        ("GET", f"/api/v1/me?access_token={api_token}", {}),
        ("GET", "/api/v1/me", {"Authorization": f"Bearer {api_token}"}),
        ("GET", f"/check-in/{world.a.url_values()['session_id']}/{tokens['training.checkin_link']}", {}),
    ]


def _drive(base: str, requests) -> list[int]:
    statuses = []
    for method, path, headers in requests:
        request = urllib.request.Request(base + path, method=method, headers=headers,
                                         data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                response.read()
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    return statuses


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return sorted({what for secret, what in secrets.items() if secret in text})


def test_the_development_server_and_the_app_log_no_token(world_app, caplog):
    app, world, api_token, secrets = world_app
    caplog.set_level(logging.DEBUG)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        statuses = _drive(f"http://127.0.0.1:{server.server_port}", _requests(world, api_token))
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert statuses[0] == 200 and 404 in statuses and 400 in statuses, statuses
    lines = [record.getMessage() for record in caplog.records]
    assert sum("[redacted]" in line for line in lines) >= 8, lines
    assert not _leaks("\n".join(lines) + caplog.text, secrets)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_with_the_repository_config_logs_no_token(world_app, tmp_path):
    app, world, api_token, secrets = world_app
    port = _free_port()
    env = {**os.environ, "PLANNER_ENV": "production", "SECRET_KEY": app.config["SECRET_KEY"],
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PLANNER_INSTANCE_PATH": str(tmp_path),
           "PLANNER_BASE_URL": f"http://127.0.0.1:{port}", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "1", "GUNICORN_LOGLEVEL": "debug"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            statuses = _drive(f"http://127.0.0.1:{port}", _requests(world, api_token))
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert statuses[0] == 200 and 404 in statuses and 400 in statuses, (statuses, text[-2000:])
    assert text.count("[redacted]") >= 8, text[-3000:]
    assert "[DEBUG]" in text, "the debug level must be on, so every line gunicorn writes is checked"
    assert not _leaks(text, secrets), text[-3000:]
