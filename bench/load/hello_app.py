"""The WSGI app the load test serves: ``GET /hello`` answers a bare 200 "hello" without touching Flask, the
database or the session; every other request goes to the planner (``wsgi.app``). Both run in the same gunicorn
workers, so /hello measures the ceiling of this server (gunicorn, its access log, the machine) next to the
planner's own figures.

``gunicorn -c gunicorn.conf.py --pythonpath bench/load hello_app:app`` from the repository root.
"""
from wsgi import app as planner_app

HELLO = b"hello"
HELLO_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(HELLO)))]


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/hello" and environ.get("REQUEST_METHOD") == "GET":
        start_response("200 OK", list(HELLO_HEADERS))
        return [HELLO]
    return planner_app(environ, start_response)
