"""Serving pages in-process and timing them: one app per scale, logged-in test clients, the SQL each request
sends, and the ids the URLs need.

The time is the server's: from the test client's call to the last byte of the response body, inside this
process (no network, no HTTP parsing). Statements are counted on the engine (``before_cursor_execute``),
without transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) and connection set-up (PRAGMA).
"""
from __future__ import annotations

import gc
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

from bench.datasets import PASSWORD, app_config

#: statements that are transaction control or connection set-up, not the page's work
NOT_COUNTED = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.I)
ROLES = ("project_manager", "committee_member", "trainer", "viewer")
ROLE_LABELS = {"project_manager": "project manager", "committee_member": "committee member", "trainer": "trainer",
               "viewer": "viewer", "api": "API token of the project manager", "anonymous": "no login"}


@dataclass(frozen=True)
class Entry:
    """One URL to time: ``template`` names ids in braces (``/programmes/{programme}/risks``)."""

    template: str
    role: str = "project_manager"
    #: dashboard, feed, api or chart; pages are "page", or "paginated" when the view paginates (seen at run time)
    kind: str | None = None

    @property
    def label(self) -> str:
        shown = re.sub(r"\{(\w+)\}", r"<\1>", self.template)
        return shown if self.role in ("project_manager", "api", "anonymous") else f"{shown} ({ROLE_LABELS[self.role]})"


P = "/programmes/{programme}"
#: the programme's pages, in the order of the programme menu (templates/_macros.html programme_nav), with the
#: pages one level down that the brief names (a session's roster, an occurrence and its pack, ...), the charts
#: the pages embed as images, and the user's own pages
PAGES = (
    Entry("/"),
    *(Entry(P + "/dashboard", role, "dashboard") for role in ROLES),
    Entry(P), Entry(P + "/health"), Entry(P + "/plan"), Entry(P + "/plan/gantt.png", kind="chart"),
    Entry(P + "/stages"), Entry(P + "/stages/{stage}"), Entry(P + "/goals"),
    Entry(P + "/waves"), Entry(P + "/waves/{wave}"), Entry(P + "/defects"), Entry(P + "/milestones"),
    Entry(P + "/dependencies"), Entry(P + "/calendar"),
    Entry(P + "/committee"), Entry(P + "/meetings"), Entry(P + "/meetings/{meeting}"),
    Entry(P + "/occurrences/{occurrence}"), Entry(P + "/occurrences/{occurrence}/pack"),
    Entry(P + "/actions"), Entry(P + "/decisions"),
    Entry(P + "/courses"), Entry(P + "/courses/{course}"), Entry(P + "/training/requirements"),
    Entry(P + "/training/plan"), Entry(P + "/sessions"), Entry(P + "/sessions/{session}"),
    Entry(P + "/sessions/{session}/roster"), Entry(P + "/sessions/{trainer_session}/roster", "trainer"),
    Entry(P + "/training/readiness"), Entry(P + "/training/readiness.png", kind="chart"),
    Entry(P + "/comms"), Entry(P + "/comms/{comm}"), Entry(P + "/comms/log"), Entry(P + "/comms/gaps"),
    Entry(P + "/status-updates"), Entry(P + "/status-updates/{status_update}"),
    Entry(P + "/audiences"), Entry(P + "/audiences/{audience}"),
    Entry(P + "/feedback"), Entry(P + "/feedback/{feedback}"), Entry(P + "/faq"),
    Entry(P + "/changes"), Entry(P + "/changes/{change}"),
    Entry(P + "/risks"), Entry(P + "/risks/{risk}"), Entry(P + "/risks/heat-map.png", kind="chart"),
    Entry(P + "/risks/trend.png", kind="chart"),
    Entry(P + "/exports"),
    Entry(P + "/surveys"), Entry(P + "/surveys/{survey}"), Entry(P + "/surveys/{survey}/heatmap.png", kind="chart"),
    Entry(P + "/surveys/{survey}/unanswered"),
    Entry(P + "/adoption"), Entry(P + "/adoption/chart.png", kind="chart"), Entry(P + "/super-users"),
    Entry(P + "/regions"), Entry(P + "/departments"), Entry(P + "/people"),
    Entry(P + "/people/lookup?q=an", kind="page"),  # the person picker's search: JSON, 20 names at most
    Entry(P + "/members"),
    Entry(P + "/audit"),
    Entry("/me/calendar"), Entry("/training/my-sessions", "trainer"),
    *(Entry("/calendar/{feed_" + role + "}.ics", role, "feed") for role in ("project_manager", "committee_member",
                                                                             "trainer")),
)
#: GET routes deliberately not timed: forms, confirmations, downloads (exports, rosters, invites), one-off
#: links, admin pages and API item reads; anything else missing from PAGES is listed in the output
NOT_TIMED = re.compile(
    r"/(new|edit|delete|cancel|move|leave|review|assess|decide|reject|send|held|import|paper|nominate|generate|"
    r"replan|settings|thresholds|check-in-code|feedback-link|gate-review|calendar-replies)$"
    r"|\.(csv|xlsx|eml|ics|svg|<fmt>|<export_format>)$"
    r"|^/(admin|account|login|healthz|static|rsvp|survey|feedback|check-in)\b"
    r"|^/api/v1/(me|openapi\.json|programmes/<int:programme_id>)$|<int:item_id>$")


