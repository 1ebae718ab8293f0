"""Configuration classes. Values come from environment variables (see README.md)."""
import os
from datetime import timedelta


class Config:
    #: set from DATABASE_URL; when empty, create_app() uses SQLite in the instance folder
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    #: the address people reach the planner at; links in emails and calendar feeds use it
    BASE_URL = "http://127.0.0.1:5000"
    REQUIRE_SECRET_KEY = False
    #: reverse proxies (nginx, a load balancer) in front that append to X-Forwarded-For/-Proto; the client's
    #: address (login throttling per address, self check-in) is read from there. 0 ignores the headers.
    PROXY_COUNT = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    LANGUAGES = ["en"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    ITEMS_PER_PAGE = 25
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 50
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_LOCKOUT = timedelta(minutes=15)
    #: argon2-cffi defaults (t=3, m=64 MiB, p=4); tests lower them to stay fast
    ARGON2_PARAMS: dict = {}

    DEMO_PASSWORD = "rollout-demo-2026"

    #: outgoing mail; with no MAIL_SERVER, messages are written as .eml files under instance/outbox/
    MAIL_SERVER = ""
    MAIL_PORT = 25
    #: STARTTLS after connecting (port 587); MAIL_USE_SSL for implicit TLS (port 465)
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    #: sender of every email, and the ORGANIZER address of invitations (iTIP replies come back to it)
    MAIL_FROM = "Rollout Planner <planner@localhost>"
    MAIL_TIMEOUT = 30
    #: after this many failed attempts a message is marked failed (an administrator can retry it)
    MAIL_MAX_ATTEMPTS = 8
    #: first retry after this many seconds, doubling each time, with random jitter
    MAIL_RETRY_BASE_SECONDS = 60
    #: a message claimed by a sender that died is claimed again after this many seconds
    MAIL_CLAIM_TIMEOUT_SECONDS = 600

    #: the mailbox that receives iTIP replies (answers sent to MAIL_FROM); empty disables fetching
    IMAP_SERVER = ""
    IMAP_PORT = 993
    IMAP_USE_SSL = True
    IMAP_USERNAME = ""
    IMAP_PASSWORD = ""
    IMAP_FOLDER = "INBOX"


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    REQUIRE_SECRET_KEY = True


class TestingConfig(Config):
    TESTING = True
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    BASE_URL = "http://planner.test"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
