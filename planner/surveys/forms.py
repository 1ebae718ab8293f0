"""Forms of the survey pages, and the plain-language words for the ADKAR elements."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from planner.core.forms import VersionedForm, as_choices, optional_id_field

#: element -> (short label, the question asked in plain words)
ELEMENT_LABELS = {
    "awareness": _l("Awareness"),
    "desire": _l("Desire"),
    "knowledge": _l("Knowledge"),
    "ability": _l("Ability"),
    "reinforcement": _l("Reinforcement"),
}
ELEMENT_QUESTIONS = {
    "awareness": _l("I understand why we are changing to the new system and what happens if we do not."),
    "desire": _l("I want to take part in the change and use the new system."),
    "knowledge": _l("I know how to do my work in the new system (training, guides, where to ask)."),
    "ability": _l("I can actually do my daily work in the new system, with the time and access I have."),
    "reinforcement": _l("What keeps the change going is in place: follow-up, recognition, no way back to the old "
                        "spreadsheets."),
}
SCORE_CHOICES = [("1", _l("1 · strongly disagree")), ("2", _l("2")), ("3", _l("3")), ("4", _l("4")),
                 ("5", _l("5 · strongly agree"))]


def _score_field(element: str) -> RadioField:
    return RadioField(ELEMENT_LABELS[element], choices=as_choices(SCORE_CHOICES),
                      validators=[InputRequired(message=_l("Choose a score from 1 to 5."))])


class RoundForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    audience_id = optional_id_field(_l("Audience"))
    opens_on = DateField(_l("Opens on"), validators=[InputRequired()])
    closes_on = DateField(_l("Last day for answers"), validators=[InputRequired()])
    intro = TextAreaField(_l("A word to the people asked"), validators=[Optional(), Length(max=5000)])


class RemindForm(VersionedForm):
    """The remind button: carries the version the round was shown at, so a double click is refused."""

    version = HiddenField(validators=[InputRequired()])


class ScoresForm(FlaskForm):
    awareness = _score_field("awareness")
    desire = _score_field("desire")
    knowledge = _score_field("knowledge")
    ability = _score_field("ability")
    reinforcement = _score_field("reinforcement")
    comment = TextAreaField(_l("Anything else you want to tell us (optional)"),
                            validators=[Optional(), Length(max=2000)])

    def scores(self) -> dict:
        return {name: getattr(self, name).data for name in ELEMENT_LABELS}


class PaperForm(ScoresForm):
    region_id = optional_id_field(_l("Region written on the form"))
