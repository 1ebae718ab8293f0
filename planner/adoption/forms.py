from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from planner.adoption.models import AdoptionSource
from planner.core.forms import VersionedForm

SOURCE_LABELS = {AdoptionSource.ENTERED: _l("entered"), AdoptionSource.CSV: _l("CSV import"),
                 AdoptionSource.API: _l("API")}


def _id_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AdoptionFigureForm(FlaskForm):
    region_id = SelectField(_l("Region"), coerce=_id_or_none, validators=[InputRequired()])
    week = StringField(_l("Week"), validators=[InputRequired(), Length(max=20)],
                       description=_l("Any day of the week (2026-10-07) or the ISO week (2026-W41)."))
    active_users = IntegerField(_l("Active users"), validators=[InputRequired()],
                                description=_l("Users who worked in the system during the week."))
    licensed_users = IntegerField(_l("Licensed users"), validators=[InputRequired()])


class AdoptionFigureEditForm(VersionedForm):
    active_users = IntegerField(_l("Active users"), validators=[InputRequired()])
    licensed_users = IntegerField(_l("Licensed users"), validators=[InputRequired()])


class AdoptionUploadForm(FlaskForm):
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Choose a CSV file."))])


class AdoptionImportConfirmForm(FlaskForm):
    #: the checked file's text, sent back to be checked again and imported
    csv_text = HiddenField(validators=[InputRequired()])


class NominateSuperUserForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=_id_or_none, validators=[InputRequired()])