def api_entries(app) -> list[Entry]:
    """Every list endpoint of the JSON API, from the URL map (so a new resource is timed without a change
    here): GET rules under /api/v1 that do not end in an item's id."""
    entries = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("api.") or "GET" not in rule.methods or rule.rule.endswith(">") \
                or rule.endpoint in ("api.me", "api.openapi"):
            continue
        template = rule.rule.replace("<int:programme_id>", "{programme}")
        # a list under one item: a meeting's occurrences, a session's enrolments and attendance
        template = re.sub(r"/(meetings|sessions)/<int:item_id>/",
                          lambda match: f"/{match.group(1)}/{{{match.group(1)[:-1]}}}/", template)
        if "<" in template:
            raise RuntimeError(f"the benchmark does not know which id {rule.rule} needs: add it to api_entries")
        entries.append(Entry(template, "api", "api"))
    return entries


def untimed_routes(app, entries: list[Entry]) -> list[str]:
    """GET routes neither timed nor deliberately left out: pages someone may have added since."""
    timed = {re.sub(r"\{\w+\}", "*", entry.template.split("?")[0]) for entry in entries}
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_TIMED.search(rule.rule):
            continue
        shape = re.sub(r"<[^>]+>", "*", rule.rule)
        if shape not in timed:
            missing.append(rule.rule)
    return sorted(missing)


# --- statistics ----------------------------------------------------------------------------------------------


