"""Every form that names a person of the programme, through the person picker (planner/people/picker.py).

Programme A has more people than a select may list, so its forms show the search box; programme B is small and
keeps the select. Each form is filled the way a browser would send it (every field of the page's form as drawn,
then the person changed) and must save a person of its own programme, whether picked (the id the script sets)
or typed as an email address (no script), and refuse another programme's person or an unknown email with a 422
that writes nothing.
"""
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable

import pytest
from sqlalchemy import insert, select

from planner.changes.models import ChangeRequest
from planner.committee.models import ActionItem, AgendaItem, CommitteeMember, MeetingInvitee
from planner.comms.models import CommunicationItem
from planner.extensions import db
from planner.lifecycle.models import GateReview, Stage
from planner.people.models import Person
from planner.people.picker import SELECT_LIMIT, SEARCH_SUFFIX, person_label
from planner.programmes.models import Programme
from planner.risks.models import Risk
from planner.training.models import Enrolment, EnrolmentStatus
from tests.conftest import count_queries
from tests.factories import Factories
from tests.test_access_matrix import _module_connection, _rolled_back, _sessions_on, act_as, build_world  # noqa: F401


# --- reading a form the way a browser sends it ---------------------------------------------------------------

class _Forms(HTMLParser):
    """Every <form> of a page: its action and the (name, value) pairs a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action"), "method": (attrs.get("method") or "get").lower(),
                          "fields": [], "names": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if name:
            self._form["names"].add(name)
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "file") or (kind in ("checkbox", "radio")
                                                                 and "checked" not in attrs):
                return
            self._form["fields"].append([name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or ([self._select["first"]] if self._select["first"] is not None else [])
            self._form["fields"] += [[self._select["name"], value] for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append([self._textarea["name"], self._textarea["text"].lstrip("\n")])
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field_name: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    forms = [form for form in parser.forms if field_name in form["names"]]
    assert len(forms) == 1, f"{len(forms)} forms with a field {field_name}"
    return forms[0]


def send(client, page_url: str, field_name: str, values: dict[str, str]):
    """Open the page, fill its form holding ``field_name`` as drawn, set ``values`` and post it."""
    page = client.get(page_url)
    assert page.status_code == 200, page.get_data(as_text=True)[:1000]
    form = form_with(page.get_data(as_text=True), field_name)
    fields = [pair for pair in form["fields"] if pair[0] not in values] + [[k, v] for k, v in values.items()]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(form["action"] or page_url, data=data)


def problems(response) -> list[str]:
    """The messages a refused form shows (for assertion messages)."""
    html = response.get_data(as_text=True)
    return re.findall(r'<(?:ul class="errors"|div class="form-errors"|p class="flash[^"]*")[^>]*>(.*?)</(?:ul|div|p)>',
                      html, re.S) or [html[:300]]


# --- the forms -----------------------------------------------------------------------------------------------

@dataclass
class Case:
    #: the page that draws the form, with {placeholders} from the world's ids
    page: str
    #: the person field's name as drawn (with the form's prefix)
    field: str
    #: what the form wrote: the person of an edited record, or the people of a list a form adds to
    read: Callable[[dict], object]
    #: True: the form adds a record (the person joins ``read``); False: it sets ``read`` to the person
    adds: bool = False
    #: what else the form needs that the page draws empty
    extra: dict | None = None


def _scalar(query):
    return db.session.scalar(query)


def _people(query) -> set:
    return set(db.session.scalars(query))


CASES = {
    "risks.edit_risk": Case("/programmes/{programme_id}/risks/{risk_id}/edit", "owner_id",
                            lambda ids: _scalar(select(Risk.owner_id).where(Risk.id == ids["risk_id"]))),
    "risks.new_risk": Case("/programmes/{programme_id}/risks/new", "owner_id",
                           lambda ids: _people(select(Risk.owner_id).where(Risk.programme_id == ids["programme_id"])),
                           adds=True, extra={"title": "Vendor late"}),
    "committee.add_member": Case("/programmes/{programme_id}/committee", "person_id",
                                 lambda ids: _people(select(CommitteeMember.person_id)), adds=True),
    "committee.add_guest": Case("/programmes/{programme_id}/meetings/{meeting_id}", "guest-person_id",
                                lambda ids: _people(select(MeetingInvitee.person_id).where(
                                    MeetingInvitee.meeting_id == ids["meeting_id"])), adds=True),
    "committee.add_agenda_item": Case("/programmes/{programme_id}/occurrences/{occurrence_id}",
                                      "agenda-presenter_id",
                                      lambda ids: _people(select(AgendaItem.presenter_id).where(
                                          AgendaItem.occurrence_id == ids["occurrence_id"])), adds=True,
                                      extra={"agenda-title": "Budget"}),
    "committee.edit_agenda_item": Case("/programmes/{programme_id}/agenda-items/{item_id}/edit", "presenter_id",
                                       lambda ids: _scalar(select(AgendaItem.presenter_id).where(
                                           AgendaItem.id == ids["item_id"]))),
    "committee.add_meeting_action": Case("/programmes/{programme_id}/occurrences/{occurrence_id}",
                                         "action-owner_id",
                                         lambda ids: _people(select(ActionItem.owner_id).where(
                                             ActionItem.occurrence_id == ids["occurrence_id"])), adds=True,
                                         extra={"action-title": "Call the vendor"}),
    "committee.edit_action": Case("/programmes/{programme_id}/actions/{action_id}/edit", "owner_id",
                                  lambda ids: _scalar(select(ActionItem.owner_id).where(
                                      ActionItem.id == ids["action_id"]))),
    "changes.edit_change": Case("/programmes/{programme_id}/changes/{change_id}/edit", "requester_id",
                                lambda ids: _scalar(select(ChangeRequest.requester_id).where(
                                    ChangeRequest.id == ids["change_id"]))),
    "lifecycle.edit_stage": Case("/programmes/{programme_id}/stages/{stage_id}/edit", "owner_id",
                                 lambda ids: _scalar(select(Stage.owner_id).where(Stage.id == ids["stage_id"]))),
    "lifecycle.review_gate": Case("/programmes/{programme_id}/stages/{stage_id}/gate-review", "approved_by_id",
                                  lambda ids: _people(select(GateReview.approved_by_id).where(
                                      GateReview.stage_id == ids["stage_id"])), adds=True),
    "lifecycle.close_stage": Case("/programmes/{programme_id}/stages/{stage_id}", "override_approver_id",
                                  lambda ids: _scalar(select(Stage.override_approver_id).where(
                                      Stage.id == ids["stage_id"])),
                                  extra={"override_reason": "The sponsor accepts the open criteria."}),
    "programmes.edit_programme": Case("/programmes/{programme_id}/edit", "sponsor_id",
                                      lambda ids: _scalar(select(Programme.sponsor_id).where(
                                          Programme.id == ids["programme_id"]))),
    "comms.edit_item": Case("/programmes/{programme_id}/comms/{comm_item_id}/edit", "owner_id",
                            lambda ids: _scalar(select(CommunicationItem.owner_id).where(
                                CommunicationItem.id == ids["comm_item_id"]))),
    "training.enrol_person": Case("/programmes/{programme_id}/sessions/{session_id}", "person_id",
                                  lambda ids: _people(select(Enrolment.person_id).where(
                                      Enrolment.session_id == ids["session_id"],
                                      Enrolment.status == EnrolmentStatus.ENROLLED)), adds=True),
}


@pytest.fixture(scope="module")
def world(app, _module_connection):  # noqa: F811
    """The access matrix's two programmes; A gets more people than a select lists, plus two to choose."""
    with _sessions_on(_module_connection):
        world = build_world(Factories(app))
        with app.app_context():
            db.session.execute(insert(Person), [
                {"programme_id": world.a.programme.id, "full_name": f"Crowd {n:03d}",
                 "email": f"crowd{n:03d}@example.com", "job_role": "", "job_role_key": ""}
                for n in range(SELECT_LIMIT + 1)])
            db.session.commit()
        factories = Factories(app)
        extra = {side: [factories.person(getattr(world, side).programme, f"Chosen {side} {n}",
                                         email=f"chosen.{side}.{n}@example.com") for n in (1, 2)]
                 for side in ("a", "b")}
    return world, extra


