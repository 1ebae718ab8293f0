"""``GET /api/v1/me`` (who the token belongs to, their roles and calendar feed) and the OpenAPI document."""
from flask import jsonify
from flask_login import current_user
from sqlalchemy import select

from planner.api.framework import operation
from planner.api.openapi import openapi_document
from planner.api.schemas import OutputModel
from planner.calendar.tokens import feed_urls
from planner.core.permissions import Role
from planner.extensions import db
from planner.programmes.models import Membership, Programme


class MembershipOut(OutputModel):
    programme_id: int
    programme_name: str
    role: Role


class MeOut(OutputModel):
    """The user the token belongs to."""

    id: int
    email: str
    is_admin: bool
    memberships: list[MembershipOut]
    #: the user's calendar feed (https and webcal); null until they create it on the My calendar feed page
    calendar_feed_url: str | None
    calendar_feed_webcal_url: str | None


@operation("/me", "GET", endpoint="me", summary="Who am I: my account, roles and calendar feed", tag="me",
           response=MeOut)
def me():
    rows = db.session.execute(
        select(Membership.programme_id, Programme.name, Membership.role).join(Programme)
        .where(Membership.user_id == current_user.id).order_by(Programme.name, Membership.role)).all()
    urls = feed_urls(current_user)  # shown when it exists; reading it never creates one (a GET writes nothing)
    return MeOut(id=current_user.id, email=current_user.email, is_admin=current_user.is_admin,
                 memberships=[MembershipOut(programme_id=pid, programme_name=name, role=role)
                              for pid, name, role in rows],
                 calendar_feed_url=urls[0] if urls else None,
                 calendar_feed_webcal_url=urls[1] if urls else None).model_dump(mode="json")


@operation("/openapi.json", "GET", endpoint="openapi", summary="This API's OpenAPI 3.1 document", tag="meta",
           public_view=True)
def openapi():
    return jsonify(openapi_document())