def nearest_rank(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``percent`` % of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def normalise(statement: str) -> str:
    """A statement with its literals, parameters and IN lists folded, so repeats of one query compare equal."""
    text = " ".join(statement.split())
    text = re.sub(r"'(?:[^']|'')*'", "?", text)
    text = re.sub(r"::\w+(?:\[\])?", "", text)  # PostgreSQL casts (%(id_1)s::INTEGER)
    text = re.sub(r"%\(\w+\)s|\$\d+|:\w+", "?", text)
    text = re.sub(r"(?<![\w.])\d+(?:\.\d+)?\b", "?", text)
    return re.sub(r"\(\s*\?(?:\s*,\s*\?)+\s*\)", "(?, ...)", text)


@dataclass
class Timing:
    """One URL at one scale."""

    path: str
    seconds: list[float] = field(default_factory=list)
    query_counts: list[int] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    #: normalised statement -> times sent, in the last timed request
    statements: Counter = field(default_factory=Counter)
    paginated: bool = False
    #: rows on each page the view paginated (``db.paginate`` calls in order), in the last timed request
    page_rows: tuple[int, ...] = ()
    #: the page size asked for, when not the default (the equal-rows pass)
    page_size: int | None = None
    body_bytes: int = 0
    error: str = ""

    @property
    def p50(self) -> float:
        return nearest_rank(self.seconds, 50) if self.seconds else math.nan

    @property
    def p95(self) -> float:
        return nearest_rank(self.seconds, 95) if self.seconds else math.nan

    @property
    def queries(self) -> tuple[int, int] | None:
        return (min(self.query_counts), max(self.query_counts)) if self.query_counts else None

    @property
    def ok(self) -> bool:
        return not self.error and set(self.statuses) == {200}


# --- one scale's site ----------------------------------------------------------------------------------------


class Site:
    """One scale's app on its database: clients logged in per role, an API token, feed tokens, and the ids the
    URL templates name."""

    def __init__(self, scale: float, url: str):
        from planner import create_app
        from planner.extensions import db

        self.scale = scale
        self.url = url
        self.app = create_app(app_config(url))
        self.db = db
        self._statements: list[str] = []
        self._page_rows: list[int] = []
        with self.app.app_context():
            self.engine = db.engine
            self.ids, self.logins = self._pick_ids()
            self.api_token = self._api_token()
            self._feed_tokens()
        event.listen(self.engine, "before_cursor_execute", self._seen)
        self.clients = {role: self._logged_in(email) for role, email in self.logins.items()}
        self.clients["api"] = self.app.test_client()
        self.clients["anonymous"] = self.app.test_client()

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if not NOT_COUNTED.match(statement):
            self._statements.append(statement)

    def _pick_ids(self) -> tuple[dict[str, int], dict[str, str]]:
        from planner.auth.models import User
        from planner.changes.models import ChangeRequest
        from planner.comms.models import Audience, CommunicationItem, StatusUpdate
        from planner.committee.models import MeetingOccurrence
        from planner.feedback.models import FeedbackItem
        from planner.lifecycle.models import Stage
        from planner.programmes.models import Membership, Programme
        from planner.risks.models import Risk
        from planner.rollout.models import Wave
        from planner.surveys.models import SurveyRound
        from planner.training.models import AttendanceMark, Course, TrainingSession

        session = self.db.session
        programme_id = session.scalar(select(Programme.id).order_by(Programme.id))
        if programme_id is None:
            raise RuntimeError(f"no programme in {self.url}")
        logins: dict[str, str] = {}
        for email, role in session.execute(select(User.email, Membership.role).join(Membership)
                                           .where(Membership.programme_id == programme_id).order_by(User.id)):
            logins.setdefault(str(getattr(role, "value", role)), email)
        if set(ROLES) - set(logins):
            raise RuntimeError(f"the generated programme lacks a login for {set(ROLES) - set(logins)}")

        def first(model, *order):
            return session.scalar(select(model.id).where(model.programme_id == programme_id)
                                  .order_by(*(order or (model.id,))).limit(1))

        def fullest_session(*conditions):
            """The session with the most attendance marks: a full roster."""
            return session.scalar(
                select(AttendanceMark.session_id).join(TrainingSession)
                .where(TrainingSession.programme_id == programme_id, *conditions)
                .group_by(AttendanceMark.session_id).order_by(func.count().desc(), AttendanceMark.session_id)
                .limit(1))

        occurrence = session.execute(
            select(MeetingOccurrence.id, MeetingOccurrence.meeting_id)
            .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.minutes != "")
            .order_by(MeetingOccurrence.starts_at.desc()).limit(1)).first()
        trainer_id = session.scalar(select(User.id).where(User.email == logins["trainer"]))
        ids = {
            "programme": programme_id,
            "stage": session.scalar(select(Stage.id).where(Stage.programme_id == programme_id, Stage.number == 5)),
            "wave": first(Wave, Wave.actual_go_live.is_not(None), Wave.position, Wave.id),
            "occurrence": occurrence and occurrence[0], "meeting": occurrence and occurrence[1],
            "session": fullest_session(), "trainer_session": fullest_session(TrainingSession.trainer_id == trainer_id),
            "status_update": first(StatusUpdate), "course": first(Course), "comm": first(CommunicationItem),
            "audience": first(Audience), "feedback": first(FeedbackItem), "change": first(ChangeRequest),
            "risk": first(Risk, Risk.number), "survey": first(SurveyRound),
        }
        return {name: value for name, value in ids.items() if value is not None}, logins

    def _user(self, role: str):
        from planner.auth.services import find_user_by_email

        return find_user_by_email(self.logins[role])

    def _api_token(self) -> str:
        """A token made by the service ``flask create-api-token`` uses."""
        from planner.api.tokens import create_api_token

        _row, token = create_api_token(self._user("project_manager"), "Benchmark")
        self.db.session.commit()
        return token

    def _feed_tokens(self) -> None:
        from planner.calendar import tokens

        for role in ("project_manager", "committee_member", "trainer"):
            self.ids[f"feed_{role}"] = tokens.ensure_feed_token(self._user(role))
        self.db.session.commit()

    def _logged_in(self, email: str):
        """A test client logged in through the login form (CSRF token and all)."""
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page)
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": token.group(1) if token else ""})
        if response.status_code != 302:
            raise RuntimeError(f"logging in as {email} answered {response.status_code}")
        return client

    def path(self, entry: Entry) -> str | None:
        """The entry's URL here, or None when this database has no object to fill it with."""
        try:
            return entry.template.format(**self.ids)
        except KeyError:
            return None

    def request(self, entry: Entry, path: str, timing: Timing | None, page_size: int | None = None) -> None:
        """Send one GET; with ``timing``, record its time, status, statements and the rows of its pages.
        ``page_size``: rows per page instead of the default (``ITEMS_PER_PAGE``, or the API's ``per_page``)."""
        from planner.extensions import db

        client = self.clients[entry.role]
        headers = {"Authorization": f"Bearer {self.api_token}"} if entry.role == "api" else {}
        self._statements = []
        self._page_rows = []
        original = type(db).paginate
        default_size = self.app.config["ITEMS_PER_PAGE"]

        def paginate(*args, **kwargs):
            page = original(db, *args, **kwargs)
            self._page_rows.append(len(page.items))
            return page

        db.paginate = paginate
        if page_size is not None:
            if entry.role == "api":
                path += ("&" if "?" in path else "?") + f"per_page={page_size}"
            else:
                self.app.config["ITEMS_PER_PAGE"] = page_size
        try:
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            body = response.get_data()
            elapsed = time.perf_counter() - started
            response.close()
        finally:
            del db.paginate
            self.app.config["ITEMS_PER_PAGE"] = default_size
        if timing is None:
            return
        timing.seconds.append(elapsed)
        timing.statuses[response.status_code] += 1
        timing.query_counts.append(len(self._statements))
        timing.statements = Counter(normalise(statement) for statement in self._statements)
        timing.paginated = timing.paginated or bool(self._page_rows)
        timing.page_rows = tuple(self._page_rows)
        timing.page_size = page_size
        timing.body_bytes = len(body)
        if response.status_code != 200 and not timing.error:
            timing.error = f"{response.status_code} {response.headers.get('Location', '')}".strip()

    def explain(self, entry: Entry, path: str) -> list[tuple[str, int, float]]:
        """One more request, untimed, with each statement's own time: (normalised statement, times sent,
        seconds in all), the costliest first. A separate pass, so the timed requests carry no extra listener."""
        spent: Counter = Counter()
        sent: Counter = Counter()

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            if not NOT_COUNTED.match(statement):
                key = normalise(statement)
                sent[key] += 1
                spent[key] += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())

        event.listen(self.engine, "before_cursor_execute", before)
        event.listen(self.engine, "after_cursor_execute", after)
        try:
            self.request(entry, path, None)
        finally:
            event.remove(self.engine, "before_cursor_execute", before)
            event.remove(self.engine, "after_cursor_execute", after)
        return sorted(((statement, sent[statement], spent[statement]) for statement in sent),
                      key=lambda item: -item[2])

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)
        with self.app.app_context():
            self.db.session.remove()
            self.engine.dispose()


