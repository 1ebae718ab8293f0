from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("What was decided"), validators=[InputRequired(), Length(max=5000)])
    decided_on = DateField(_l("Decided on"), validators=[InputRequired()])
    decided_by = StringField(_l("Decided by"), validators=[InputRequired(), Length(max=300)])
