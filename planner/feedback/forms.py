"""Forms of the feedback pages, and the words the pages use for kinds, topics and states."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.feedback.models import FeedbackKind, FeedbackState, FeedbackTopic
from planner.feedback.services import MAX_ANSWER_LENGTH, MAX_FAQ_QUESTION_LENGTH, MAX_TEXT_LENGTH

KIND_LABELS = {FeedbackKind.QUESTION: _l("Question"), FeedbackKind.FEEDBACK: _l("Feedback")}
TOPIC_LABELS = {FeedbackTopic.PROCESS: _l("Process"), FeedbackTopic.TRAINING: _l("Training"),
                FeedbackTopic.SYSTEM: _l("The system"), FeedbackTopic.DATA: _l("Data"),
                FeedbackTopic.GO_LIVE: _l("Go-live"), FeedbackTopic.OTHER: _l("Other")}
STATE_LABELS = {FeedbackState.OPEN: _l("Open"), FeedbackState.ANSWERED: _l("Answered"),
                FeedbackState.CLOSED: _l("Closed without answer")}


class SubmitForm(FlaskForm):
    kind = SelectField(_l("This is a"), choices=as_choices(KIND_LABELS.items()),
                       default=FeedbackKind.QUESTION.value)
    topic = SelectField(_l("Topic"), choices=as_choices(TOPIC_LABELS.items()), default=FeedbackTopic.OTHER.value)
    region_id = optional_id_field(_l("Region"))
    text = TextAreaField(_l("Your question or feedback"),
                         validators=[InputRequired(), Length(max=MAX_TEXT_LENGTH)],
                         render_kw={"rows": 5, "maxlength": MAX_TEXT_LENGTH})


class _ActionForm(VersionedForm):
    """A state change on an item: carries the version it was shown at, so a stale click is refused."""

    version = HiddenField(validators=[InputRequired()])


class AnswerForm(_ActionForm):
    answer = TextAreaField(_l("Answer"), validators=[InputRequired(), Length(max=MAX_ANSWER_LENGTH)],
                           render_kw={"rows": 6})


class PublishForm(_ActionForm):
    faq_question = TextAreaField(_l("Question as the FAQ shows it"),
                                 validators=[InputRequired(), Length(max=MAX_FAQ_QUESTION_LENGTH)],
                                 render_kw={"rows": 2})


class ItemActionForm(_ActionForm):
    """Close, reopen, unpublish: nothing but the version."""
