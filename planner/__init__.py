"""Rollout Planner: plan a phased enterprise-system rollout and watch for the known failure modes."""
import importlib
import os
import secrets
from pathlib import Path

from flask import Flask

from planner.config import CONFIGS
from planner.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("PLANNER_INSTANCE_PATH") or str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    environment = os.environ.get("PLANNER_ENV", "development")
    app.config.from_object(CONFIGS[environment])
    app.config.from_prefixed_env("PLANNER")
    if config_overrides:
        app.config.update(config_overrides)
    _finish_config(app)
    from planner.core.request_body import register_body_limits

    register_body_limits(app)
    _trust_proxies(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    _init_login(app)
    from planner.core.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    _init_sqlite(app)

    from planner.core.errors import register_error_handlers
    from planner.core.permissions import register_access_guard
    from planner.core.security_headers import register_security_headers
    from planner.core.templating import register_template_helpers
    from planner.core.transaction import register_request_transaction

    from planner.core.routing import register_converters

    register_converters(app)
    register_access_guard(app)
    register_request_transaction(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_template_helpers(app)
    from planner.core import log_redaction

    log_redaction.install(app)
    _register_blueprints(app)
    from planner.adoption import evidence as adoption_evidence
    from planner.training import progress, readiness

    progress.install()  # each person's training progress, kept in step with every commit
    readiness.install()  # the training evidence's cache
    adoption_evidence.install()  # the wave gate reads training (delegated) and adoption from here
    return app


def _finish_config(app: Flask) -> None:
    """Fill in what depends on other settings: the default database, the secret key, cookies."""
    config = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'planner.db'}"
    if not config["SECRET_KEY"]:
        if config["REQUIRE_SECRET_KEY"]:
            raise RuntimeError("SECRET_KEY must be set in production (PLANNER_ENV=production).")
        config["SECRET_KEY"] = _local_secret_key(Path(app.instance_path) / "secret_key")
    _no_generic_plans(config)
    is_https = config["BASE_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = is_https
    config["REMEMBER_COOKIE_SECURE"] = is_https
    config["PREFERRED_URL_SCHEME"] = "https" if is_https else "http"


def _no_generic_plans(config) -> None:
    """On PostgreSQL through psycopg 3, send every statement unprepared. psycopg prepares a statement on the server
    after its fifth run on a connection, and PostgreSQL then switches to a generic plan that ignores the values;
    for the readiness queries that plan was a hundred times slower (10 s instead of 0.1 s from the tenth
    dashboard view of a worker on, at scale 1: bench/load). Planning with the values costs a millisecond."""
    from sqlalchemy.engine import make_url

    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql" or url.get_driver_name() != "psycopg":
        return
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT proxies, take the client's address and scheme from the X-Forwarded-* headers they
    add (only their entries, so a client cannot spoof its address); without proxies the headers are ignored."""
    count = int(app.config["PROXY_COUNT"])
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # the scheme is the one the proxy nearest the app sets (nginx: X-Forwarded-Proto $scheme replaces it)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=1, x_host=0, x_port=0, x_prefix=0)


def _local_secret_key(path: Path) -> str:
    """A secret key generated once for this machine and kept in the instance folder."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    return key


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.auth.services import logged_in_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.refresh_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.needs_refresh_message = _l("Please enter your password again to continue.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return logged_in_user(user_id)


def _init_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from planner.core.sqlite import configure_sqlite_engine

    with app.app_context():
        configure_sqlite_engine(db.engine)


#: every area that has tables; importing them registers the tables for queries and migrations
AREAS_WITH_MODELS = ("core", "auth", "programmes", "people", "lifecycle", "rollout", "committee", "calendar",
                     "training", "comms", "feedback", "changes", "surveys", "adoption", "risks", "health", "api")


def _register_blueprints(app: Flask) -> None:
    for area in AREAS_WITH_MODELS:
        importlib.import_module(f"planner.{area}.models")
    from planner import (
        adoption, auth, changes, comms, committee, dashboards, exports, feedback, health, lifecycle, people,
        programmes, risks, rollout, surveys, training,
    )
    from planner.auth.cli import bp as auth_cli
    from planner.calendar import views as calendar_views
    from planner.calendar.cli import bp as calendar_cli
    from planner.core import views as core_views
    from planner.core.cli import bp as core_cli
    from planner.demo.cli import bp as demo_cli
    from planner.generator import bp as generator_cli

    app.register_blueprint(core_views.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(programmes.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(lifecycle.bp)
    app.register_blueprint(rollout.bp)
    app.register_blueprint(committee.bp)
    app.register_blueprint(calendar_views.bp)
    app.register_blueprint(training.bp)
    app.register_blueprint(comms.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(adoption.bp)
    app.register_blueprint(risks.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(dashboards.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(auth_cli)
    app.register_blueprint(core_cli)
    app.register_blueprint(demo_cli)
    app.register_blueprint(generator_cli)
    app.register_blueprint(calendar_cli)
    from planner import api

    api.init_app(app)
