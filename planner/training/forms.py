"""Forms of the curriculum pages, and the words the pages use for a course's format."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.training.models import CourseFormat

FORMAT_LABELS = {CourseFormat.CLASSROOM: _l("Classroom"), CourseFormat.VIRTUAL: _l("Virtual"),
                 CourseFormat.SELF_PACED: _l("Self-paced")}


class CourseForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    format = SelectField(_l("Format"), choices=as_choices(FORMAT_LABELS.items()),
                         default=CourseFormat.CLASSROOM.value)
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120,
                                    validators=[InputRequired(), NumberRange(min=5, max=2880)])
    description = TextAreaField(_l("What it covers, for whom"), validators=[Optional(), Length(max=5000)])
    material_links = TextAreaField(_l("Material links (videos, guides), one per line"),
                                   validators=[Optional(), Length(max=20000)])


class RequirementForm(FlaskForm):
    job_role = StringField(_l("Job role"), validators=[Optional(), Length(max=120)],
                           render_kw={"list": "job-roles", "autocomplete": "off"})
    department_id = optional_id_field(_l("Department"))
