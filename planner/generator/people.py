"""The programme's people as bulk rows: names, emails, departments, job roles and regions, weighted so that
headquarters and the key regions are the larger ones; a few super-users, mostly from the business."""
import unicodedata

from planner.extensions import db
from planner.generator.bulk import insert_returning_ids
from planner.generator.structure import Frame
from planner.generator.vocabulary import DEPARTMENTS, FIRST_NAMES, LAST_NAMES
from planner.people.models import Person, job_role_key
from planner.programmes.models import RegionTier

TIER_WEIGHT = {RegionTier.PILOT: 3.0, RegionTier.KEY: 2.0, RegionTier.STANDARD: 1.0}
SUPER_USER_SHARE = 0.02


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def create_people(frame: Frame, count: int, rng) -> list[dict]:
    """Insert ``count`` people; returns their rows (with ``id``) in insertion order."""
    region_weights = [TIER_WEIGHT[region.tier] * rng.uniform(0.7, 1.3) for region in frame.regions]
    roles = [(department.id, department.is_it, role) for department, (_name, _is_it, role_weights)
             in zip(frame.departments, DEPARTMENTS) for role, _weight in role_weights]
    role_weights = [weight for _department, _is_it, department_roles in DEPARTMENTS
                    for _role, weight in department_roles]
    rows = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        region = rng.choices(frame.regions, region_weights)[0]
        department_id, is_it, job_role = rng.choices(roles, role_weights)[0]
        rows.append({
            "programme_id": frame.programme.id, "full_name": f"{first} {last}",
            "email": f"{_ascii(first)}.{_ascii(last)}.{number}@example.com", "department_id": department_id,
            "job_role": job_role, "job_role_key": job_role_key(job_role), "region_id": region.id,
            "is_super_user": rng.random() < SUPER_USER_SHARE * (0.3 if is_it else 1.2),
        })
    for row, person_id in zip(rows, insert_returning_ids(Person, rows)):
        row["id"] = person_id
    listed = {region.id: 0 for region in frame.regions}
    for row in rows:
        listed[row["region_id"]] += 1
    for region in frame.regions:
        region.headcount = round(listed[region.id] * rng.uniform(1.0, 1.15))
    db.session.flush()
    return rows
