"""The load test's simulated users (locust). Started by ``bench/load/run.py``, which prepares the accounts and
sets ``LOAD_ACCOUNTS`` (the JSON written by ``prepare.py``) and ``LOAD_WAIT`` ("min,max" seconds between tasks).

Every simulated user logs in through the login form (the CSRF token taken from the page) with an account of its
own, then works as a person would, posting exactly what the page's form (or the roster's JavaScript) posts:

- ``Browser`` reads pages: overview, dashboard, plan, risks, training sessions, meetings and an occurrence,
  people (not for viewers, who may not see names);
- ``AgendaEditor``, a project manager, adds, edits and (to keep the agenda short) removes items on the agenda
  of a meeting occurrence that is theirs alone, so no two simulated users edit the same record;
- ``Trainer`` takes attendance on their own session's roster: one ``fetch`` POST per tap, with
  ``X-CSRFToken`` and a multipart body, as ``static/js/roster.js`` sends it.

Request names start with the kind of work (``login:``, ``browse:``, ``agenda:``, ``attendance:``), which
``run.py`` uses to report the mix. Every check that fails is a locust failure; a redirect to the login page, a
409 "changed by someone else" or a refused form is never expected here.

``HelloUser`` (run alone, by naming it on the command line) asks ``GET /hello`` with no pause: the ceiling.
"""
import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path

from locust import FastHttpUser, between, constant, task
from locust.exception import StopUser

from html_forms import Page

ACCOUNTS_FILE = os.environ.get("LOAD_ACCOUNTS", "")
ACCOUNTS = json.loads(Path(ACCOUNTS_FILE).read_text()) if ACCOUNTS_FILE else None
WAIT_MIN, WAIT_MAX = (float(part) for part in os.environ.get("LOAD_WAIT", "0.5,2").split(","))
MARK_STATUSES = ("present", "late", "excused", "absent")
EDIT_LINK = re.compile(r"/agenda-items/(\d+)/edit$")
AGENDA_LIMIT = 8
EDITOR_THINKING = 3

_lock = threading.Lock()
_counters: dict[str, itertools.count] = {}


def _next_account(kind: str) -> dict:
    """The next unused account of a kind (the runner makes as many as there are users of that kind)."""
    with _lock:
        counter = _counters.setdefault(kind, itertools.count())
        index = next(counter)
    pool = ACCOUNTS[kind]
    if index >= len(pool):
        raise StopUser(f"more {kind} than prepared accounts ({len(pool)})")
    return pool[index]


def _fixed(kind: str) -> int:
    return len(ACCOUNTS[kind]) if ACCOUNTS else 0


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body, as ``fetch(url, {body: new FormData(form)})`` sends it."""
    boundary = f"----LoadTestBoundary{uuid.uuid4().hex}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


class PlannerUser(FastHttpUser):
    """Logs in once with an account of its own kind; every request checks its status."""

    abstract = True
    kind = ""
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        self.account = _next_account(self.kind)
        self.programme = f"/programmes/{ACCOUNTS['programme_id']}"
        self.log_in()

    def log_in(self):
        page = self.page("/login", "login: form")
        token = page.csrf_token() if page else None
        with self.client.post("/login", name="login: submit", allow_redirects=False, catch_response=True,
                              data={"csrf_token": token or "", "email": self.account["email"],
                                    "password": ACCOUNTS["password"]}) as response:
            if response.status_code != 302 or "/login" in (response.headers.get("Location") or ""):
                response.failure(f"login refused: {response.status_code}")
                raise StopUser()
            response.success()

    def page(self, path: str, name: str) -> Page | None:
        """GET a page as a logged-in browser: 200 expected (a redirect means the session was lost)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location') or ''}".strip())
                return None
            response.success()
            return Page(response.text)

    def submit(self, path: str, data: dict, name: str, expect_location: str) -> bool:
        """POST a form as the browser does; the app answers a saved form with a redirect (post/redirect/get)."""
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            location = response.headers.get("Location") or ""
            if response.status_code != 302 or expect_location not in location:
                response.failure(f"{response.status_code} {location}".strip())
                return False
            response.success()
            return True


class Browser(PlannerUser):
    """Reads the programme's main pages, paginated lists on their first pages."""

    kind = "browsers"
    fixed_count = _fixed("browsers")

    def on_start(self):
        super().on_start()
        self.sees_people = self.account["role"] != "viewer"

    @task(3)
    def overview(self):
        self.page(self.programme, "browse: overview")

    @task(3)
    def dashboard(self):
        self.page(f"{self.programme}/dashboard", "browse: dashboard")

    @task(2)
    def plan(self):
        self.page(f"{self.programme}/plan", "browse: plan")

    @task(2)
    def risks(self):
        self.page(f"{self.programme}/risks?page={random.randint(1, 4)}", "browse: risks")

    @task(2)
    def sessions(self):
        self.page(f"{self.programme}/sessions?page={random.randint(1, 4)}", "browse: training sessions")

    @task(1)
    def session(self):
        self.page(f"{self.programme}/sessions/{random.choice(ACCOUNTS['session_ids'])}",
                  "browse: training session")

    @task(1)
    def meetings(self):
        self.page(f"{self.programme}/meetings", "browse: meetings")

    @task(1)
    def meeting(self):
        self.page(f"{self.programme}/meetings/{random.choice(ACCOUNTS['meeting_ids'])}", "browse: meeting")

    @task(2)
    def occurrence(self):
        self.page(f"{self.programme}/occurrences/{random.choice(ACCOUNTS['occurrence_ids'])}",
                  "browse: meeting occurrence")

    @task(2)
    def people(self):
        if self.sees_people:
            self.page(f"{self.programme}/people?page={random.randint(1, 10)}", "browse: people")
        else:
            self.page(f"{self.programme}/dashboard", "browse: dashboard")


