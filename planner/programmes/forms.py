from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from planner.core.forms import TimeZoneField, VersionedForm, as_choices
from planner.core.permissions import Role
from planner.people.picker import PersonField
from planner.programmes.models import RegionTier

TIER_LABELS = {RegionTier.PILOT: _l("Pilot"), RegionTier.KEY: _l("Key region"),
               RegionTier.STANDARD: _l("Standard")}
ROLE_LABELS = {Role.PROJECT_MANAGER: _l("Project manager"), Role.COMMITTEE_MEMBER: _l("Committee member"),
               Role.TRAINER: _l("Trainer"), Role.VIEWER: _l("Viewer")}


class ProgrammeForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    system_name = StringField(_l("System being rolled out"), validators=[InputRequired(), Length(max=200)])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    home_time_zone = TimeZoneField(_l("Home time zone"))
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    sponsor_id = PersonField(_l("Executive sponsor"))


class RegionForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    tier = SelectField(_l("Tier"), choices=as_choices(TIER_LABELS.items()))
    time_zone = TimeZoneField(_l("Time zone"))
    headcount = IntegerField(_l("Headcount"), default=0, validators=[InputRequired(), NumberRange(min=0)])
    site_notes = TextAreaField(_l("Site readiness notes (network, access)"), validators=[Length(max=5000)])


class DepartmentForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    is_it = BooleanField(_l("This is an IT department"))


class MembershipForm(FlaskForm):
    user_id = SelectField(_l("User"), coerce=int)
    role = SelectField(_l("Role"), choices=as_choices(ROLE_LABELS.items()))
