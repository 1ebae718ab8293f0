"""Secret tokens of feed, RSVP, feedback, survey and self check-in links never reach a log (QUALITY.md item 9)."""
import logging
import threading
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from werkzeug.serving import make_server

from planner.auth.models import User
from planner.calendar import tokens
from planner.core import log_redaction
from planner.core.log_redaction import RedactingGunicornLogger, RedactTokensFilter, redact
from planner.extensions import db

TOKEN = "mD2vQ0v1JxQk3wX9yZ-8_aBcDeFgHiJkLmNoPqRsTuV"


def test_paths_with_tokens_are_rewritten():
    assert redact(f"GET /calendar/{TOKEN}.ics HTTP/1.1") == "GET /calendar/[redacted].ics HTTP/1.1"
    assert redact(f"POST /rsvp/{TOKEN}?occurrence=4 HTTP/1.1") == "POST /rsvp/[redacted]?occurrence=4 HTTP/1.1"
    assert redact(f"https://planner.example/rsvp/{TOKEN}") == "https://planner.example/rsvp/[redacted]"
    for untouched in ("GET /me/calendar HTTP/1.1", "POST /me/calendar/reset HTTP/1.1",
                      "GET /programmes/3/calendar-replies HTTP/1.1", "GET /programmes/3/calendar HTTP/1.1"):
        assert redact(untouched) == untouched


def test_feedback_and_survey_links_are_rewritten_but_not_ordinary_pages():
    assert redact(f"GET /feedback/{TOKEN} HTTP/1.1") == "GET /feedback/[redacted] HTTP/1.1"
    assert redact(f'"http://127.0.0.1:8000/feedback/{TOKEN}"') == '"http://127.0.0.1:8000/feedback/[redacted]"'
    assert redact(f"https://host5/feedback/{TOKEN}") == "https://host5/feedback/[redacted]"
    assert redact(f"POST /survey/{TOKEN} HTTP/1.1") == "POST /survey/[redacted] HTTP/1.1"
    assert redact("GET /programmes/4/feedback/17 HTTP/1.1") == "GET /programmes/4/feedback/17 HTTP/1.1"
    assert redact("GET /programmes/4/surveys/2 HTTP/1.1") == "GET /programmes/4/surveys/2 HTTP/1.1"


def test_check_in_links_are_rewritten_but_not_the_short_code_page_or_the_trainers_pages():
    assert redact(f"GET /check-in/12/{TOKEN} HTTP/1.1") == "GET /check-in/12/[redacted] HTTP/1.1"
    assert redact(f"POST /check-in/12/{TOKEN}?lang=de HTTP/1.1") == "POST /check-in/12/[redacted]?lang=de HTTP/1.1"
    assert redact(f'"https://planner.example/check-in/7/{TOKEN}"') == '"https://planner.example/check-in/7/[redacted]"'
    assert redact(f"Unhandled error on GET /check-in/7/{TOKEN}/") == "Unhandled error on GET /check-in/7/[redacted]/"
    for untouched in ("GET /check-in/12 HTTP/1.1", "POST /check-in/12 HTTP/1.1",
                      "GET /programmes/3/sessions/12/check-in-code HTTP/1.1",
                      "POST /programmes/3/sessions/12/check-in-code/open HTTP/1.1"):
        assert redact(untouched) == untouched


def test_a_werkzeug_request_record_is_redacted():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "05/Jan/2027 10:00:00", f"GET /calendar/{TOKEN}.ics HTTP/1.1", "200", "-"),
                               None)

    assert RedactTokensFilter().filter(record) is True
    assert TOKEN not in record.getMessage()
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200' in record.getMessage()


def test_a_record_with_the_token_in_its_message_is_redacted():
    record = logging.LogRecord("planner", logging.ERROR, __file__, 1, f"Unhandled error on GET /rsvp/{TOKEN}",
                               None, None)
    RedactTokensFilter().filter(record)
    assert record.getMessage() == "Unhandled error on GET /rsvp/[redacted]"


def test_install_filters_the_request_log_and_the_apps_own_log_once(app):
    log_redaction.install(app)
    log_redaction.install(app)

    for logger in (logging.getLogger("werkzeug"), app.logger):
        assert sum(isinstance(f, RedactTokensFilter) for f in logger.filters) == 1, logger.name


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_the_gunicorn_access_log_is_redacted():
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingGunicornLogger(config)
    collected = _Collect()
    logger.access_log.addHandler(collected)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/calendar/{TOKEN}.ics", "PATH_INFO": f"/calendar/{TOKEN}.ics",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": f"https://planner.example/rsvp/{TOKEN}", "HTTP_USER_AGENT": "Calendar/1.0"}
    request = SimpleNamespace(headers=[("REFERER", f"https://planner.example/rsvp/{TOKEN}")])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/calendar")])

    try:
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        logger.access_log.removeHandler(collected)

    assert len(collected.lines) == 1
    line = collected.lines[0]
    assert TOKEN not in line
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200 512 "https://planner.example/rsvp/[redacted]"' in line


def test_the_gunicorn_error_log_is_redacted():
    logger = RedactingGunicornLogger(Config())
    collected = _Collect()
    logger.error_log.addHandler(collected)
    try:
        logger.error("Error handling request %s", f"/rsvp/{TOKEN}")
    finally:
        logger.error_log.removeHandler(collected)
    assert collected.lines == ["Error handling request /rsvp/[redacted]"]


def test_the_gunicorn_config_uses_the_redacting_logger():
    from pathlib import Path

    settings: dict = {}
    exec((Path(__file__).resolve().parents[2] / "gunicorn.conf.py").read_text(), settings)
    assert settings["logger_class"] == "planner.core.log_redaction.RedactingGunicornLogger"
    assert settings["bind"].startswith("127.0.0.1:")
    assert settings["accesslog"] == "-"
    assert settings["workers"] >= 1


def test_a_feed_request_to_a_real_server_logs_no_token(app, factories, caplog):
    user = factories.user()
    with app.app_context():
        token = tokens.reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    caplog.set_level(logging.INFO, logger="werkzeug")
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/calendar/{token}.ics", timeout=10) as r:
            assert r.status == 200
            assert r.read().startswith(b"BEGIN:VCALENDAR")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()

    request_lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/calendar/[redacted].ics" in line for line in request_lines), request_lines
    assert token not in caplog.text
