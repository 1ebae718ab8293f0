"""Questions and feedback: any member of the programme submits one (as on the feedback page, at most ten a day per
person); a project manager answers it, and whoever asked is emailed the answer through the outbox, as on the item
page. Reading the list needs PEOPLE_VIEW, as the answering list does: items say who asked (as ids only; names,
email addresses and personal feedback links are never part of the API)."""
from datetime import datetime

from flask_login import current_user

from planner.api.framework import Resource
from planner.api.schemas import Id, InputModel, Name, OutputModel, partial
from planner.core.errors import check_version
from planner.core.permissions import Permission
from planner.feedback import queries, services
from planner.feedback.models import FeedbackItem, FeedbackKind, FeedbackState, FeedbackTopic


class FeedbackOut(OutputModel):
    id: int
    programme_id: int
    kind: FeedbackKind
    topic: FeedbackTopic
    text: str
    region_id: int | None
    #: who asked: their person in the programme and/or their account
    person_id: int | None
    user_id: int | None
    submitted_at: datetime
    state: FeedbackState
    answer: str
    answered_at: datetime | None
    answered_by_id: int | None
    #: on the programme's FAQ, with the question worded as ``faq_question``
    is_published: bool
    faq_question: str
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class FeedbackCreate(InputModel):
    """A question or feedback from you (as your person in the programme, when your account has one). At most ten
    in 24 hours per person."""

    kind: FeedbackKind = FeedbackKind.QUESTION
    topic: FeedbackTopic = FeedbackTopic.OTHER
    text: Name(services.MAX_TEXT_LENGTH)
    region_id: Id | None = None


class FeedbackAnswer(InputModel):
    """The answer (project managers; a PATCH is the only change the API offers, and feedback is not deleted, as
    on the pages). Answering, or changing the answer, emails it to whoever asked through the outbox; sending the
    same answer again changes nothing and sends nothing."""

    answer: Name(services.MAX_ANSWER_LENGTH)


class Feedback(Resource):
    name = "feedback"
    title = "feedback item"
    model = FeedbackItem
    out = FeedbackOut
    create_schema = FeedbackCreate
    update_schema = partial(FeedbackAnswer, "FeedbackUpdate")
    read = Permission.PEOPLE_VIEW
    write = Permission.FEEDBACK_ANSWER
    operations = ("list", "create", "read", "update")

    def permission(self, op):
        return {"list": Permission.PEOPLE_VIEW, "read": Permission.PEOPLE_VIEW,
                "create": Permission.PROGRAMME_VIEW, "update": Permission.FEEDBACK_ANSWER}[op]

    def collection(self, programme):
        return queries.items_of(programme.id)

    def create(self, programme, values):
        person = current_user.person
        if person is not None and person.programme_id != programme.id:
            person = None
        return services.submit_feedback(programme, person=person, user_id=current_user.id, **values)

    def update(self, item, values, expected_version):
        if values["answer"] == item.answer:  # no answer sent, or the same one: nothing changes, nobody is emailed
            check_version(item, expected_version)
            return
        services.answer_feedback(item, answer=values["answer"], answered_by_id=current_user.id,
                                 expected_version=expected_version)

    def current_values(self, item):
        return {"answer": item.answer}


resource = Feedback()
