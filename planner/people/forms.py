from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, StringField
from wtforms.validators import Email, InputRequired, Length

from planner.core.forms import VersionedForm, optional_id_field


class PersonForm(VersionedForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=320)])
    department_id = optional_id_field(_l("Department"))
    job_role = StringField(_l("Job role"), validators=[Length(max=120)])
    region_id = optional_id_field(_l("Region"))
    is_super_user = BooleanField(_l("Super-user (internal expert who helps colleagues)"))


class PeopleUploadForm(FlaskForm):
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Choose a CSV file."))])


class PeopleImportConfirmForm(FlaskForm):
    #: the checked file's text, sent back to be checked again and imported
    csv_text = HiddenField(validators=[InputRequired()])