class AgendaEditor(PlannerUser):
    """A project manager keeping the agenda of their own meeting occurrence, through the occurrence page's
    "Add an agenda item" form and each item's edit page."""

    kind = "editors"
    fixed_count = _fixed("editors")
    #: typing an item takes longer than following a link; an edit is also 3 to 4 requests (page, form, post,
    #: the page again), so this keeps the share of agenda requests near the share of editors
    wait_time = between(EDITOR_THINKING * WAIT_MIN, EDITOR_THINKING * WAIT_MAX)

    def on_start(self):
        super().on_start()
        self.occurrence = f"{self.programme}/occurrences/{self.account['occurrence_id']}"
        self.added = 0

    def open_occurrence(self) -> Page | None:
        return self.page(self.occurrence, "agenda: occurrence page")

    @task(2)
    def add_item(self):
        page = self.open_occurrence()
        if page is None:
            return
        item_ids = [match.group(1) for link in page.links if (match := EDIT_LINK.search(link))]
        if len(item_ids) >= AGENDA_LIMIT:  # keep the agenda (and so the page) the same size over the run
            delete = page.form(f"/agenda-items/{item_ids[0]}/delete")
            if delete is not None and self.submit(delete.action, delete.values(), "agenda: remove item",
                                                  self.occurrence):
                self.open_occurrence()
            return
        form = page.form("/agenda")
        if form is None:
            self.fail("agenda: add item", "no 'Add an agenda item' form on the occurrence page")
            return
        self.added += 1
        presenters = [value for value in form.options.get("agenda-presenter_id", []) if value]
        data = form.values(**{"agenda-title": f"Load item {self.added} of {self.account['email'].split('@')[0]}",
                              "agenda-minutes_allotted": random.choice((5, 10, 15)),
                              "agenda-presenter_id": random.choice(presenters) if presenters else "",
                              "agenda-notes": "Added by the load test."})
        if self.submit(form.action, data, "agenda: add item", self.occurrence):
            self.open_occurrence()

    @task(2)
    def edit_item(self):
        page = self.open_occurrence()
        if page is None:
            return
        item_ids = [match.group(1) for link in page.links if (match := EDIT_LINK.search(link))]
        if not item_ids:
            return
        path = f"{self.programme}/agenda-items/{random.choice(item_ids)}/edit"
        edit_page = self.page(path, "agenda: edit form")
        form = edit_page.form("") if edit_page else None
        if form is None:
            if edit_page is not None:
                self.fail("agenda: edit form", "no form on the edit page")
            return
        title = form.fields.get("title", "Item").split(" (edited")[0]
        data = form.values(title=f"{title} (edited {random.randint(1, 999)})",
                           minutes_allotted=random.choice((5, 10, 15, 20)))
        if self.submit(path, data, "agenda: save item", self.occurrence):
            self.open_occurrence()

    def fail(self, name: str, message: str):
        self.environment.events.request.fire(request_type="CHECK", name=name, response_time=0, response_length=0,
                                             exception=AssertionError(message), context={})


class Trainer(PlannerUser):
    """A trainer on their phone: opens their sessions and the roster, then taps marks (one fetch each)."""

    kind = "trainers"
    fixed_count = _fixed("trainers")

    def on_start(self):
        super().on_start()
        self.page("/training/my-sessions", "attendance: my sessions")
        self.roster = f"{self.programme}/sessions/{self.account['session_id']}/roster"
        self.forms = []
        self.open_roster()

    def open_roster(self):
        page = self.page(self.roster, "attendance: roster")
        if page is not None:
            self.forms = page.forms_to("/roster/marks")
            if len(self.forms) != self.account["enrolled"]:
                self.environment.events.request.fire(
                    request_type="CHECK", name="attendance: roster", response_time=0, response_length=0,
                    context={}, exception=AssertionError(f"{len(self.forms)} mark forms, "
                                                         f"{self.account['enrolled']} enrolled"))

    @task(8)
    def mark(self):
        if not self.forms:
            self.open_roster()
            return
        form = random.choice(self.forms)
        status = random.choice(MARK_STATUSES)
        body, content_type = _multipart(form.values(status=status))
        headers = {"Accept": "application/json", "X-Requested-With": "fetch",
                   "X-CSRFToken": form.fields.get("csrf_token", ""), "Content-Type": content_type}
        with self.client.post(form.action, data=body, headers=headers, name="attendance: mark (fetch)",
                              allow_redirects=False, catch_response=True) as response:
            try:
                answer = response.json() if response.status_code == 200 else {}
            except ValueError:
                answer = {}
            if not answer.get("ok") or answer.get("mark", {}).get("status") != status:
                response.failure(f"{response.status_code} {answer.get('error', '')}".strip())
            else:
                response.success()

    @task(1)
    def reload_roster(self):
        self.open_roster()

    @task(1)
    def my_sessions(self):
        self.page("/training/my-sessions", "attendance: my sessions")


class HelloUser(FastHttpUser):
    """The ceiling: a bare WSGI answer from the same gunicorn workers, no pause between requests."""

    wait_time = constant(0)

    @task
    def hello(self):
        with self.client.get("/hello", name="hello", catch_response=True) as response:
            if response.status_code != 200 or response.content != b"hello":
                response.failure(f"{response.status_code}")
            else:
                response.success()
