from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from planner.auth.passwords import MIN_PASSWORD_LENGTH
from planner.core.forms import VersionedForm, as_choices, optional_id_field


PASSWORD_LENGTH_MESSAGE = _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me logged in on this device (30 days)"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"),
                                 validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000,
                                                                    message=PASSWORD_LENGTH_MESSAGE)])
    confirm_password = PasswordField(_l("Repeat the new password"),
                                     validators=[InputRequired(), EqualTo("new_password",
                                                                          _l("The two passwords differ."))])


def language_choices():
    names = {"en": "English"}
    return as_choices([("", _l("Same as my browser"))] + [(code, names.get(code, code))
                                                          for code in current_app.config["LANGUAGES"]])


class AccountForm(FlaskForm):
    preferred_language = SelectField(_l("Language"), choices=language_choices)


class UserForm(VersionedForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=320)])
    new_password = PasswordField(_l("Password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=1000,
                                                                message=PASSWORD_LENGTH_MESSAGE)])
    is_active = BooleanField(_l("Active (may log in)"), default=True)
    is_admin = BooleanField(_l("Administrator of the whole planner"))
    preferred_language = SelectField(_l("Language"), choices=language_choices)
    person_id = optional_id_field(_l("Linked person record"))
