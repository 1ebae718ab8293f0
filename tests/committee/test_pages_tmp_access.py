import pytest
from sqlalchemy import select
import tests.test_access_matrix as m
from tests.committee import access


@pytest.fixture(autouse=True)
def patched(monkeypatch):
    original = m._plan_objects

    def plan(app, programme, region):
        ids = original(app, programme, region)
        with app.app_context():
            from planner.extensions import db
            from planner.people.models import Person
            from planner.programmes.models import Programme
            target = db.session.get(Programme, programme.id)
            person = db.session.scalar(select(Person).where(Person.programme_id == programme.id))
            ids.update(access.committee_objects(target, person))
            db.session.commit()
        return ids

    monkeypatch.setattr(m, "_plan_objects", plan)
    monkeypatch.setattr(m, "MATRIX", {**m.MATRIX, **access.ROWS})
    monkeypatch.setattr(m, "DELETES", {**m.DELETES, **access.DELETES})
    monkeypatch.setattr(m, "_OBJECT_KEYS", {**m._OBJECT_KEYS, **access.OBJECT_KEYS})


CASES = [pytest.param(e, meth, r, id=f"{e}-{meth}-{r}") for (e, meth) in access.ROWS for r in m.ROLES]


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES)
def test_access(app, client, factories, endpoint, method, role):
    m.test_access(app, client, factories, endpoint, method, role)


@pytest.mark.parametrize("role", ["admin", "pm_both"])
def test_cross(app, client, factories, role):
    m.test_objects_are_reached_only_through_their_own_programme(app, client, factories, role)


def test_covers(app):
    m.test_matrix_covers_every_route(app)
