"""A small survey world for the tests of this folder: a programme with regions and people, an audience."""
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select

from planner.comms import audiences
from planner.core import secret_links
from planner.extensions import db
from planner.programmes.models import Programme
from planner.surveys import services
from planner.surveys.models import SurveyInvitation

DAY = date(2026, 11, 2)
NOON = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)


@dataclass
class SurveyWorld:
    programme: Programme
    regions: dict[str, int]
    people: dict[str, int]
    audience_id: int


def make_world(app, factories, *, per_region: int = 3) -> SurveyWorld:
    """Regions Hamburg (pilot) and Boston (key) with ``per_region`` people each, one person without a region,
    and an audience of everyone."""
    programme = factories.programme(regions=[{"name": "Hamburg", "tier": "pilot"}, {"name": "Boston", "tier": "key"}])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
    people = {}
    for name, region_id in regions.items():
        for number in range(per_region):
            person = factories.person(programme, f"{name} person {number}", region_id=region_id)
            people[f"{name}{number}"] = person.id
    people["nowhere"] = factories.person(programme, "Roving person", region_id=None).id
    with app.app_context():
        audience = audiences.create_audience(db.session.get(Programme, programme.id), name="Everyone",
                                             description="", is_everyone=True, region_ids=[], department_ids=[],
                                             job_roles="", person_ids=[])
        db.session.commit()
        audience_id = audience.id
    return SurveyWorld(programme, regions, people, audience_id)


def make_round(app, world: SurveyWorld, *, open_it: bool = True, title: str = "Readiness check") -> int:
    with app.app_context():
        survey = services.create_round(db.session.get(Programme, world.programme.id), title=title,
                                       audience_id=world.audience_id, opens_on=DAY, closes_on=date(2026, 11, 20),
                                       intro="Tell us how ready you feel.")
        if open_it:
            services.open_round(survey)
        db.session.commit()
        return survey.id


def token_of(app, survey_id: int, person_id: int) -> str:
    with app.app_context():
        invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.round_id == survey_id,
                                                                      SurveyInvitation.person_id == person_id))
        return secret_links.derive_token(services.LINK_PURPOSE, invitation.link_salt)


def scores(a=4, d=4, k=4, ab=4, r=4) -> dict:
    return {"awareness": a, "desire": d, "knowledge": k, "ability": ab, "reinforcement": r}
