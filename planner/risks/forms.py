"""Forms of the risk register. Choices that depend on the programme are set by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from planner.core.forms import VersionedForm, as_choices
from planner.people.picker import PersonField
from planner.risks.models import RiskCategory, RiskStatus
from planner.rollout.forms import CheckboxesField

CATEGORY_LABELS = {
    RiskCategory.SPONSORSHIP: _l("Sponsorship"), RiskCategory.COMMITTEE: _l("Steering committee"),
    RiskCategory.VISION_GOALS: _l("Vision and goals"), RiskCategory.COMMUNICATION: _l("Communication"),
    RiskCategory.BUSINESS_PROCESS: _l("Business process"), RiskCategory.CHANGE_CULTURE: _l("Change and culture"),
    RiskCategory.SCOPE: _l("Scope"), RiskCategory.TRAINING: _l("Training"), RiskCategory.ADOPTION: _l("Adoption"),
    RiskCategory.TECHNICAL_FITNESS: _l("Technical fitness"), RiskCategory.DATA_QUALITY: _l("Data quality"),
    RiskCategory.INTEGRATION_VENDOR: _l("Integration and vendor"),
}
STATUS_LABELS = {RiskStatus.OPEN: _l("Open"), RiskStatus.MITIGATING: _l("Mitigating"),
                 RiskStatus.OCCURRED: _l("Occurred"), RiskStatus.CLOSED: _l("Closed")}
LIKELIHOOD_CHOICES = as_choices([("1", _l("1: rare")), ("2", _l("2: unlikely")), ("3", _l("3: possible")),
                                 ("4", _l("4: likely")), ("5", _l("5: almost certain"))])
IMPACT_CHOICES = as_choices([("1", _l("1: negligible")), ("2", _l("2: minor")), ("3", _l("3: moderate")),
                             ("4", _l("4: major")), ("5", _l("5: severe"))])


class RiskForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=as_choices(CATEGORY_LABELS.items()), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    likelihood = SelectField(_l("Likelihood"), choices=LIKELIHOOD_CHOICES, validators=[InputRequired()])
    impact = SelectField(_l("Impact"), choices=IMPACT_CHOICES, validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=as_choices(STATUS_LABELS.items()), validators=[InputRequired()])
    owner_id = PersonField(_l("Owner"))
    mitigation = TextAreaField(_l("Mitigation"), validators=[Optional(), Length(max=10000)])
    trigger = TextAreaField(_l("Trigger: what tells it is about to happen"), validators=[Optional(), Length(max=5000)])
    next_review_on = DateField(_l("Next review"), validators=[Optional()])
    stage_ids = CheckboxesField(_l("Stages"), coerce=int)
    region_ids = CheckboxesField(_l("Regions"), coerce=int)
    occurrence_ids = CheckboxesField(_l("Meetings"), coerce=int)

    def values(self) -> dict:
        return {"title": self.title.data, "category": self.category.data,
                "description": self.description.data or "", "likelihood": self.likelihood.data,
                "impact": self.impact.data, "status": self.status.data, "owner_id": self.owner_id.data,
                "mitigation": self.mitigation.data or "", "trigger": self.trigger.data or "",
                "next_review_on": self.next_review_on.data, "stage_ids": self.stage_ids.data or [],
                "region_ids": self.region_ids.data or [], "occurrence_ids": self.occurrence_ids.data or []}


class ReviewForm(VersionedForm):
    next_review_on = DateField(_l("Next review"), validators=[Optional()])
    likelihood = SelectField(_l("New likelihood"), choices=as_choices([("", _l("Unchanged"))]) + LIKELIHOOD_CHOICES,
                             validators=[Optional()])
    impact = SelectField(_l("New impact"), choices=as_choices([("", _l("Unchanged"))]) + IMPACT_CHOICES,
                         validators=[Optional()])
    status = SelectField(_l("New status"), choices=as_choices([("", _l("Unchanged"))] + list(STATUS_LABELS.items())),
                         validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])


class FilterForm(FlaskForm):
    """The register's filters, read from the query string."""

    status = SelectField(_l("Status"), choices=as_choices([("", _l("Any status"))] + list(STATUS_LABELS.items())),
                         validators=[Optional()])
    category = SelectField(_l("Category"),
                           choices=as_choices([("", _l("Any category"))] + list(CATEGORY_LABELS.items())),
                           validators=[Optional()])
    owner = PersonField(_l("Owner"))
    overdue = BooleanField(_l("Review overdue"))

    class Meta:
        csrf = False
