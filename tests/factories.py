"""Factories that write through the real services and return detached, loaded objects."""
import itertools
from datetime import date

from planner.auth import services as auth_services
from planner.extensions import db
from planner.people import services as people_services
from planner.programmes import services as programme_services

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


class Factories:
    def __init__(self, app):
        self.app = app

    def _commit(self, obj):
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def programme(self, name: str | None = None, *, regions=(), departments=(), **values):
        """A programme, optionally with regions (names or dicts) and departments (names)."""
        n = next(_counter)
        with self.app.app_context():
            programme = programme_services.create_programme(
                name=name or f"Programme {n}", system_name=values.get("system_name", "Helix CRM"),
                start_date=values.get("start_date", date(2026, 3, 2)),
                home_time_zone=values.get("home_time_zone", "Europe/Berlin"),
                description=values.get("description", ""))
            for region in regions:
                spec = {"name": region} if isinstance(region, str) else dict(region)
                spec.setdefault("tier", "standard")
                spec.setdefault("time_zone", "Europe/Berlin")
                spec.setdefault("headcount", 10)
                spec.setdefault("site_notes", "")
                programme_services.create_region(programme, **spec)
            for department in departments:
                programme_services.create_department(programme, name=department, is_it=department == "IT")
            return self._commit(programme)

    def region(self, programme, name: str | None = None, **values):
        with self.app.app_context():
            from planner.programmes.models import Programme

            target = db.session.get(Programme, programme.id)
            region = programme_services.create_region(
                target, name=name or f"Region {next(_counter)}", tier=values.get("tier", "standard"),
                time_zone=values.get("time_zone", "Europe/Berlin"), headcount=values.get("headcount", 10),
                site_notes=values.get("site_notes", ""))
            return self._commit(region)

    def department(self, programme, name: str | None = None, is_it: bool = False):
        with self.app.app_context():
            from planner.programmes.models import Programme

            target = db.session.get(Programme, programme.id)
            department = programme_services.create_department(target, name=name or f"Dept {next(_counter)}",
                                                              is_it=is_it)
            return self._commit(department)

    def person(self, programme, full_name: str | None = None, **values):
        n = next(_counter)
        with self.app.app_context():
            from planner.programmes.models import Programme

            target = db.session.get(Programme, programme.id)
            person = people_services.create_person(
                target, full_name=full_name or f"Person {n}", email=values.get("email", f"person{n}@example.com"),
                department_id=values.get("department_id"), job_role=values.get("job_role", "Sales representative"),
                region_id=values.get("region_id"), is_super_user=values.get("is_super_user", False))
            return self._commit(person)

    def user(self, email: str | None = None, *, is_admin: bool = False, password: str = PASSWORD, **values):
        with self.app.app_context():
            user = auth_services.create_user(email or f"user{next(_counter)}@example.com", password,
                                             is_admin=is_admin, **values)
            return self._commit(user)

    def grant(self, user, programme, role: str):
        with self.app.app_context():
            from planner.auth.models import User
            from planner.programmes.models import Programme

            membership = programme_services.grant_role(db.session.get(Programme, programme.id),
                                                       db.session.get(User, user.id), role)
            return self._commit(membership)

    def user_with_role(self, role: str, programme=None, *, email: str | None = None):
        """A user who is an admin (role "admin"), holds ``role`` in ``programme``, or has no role ("none")."""
        user = self.user(email, is_admin=role == "admin")
        if role not in ("admin", "none") and programme is not None:
            self.grant(user, programme, role)
        return user