def time_entry(entry: Entry, sites: list[Site], *, warmups: int, repeats: int,
               page_size: int | None = None) -> list[Timing | None]:
    """Warm up, then time ``repeats`` requests per site, the sites taking turns (so every scale sees the same
    machine load) and the order reversed every other round. ``page_size``: see ``Site.request``."""
    gc.collect()  # garbage of the previous URL is not this one's to pay for
    paths = [site.path(entry) for site in sites]
    timings = [Timing(path) if path else None for path in paths]
    active = [(site, path, timing) for site, path, timing in zip(sites, paths, timings) if path]
    for site, path, _timing in active:
        for _ in range(warmups):
            site.request(entry, path, None, page_size)
    for round_number in range(repeats):
        for site, path, timing in (active if round_number % 2 == 0 else active[::-1]):
            try:
                site.request(entry, path, timing, page_size)
            except Exception as error:  # a crash is a failure to report, not a reason to stop the others
                timing.error = f"{type(error).__name__}: {error}"[:200]
                break
    return timings


def equal_rows_size(timings: list[Timing | None]) -> int | None:
    """The page size at which every scale shows the same rows, when the default does not.

    When the smallest scale's first list holds fewer rows than a page (nine open action items against a page
    of 25), the larger scale's page draws more rows, and the ratio of the two says how many rows were drawn,
    not how the page copes with ten times the data. None when every scale's page holds the same rows already,
    or the smallest scale's list is empty."""
    present = [timing for timing in timings if timing is not None and timing.page_rows]
    if len(present) < 2:
        return None
    firsts = [timing.page_rows[0] for timing in present]
    if len(set(firsts)) == 1 or min(firsts) == 0:
        return None
    return min(firsts)