def _ids(side) -> dict:
    return side.url_values()


def _read(app, case: Case, ids: dict):
    with app.app_context():
        return case.read(ids)


def _written(case: Case, before, after, person_id: int) -> bool:
    if case.adds:
        return person_id not in before and person_id in after
    return after == person_id


@pytest.fixture
def as_manager(client, factories, world):
    act_as(client, factories, world[0], "pm_both")
    return client


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_large_programme_gets_a_search_box_that_saves_the_picked_person(app, as_manager, world, endpoint):
    world, extra = world
    case, ids = CASES[endpoint], _ids(world.a)
    page_url = case.page.format(**ids)
    html = as_manager.get(page_url).get_data(as_text=True)
    assert f'name="{case.field}{SEARCH_SUFFIX}"' in html and 'type="search"' in html
    assert f'data-lookup="/programmes/{ids["programme_id"]}/people/lookup"' in html
    assert "Crowd 000" not in html, "the crowd is not listed on the page"
    assert "/static/js/person-picker.js" in html

    picked = extra["a"][0]
    before = _read(app, case, ids)
    response = send(as_manager, page_url, case.field, {
        **(case.extra or {}), case.field: str(picked.id),
        case.field + SEARCH_SUFFIX: person_label(picked.full_name, picked.email)})
    assert response.status_code == 302, problems(response)
    assert _written(case, before, _read(app, case, ids), picked.id)


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_without_javascript_an_email_typed_in_names_the_person(app, as_manager, world, endpoint):
    world, extra = world
    case, ids = CASES[endpoint], _ids(world.a)
    typed = extra["a"][1]
    before = _read(app, case, ids)
    # the hidden id keeps what the page drew (the current person, or nobody): the text decides
    response = send(as_manager, case.page.format(**ids), case.field,
                    {**(case.extra or {}), case.field + SEARCH_SUFFIX: f"  {typed.email.upper()} "})
    assert response.status_code == 302, problems(response)
    assert _written(case, before, _read(app, case, ids), typed.id)


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_another_programmes_person_or_an_unknown_email_is_refused(app, as_manager, world, endpoint):
    world, extra = world
    case, ids = CASES[endpoint], _ids(world.a)
    page_url = case.page.format(**ids)
    stranger = extra["b"][0]
    before = _read(app, case, ids)
    for values, message in [
        ({case.field: str(stranger.id), case.field + SEARCH_SUFFIX: person_label(stranger.full_name, stranger.email)},
         "Choose a person of this programme."),
        ({case.field: "", case.field + SEARCH_SUFFIX: "nobody@nowhere.example"},
         "Nobody in this programme has the email address nobody@nowhere.example."),
        ({case.field: "", case.field + SEARCH_SUFFIX: "Chosen b 1"},
         "Nobody in this programme is called Chosen b 1. Type their email address."),
        ({case.field: str(stranger.id)}, "Choose a person of this programme."),
    ]:
        response = send(as_manager, page_url, case.field, {**(case.extra or {}), **values})
        body = response.get_data(as_text=True)
        assert response.status_code == 422, problems(response)
        assert message in body
        assert _read(app, case, ids) == before, "nothing written"


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_small_programme_keeps_the_select_which_refuses_another_programmes_person(app, as_manager, world,
                                                                                    endpoint):
    world, extra = world
    case, ids = CASES[endpoint], _ids(world.b)
    page_url = case.page.format(**ids)
    html = as_manager.get(page_url).get_data(as_text=True)
    chosen = extra["b"][0]
    assert re.search(rf'<select id="[^"]+" name="{case.field}"', html)
    label = person_label(chosen.full_name, chosen.email).replace("<", "&lt;").replace(">", "&gt;")
    assert f'<option value="{chosen.id}">{label}</option>' in html
    assert SEARCH_SUFFIX not in html.split(f'name="{case.field}"')[1].split("</select>")[0]

    before = _read(app, case, ids)
    response = send(as_manager, page_url, case.field, {**(case.extra or {}), case.field: str(extra["a"][0].id)})
    assert response.status_code == 422, problems(response)
    assert "Choose a person of this programme." in response.get_data(as_text=True)
    assert _read(app, case, ids) == before

    response = send(as_manager, page_url, case.field, {**(case.extra or {}), case.field: str(chosen.id)})
    assert response.status_code == 302, problems(response)
    assert _written(case, before, _read(app, case, ids), chosen.id)


