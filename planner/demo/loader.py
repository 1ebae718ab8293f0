"""Load the demo programme from seeds/demo/. Idempotent: what exists already is left alone."""
import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from planner.auth import services as auth_services
from planner.auth.models import User
from planner.core.permissions import Role
from planner.extensions import db
from planner.people import csv_io
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes import services
from planner.programmes.models import Department, Membership, Programme, Region

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "seeds" / "demo"


def load_demo(password: str, seed_dir: Path = SEED_DIR) -> dict:
    """Create whatever of the demo programme is missing; return the logins and what was created."""
    spec = json.loads((seed_dir / "programme.json").read_text(encoding="utf-8"))
    created = {"programme": 0, "departments": 0, "regions": 0, "people": 0, "users": 0, "memberships": 0}

    info = spec["programme"]
    programme = db.session.scalar(select(Programme).where(Programme.name == info["name"]))
    if programme is None:
        programme = services.create_programme(
            name=info["name"], system_name=info["system_name"], start_date=date.fromisoformat(info["start_date"]),
            home_time_zone=info["home_time_zone"], description=info["description"])
        created["programme"] = 1

    department_names = set(db.session.scalars(select(Department.name).where(
        Department.programme_id == programme.id)))
    for department in spec["departments"]:
        if department["name"] not in department_names:
            services.create_department(programme, **department)
            created["departments"] += 1

    region_names = set(db.session.scalars(select(Region.name).where(Region.programme_id == programme.id)))
    for region in spec["regions"]:
        if region["name"] not in region_names:
            services.create_region(programme, **region)
            created["regions"] += 1

    people_csv = (seed_dir / "people.csv").read_text(encoding="utf-8")
    known_emails = set(db.session.scalars(select(Person.email).where(Person.programme_id == programme.id)))
    plan = csv_io.plan_import(programme, people_csv)
    new_rows = [row for row in plan.rows if row["email"] not in known_emails]
    for row in new_rows:
        people_services.create_person(programme, **row)
    created["people"] = len(new_rows)

    if programme.sponsor_id is None and info.get("sponsor_email"):
        sponsor_id = _person_id(programme, info["sponsor_email"])
        if sponsor_id:
            services.update_programme(programme, expected_version=None, name=programme.name,
                                      system_name=programme.system_name, start_date=programme.start_date,
                                      home_time_zone=programme.home_time_zone,
                                      description=programme.description, sponsor_id=sponsor_id)

    logins = []
    for account in spec["users"]:
        user = db.session.scalar(select(User).where(User.email == account["email"]))
        if user is None:
            person_id = _person_id(programme, account.get("person_email"))
            user = auth_services.create_user(account["email"], password, is_admin=account.get("is_admin", False),
                                             person_id=person_id)
            created["users"] += 1
        held = set(db.session.scalars(select(Membership.role).where(
            Membership.user_id == user.id, Membership.programme_id == programme.id)))
        for role in account["roles"]:
            if Role(role) not in held:
                services.grant_role(programme, user, role)
                created["memberships"] += 1
        logins.append((account["email"], "admin" if account.get("is_admin") else ", ".join(account["roles"])))
    db.session.flush()
    return {"programme": programme, "created": created, "logins": logins}


def _person_id(programme: Programme, email: str | None) -> int | None:
    if not email:
        return None
    return db.session.scalar(select(Person.id).where(Person.programme_id == programme.id, Person.email == email))
