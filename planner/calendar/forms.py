"""Forms of the calendar pages: answering an invitation, and uploading a received reply."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from planner.committee.models import Answer

#: the answers a person can give, in the order the buttons show them
ANSWERS = (Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)
ANSWER_LABELS = {
    Answer.ACCEPTED: _l("Accepted"),
    Answer.TENTATIVE: _l("Maybe"),
    Answer.DECLINED: _l("Declined"),
    Answer.NEEDS_ACTION: _l("Not answered yet"),
}
#: what each button says
BUTTON_LABELS = {Answer.ACCEPTED: _l("Accept"), Answer.TENTATIVE: _l("Maybe"), Answer.DECLINED: _l("Decline")}


class RsvpForm(FlaskForm):
    """The answer comes from the button pressed (``name="answer"``), the comment from the text box."""

    answer = StringField(validators=[InputRequired(_l("Choose accept, maybe or decline.")),
                                     AnyOf([answer.value for answer in ANSWERS],
                                           message=_l("Choose accept, maybe or decline."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


class ReplyUploadForm(FlaskForm):
    file = FileField(_l("Reply file (.eml or .ics)"),
                     validators=[FileRequired(_l("Choose the .eml or .ics file of the reply."))])
