"""WSGI entry point: ``gunicorn wsgi:app`` (or ``gunicorn 'planner:create_app()'``)."""
from planner import create_app

app = create_app()
