"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (gunicorn also reads this file by default).

Behind a reverse proxy on the same machine: bind to 127.0.0.1 only. Override with GUNICORN_BIND and
GUNICORN_WORKERS (or WEB_CONCURRENCY). Secret tokens in feed and RSVP URLs are redacted from the
access and error logs by the logger class below (QUALITY.md item 9).
"""
import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY")
              or min(4, multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# the proxy's address only; X-Forwarded-* from anyone else is ignored
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")



def post_worker_init(worker):
    """Each worker, once it has loaded the app: its start-up objects stay out of the garbage collector's full
    passes (planner/core/heap.py), each of which would otherwise walk them all again (about 0.1 s)."""
    from planner.core.heap import freeze_startup_objects

    freeze_startup_objects()


accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
logger_class = "planner.core.log_redaction.RedactingGunicornLogger"