def test_editing_shows_the_current_person_in_the_search_box(app, as_manager, world):
    world, extra = world
    ids = _ids(world.a)
    owner = extra["a"][0]
    with app.app_context():
        db.session.get(Risk, ids["risk_id"]).owner_id = owner.id
        db.session.commit()
    html = as_manager.get(f"/programmes/{ids['programme_id']}/risks/{ids['risk_id']}/edit").get_data(as_text=True)
    label = person_label(owner.full_name, owner.email).replace("<", "&lt;").replace(">", "&gt;")
    assert f'name="owner_id{SEARCH_SUFFIX}" value="{label}"' in html
    assert f'<input type="hidden" name="owner_id" value="{owner.id}" data-person-id>' in html

    # saved again untouched (the id and its name as drawn), the owner stays
    response = send(as_manager, f"/programmes/{ids['programme_id']}/risks/{ids['risk_id']}/edit", "owner_id", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Risk, ids["risk_id"]).owner_id == owner.id

    # the box emptied: nobody
    response = send(as_manager, f"/programmes/{ids['programme_id']}/risks/{ids['risk_id']}/edit", "owner_id",
                    {f"owner_id{SEARCH_SUFFIX}": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Risk, ids["risk_id"]).owner_id is None


def test_a_name_only_one_person_has_is_enough_and_a_shared_one_asks_for_the_email(app, as_manager, world):
    world, extra = world
    ids = _ids(world.a)
    url = f"/programmes/{ids['programme_id']}/risks/{ids['risk_id']}/edit"
    response = send(as_manager, url, "owner_id", {f"owner_id{SEARCH_SUFFIX}": "chosen A 2"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Risk, ids["risk_id"]).owner_id == extra["a"][1].id
        db.session.add(Person(programme_id=ids["programme_id"], full_name="Chosen a 2", email="twin@example.com"))
        db.session.commit()
    response = send(as_manager, url, "owner_id", {"owner_id": "", f"owner_id{SEARCH_SUFFIX}": "Chosen a 2"})
    assert response.status_code == 422
    assert "Several people are called Chosen a 2. Type the email address of the one you mean." in \
        response.get_data(as_text=True)


# --- what the pages weigh -----------------------------------------------------------------------------------

def test_the_risk_filter_lists_only_owners_and_accepts_one_typed_in(app, as_manager, world):
    world, extra = world
    ids = _ids(world.a)
    owner = extra["a"][0]
    with app.app_context():
        db.session.get(Risk, ids["risk_id"]).owner_id = owner.id
        db.session.commit()
    url = f"/programmes/{ids['programme_id']}/risks"
    html = as_manager.get(url).get_data(as_text=True)
    filter_form = html.split('class="filters"')[1].split("</form>")[0]
    assert re.findall(r'<option value="(\d+)"', filter_form.split('name="owner"')[1]) == [str(owner.id)]
    assert "Crowd" not in html

    listed = as_manager.get(url, query_string={"owner": owner.id}).get_data(as_text=True)
    assert "/risks/{}\"".format(ids["risk_id"]) in listed
    nobody = as_manager.get(url, query_string={"owner": extra["a"][1].id}).get_data(as_text=True)
    assert "/risks/{}\"".format(ids["risk_id"]) not in nobody
    typed = as_manager.get(url, query_string={"owner": "", f"owner{SEARCH_SUFFIX}": owner.email})
    assert "/risks/{}\"".format(ids["risk_id"]) in typed.get_data(as_text=True)
    stranger = as_manager.get(url, query_string={"owner": extra["b"][0].id}).get_data(as_text=True)
    assert "Choose a person of this programme." in stranger


@pytest.mark.parametrize("page", [
    "/programmes/{programme_id}/occurrences/{occurrence_id}",
    "/programmes/{programme_id}/meetings/{meeting_id}",
    "/programmes/{programme_id}/committee",
    "/programmes/{programme_id}/stages/{stage_id}",
    "/programmes/{programme_id}/sessions/{session_id}",
    "/programmes/{programme_id}/risks/{risk_id}/edit",
])
def test_page_weight_and_queries_do_not_grow_with_the_programmes_people(app, as_manager, world, page):
    """30 people (a select), then 600 and 1,200 (a search box): the page differs by a few KB from the small
    programme (lighter: the 30 names are gone), by nothing between the two large ones, and asks the database as
    many times each time; it lists at most SELECT_LIMIT people."""
    world, _extra = world
    ids = _ids(world.b)
    programme_id = ids["programme_id"]
    url = page.format(**ids)

    def add_people(count: int, start: int):
        with app.app_context():
            db.session.execute(insert(Person), [
                {"programme_id": programme_id, "full_name": f"Member {n:04d}", "email": f"member{n:04d}@example.com",
                 "job_role": "", "job_role_key": ""} for n in range(start, start + count)])
            db.session.commit()

    def measure():
        as_manager.get(url)
        with count_queries(app) as statements:
            response = as_manager.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return len(response.data), len(statements), html

    with app.app_context():
        have = db.session.scalar(select(db.func.count(Person.id)).where(Person.programme_id == programme_id))
    add_people(30 - have, 0)
    small_size, small_queries, small_html = measure()
    add_people(570, 1000)
    large_size, large_queries, large_html = measure()
    add_people(600, 2000)
    larger_size, larger_queries, _larger_html = measure()

    assert "Member 0001" in small_html  # 30 people: listed in the selects
    assert "Member 1001" not in large_html
    assert small_queries == large_queries == larger_queries
    assert abs(large_size - small_size) < 4000, (small_size, large_size)
    assert abs(larger_size - large_size) < 50, (large_size, larger_size)
    assert small_html.count("<option") < SELECT_LIMIT and large_html.count("<option") < SELECT_LIMIT
