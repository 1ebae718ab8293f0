"""Writing the communication plan and its log: plan items, sending to an audience through the outbox, recording
held meetings, and status-update drafts."""
from datetime import date, datetime, time, timezone

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from planner.comms import audiences as audience_rules
from planner.comms.models import (
    Audience, CommsChannel, CommsPurpose, CommunicationItem, CommunicationLog, StatusUpdate, StatusUpdateState,
)
from planner.comms.recurrence import clean_recurrence, occurrences
from planner.core import audit, clock, mail, outbox, outbox_links
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme, Region

#: the outbox kind of plan and status-update emails; keys are ``comms:<log id>:<person id>``
OUTBOX_KIND = "comms"


# --- plan items -----------------------------------------------------------------------------------------

def _in_programme(model, programme_id: int, object_id, field: str, message: str, *, required: bool):
    if object_id in (None, ""):
        if required:
            raise DomainError(message, field=field)
        return None
    obj = db.session.get(model, int(object_id))
    if obj is None or obj.programme_id != programme_id:
        raise DomainError(message, field=field)
    return obj


def _item_values(programme_id: int, *, title: str, purpose, audience_id, channel, owner_id, message: str,
                 planned_on: date | None, recurrence: str, region_id) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the item a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("The title is longer than 200 characters."), field="title")
    try:
        purpose, channel = CommsPurpose(purpose), CommsChannel(channel)
    except ValueError:
        raise DomainError(_("Choose a purpose and a channel."), field="purpose") from None
    if planned_on is None:
        raise DomainError(_("Give the date (the first date of a repeating item)."), field="planned_on")
    _check_date_range(programme_id, planned_on, "planned_on")
    audience = _in_programme(Audience, programme_id, audience_id, "audience_id",
                             _("Choose an audience of this programme."), required=True)
    owner = _in_programme(Person, programme_id, owner_id, "owner_id", _("Choose a person of this programme."),
                          required=False)
    region = _in_programme(Region, programme_id, region_id, "region_id", _("Choose a region of this programme."),
                           required=False)
    return {"title": title, "purpose": purpose, "audience_id": audience.id, "channel": channel,
            "owner_id": owner.id if owner else None, "message": (message or "").strip(), "planned_on": planned_on,
            "recurrence": clean_recurrence(recurrence, planned_on),
            "region_id": region.id if region else None}


#: plan and log dates are kept from a year before the programme starts to five years from today
YEARS_BEFORE_START, YEARS_AFTER_TODAY = 1, 5


def _years_from(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_date_range(programme_id: int, day: date, field: str) -> None:
    """Refuse dates far outside the programme (a typo like 0202 or 20226), which the pages cannot show."""
    programme = db.session.get(Programme, programme_id)
    earliest = _years_from(programme.start_date or clock.today(), -YEARS_BEFORE_START)
    latest = _years_from(clock.today(), YEARS_AFTER_TODAY)
    if not earliest <= day <= latest:
        raise DomainError(_("Give a date from %(earliest)s to %(latest)s.", earliest=earliest.isoformat(),
                            latest=latest.isoformat()), field=field)


def create_item(programme: Programme, **values) -> CommunicationItem:
    """Plan a message or meeting for an audience, once or repeating."""
    item = CommunicationItem(programme_id=programme.id, **_item_values(programme.id, **values))
    db.session.add(item)
    audit.record_create(item)
    return item


def update_item(item: CommunicationItem, *, expected_version: int | None, **values) -> None:
    """Change a plan item; log rows already written keep the occurrence they fulfilled."""
    check_version(item, expected_version)
    changes = audit.apply_changes(item, _item_values(item.programme_id, **values))
    if changes:
        db.session.flush()
        audit.record_update(item, changes)


def delete_item(item: CommunicationItem) -> None:
    """Remove a plan item; what was sent or held stays in the log (no longer linked to the item)."""
    audit.delete(item)


# --- the log ----------------------------------------------------------------------------------------------

def _check_occurrence(item: CommunicationItem, occurrence_on: date | None) -> None:
    if occurrence_on is None or occurrence_on not in occurrences(item.planned_on, item.recurrence,
                                                                 until=occurrence_on):
        raise DomainError(_("Choose a date of this plan item."), field="occurrence_on")
    if db.session.scalar(select(CommunicationLog.id).where(CommunicationLog.item_id == item.id,
                                                           CommunicationLog.occurrence_on == occurrence_on)):
        raise DomainError(_("This date of the plan item is already in the log."), field="occurrence_on")


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise DomainError(_("Give a subject."), field="subject")
    if len(subject) > 300:
        raise DomainError(_("The subject is longer than 300 characters."), field="subject")
    return subject


def _with_feedback_link(text: str, link: str) -> str:
    return text.rstrip() + "\n\n-- \n" + _("Questions or feedback? Tell us here (no login needed): %(link)s",
                                             link=link) + "\n"


def reach_of(audience: Audience) -> dict:
    """Whom a message to ``audience`` reaches now, kept on its log row for the gap check (one query)."""
    rule = audience_rules.rules_of([audience])[audience.id]
    covered = sorted(region_id for region_id in rule["regions"] if audience_rules.covers_region(rule, region_id))
    return {"reached_everyone": bool(rule["is_everyone"]),
            "covered_region_ids": ",".join(str(region_id) for region_id in covered)}


def send_to_audience(programme: Programme, *, audience: Audience, purpose, channel=CommsChannel.EMAIL,
                     subject: str, text: str, html: str | None = None, item: CommunicationItem | None = None,
                     occurrence_on: date | None = None, sent_by_id: int | None = None,
                     region_id: int | None = None) -> CommunicationLog:
    """Email ``audience`` as it is now: one outbox message per person (each with their own feedback link),
    and one log row. People without an email address are counted in ``without_email_count``, not refused."""
    from planner.feedback.links import emailed_feedback_url, ensure_feedback_links

    if audience.programme_id != programme.id:
        raise DomainError(_("Choose an audience of this programme."), field="audience_id")
    subject = _clean_subject(subject)
    if not (text or "").strip():
        raise DomainError(_("Write the message."), field="body")
    if item is not None:
        _check_occurrence(item, occurrence_on)
    log = CommunicationLog(programme_id=programme.id, item_id=item.id if item else None,
                           occurrence_on=occurrence_on if item else None, audience_id=audience.id,
                           audience_name=audience.name, purpose=CommsPurpose(purpose),
                           channel=CommsChannel(channel), subject=subject, body=text, happened_at=clock.now(),
                           recorded_by_id=sent_by_id, region_id=region_id, **reach_of(audience))
    db.session.add(log)
    db.session.flush()
    people = db.session.scalars(audience_rules.members_query(audience)).all()
    reachable = [person for person in people if (person.email or "").strip()]
    ensure_feedback_links(reachable)  # one query for the existing links, one insert for the new ones
    sent, without_email = 0, len(people) - len(reachable)
    for person in reachable:
        secret = outbox_links.SecretLinks()
        link = emailed_feedback_url(person.id, secret)
        message = mail.compose(to=person.email, subject=subject, text=_with_feedback_link(text, link),
                               html=_html_with_link(html, link) if html else None)
        outbox.enqueue(message, key=f"comms:{log.id}:{person.id}", kind=OUTBOX_KIND, programme_id=programme.id,
                       links=secret)
        sent += 1
    log.recipients_count, log.without_email_count = sent, without_email
    audit.record_create(log)
    return log


def _html_with_link(html: str, link: str) -> str:
    """The HTML body with the person's feedback link as its last paragraph (inside the body element)."""
    note = escape(_("Questions or feedback? Tell us here (no login needed):"))
    paragraph = Markup('<p>{} <a href="{}">{}</a></p>\n').format(note, link, link)
    head, tag, tail = html.rpartition("</body>")
    return f"{head}{paragraph}{tag}{tail}" if tag else f"{html}\n{paragraph}"


def send_item(item: CommunicationItem, occurrence_on: date, subject: str, body: str,
              sender_user=None) -> CommunicationLog:
    """Send one occurrence of an email plan item to its audience now."""
    if item.channel != CommsChannel.EMAIL:
        raise DomainError(_("This item is not an email: record it as held instead."))
    programme = db.session.get(Programme, item.programme_id)
    return send_to_audience(programme, audience=item.audience, purpose=item.purpose, channel=item.channel,
                            subject=subject, text=body, item=item, occurrence_on=occurrence_on,
                            sent_by_id=sender_user.id if sender_user is not None else None,
                            region_id=item.region_id)


def record_held(programme: Programme, *, held_on: date | None, subject: str, notes: str = "",
                item: CommunicationItem | None = None, occurrence_on: date | None = None,
                audience_id=None, purpose=None, channel=None, region_id=None, recipients_count: int = 0,
                recorded_by_id: int | None = None) -> CommunicationLog:
    """Log a meeting, town hall, intranet post or other message that did not go through the planner's mail.
    With a plan item, its audience, purpose, channel and region are taken and ``occurrence_on`` is fulfilled."""
    if held_on is None:
        raise DomainError(_("Give the date it was held or published."), field="held_on")
    if held_on > clock.today():
        raise DomainError(_("Only what already happened goes into the log."), field="held_on")
    _check_date_range(programme.id, held_on, "held_on")
    subject = _clean_subject(subject)
    if item is not None:
        if item.programme_id != programme.id:
            raise DomainError(_("Choose a plan item of this programme."), field="item_id")
        _check_occurrence(item, occurrence_on)
        audience, purpose, channel, region_id = item.audience, item.purpose, item.channel, item.region_id
    else:
        audience = _in_programme(Audience, programme.id, audience_id, "audience_id",
                                 _("Choose an audience of this programme."), required=True)
        try:
            purpose, channel = CommsPurpose(purpose), CommsChannel(channel)
        except ValueError:
            raise DomainError(_("Choose a purpose and a channel."), field="purpose") from None
        region = _in_programme(Region, programme.id, region_id, "region_id", _("Choose a region of this programme."),
                               required=False)
        region_id = region.id if region else None
        occurrence_on = None
    if recipients_count is None or recipients_count < 0:
        raise DomainError(_("The number of people reached cannot be negative."), field="recipients_count")
    log = CommunicationLog(programme_id=programme.id, item_id=item.id if item else None, occurrence_on=occurrence_on,
                           audience_id=audience.id, audience_name=audience.name, purpose=purpose, channel=channel,
                           subject=subject, body=(notes or "").strip(),
                           happened_at=datetime.combine(held_on, time(12), tzinfo=timezone.utc),
                           recorded_by_id=recorded_by_id, recipients_count=recipients_count, region_id=region_id,
                           held_on=held_on, **reach_of(audience))
    db.session.add(log)
    audit.record_create(log)
    return log


def set_go_live_notice_days(programme: Programme, days, *, expected_version: int | None = None) -> None:
    """How many working days before its go-live a region's go-live notice must go out (gap check)."""
    check_version(programme, expected_version)
    if days is None or not 0 <= int(days) <= 60:
        raise DomainError(_("Give a number of working days from 0 to 60."), field="go_live_notice_days")
    changes = audit.apply_changes(programme, {"go_live_notice_days": int(days)})
    if changes:
        db.session.flush()
        audit.record_update(programme, changes)


# --- status updates ---------------------------------------------------------------------------------------

def last_status_update_on(audience: Audience) -> date | None:
    """The day of the last status update logged to this audience."""
    sent = db.session.scalar(select(CommunicationLog.happened_at)
                             .where(CommunicationLog.audience_id == audience.id,
                                    CommunicationLog.purpose == CommsPurpose.STATUS_UPDATE)
                             .order_by(CommunicationLog.happened_at.desc()).limit(1))
    return sent.date() if sent is not None else None


def draft_status_update(programme: Programme, audience_id, *, created_by_id: int | None = None) -> StatusUpdate:
    """Generate an editable status update for an audience from live data, covering what happened since the
    last status update logged to that audience (else since the programme started)."""
    from planner.comms.status_content import draft_status_update as generate

    audience = _in_programme(Audience, programme.id, audience_id, "audience_id",
                             _("Choose an audience of this programme."), required=True)
    today = clock.today()
    since = last_status_update_on(audience) or programme.start_date
    draft = generate(programme, audience, today=today, since=since)
    update = StatusUpdate(programme_id=programme.id, audience_id=audience.id, subject=draft.subject[:300],
                          body=draft.text(), body_html=draft.html(), since=since, created_by_id=created_by_id,
                          state=StatusUpdateState.DRAFT)
    db.session.add(update)
    audit.record_create(update)
    return update


def _check_draft(update: StatusUpdate) -> None:
    if update.is_sent:
        raise DomainError(_("This status update was sent; it can no longer be changed."))


def update_status_update(update: StatusUpdate, *, expected_version: int | None, subject: str, body: str) -> None:
    """Edit a draft before it is sent."""
    _check_draft(update)
    check_version(update, expected_version)
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")  # browsers post CRLF line ends
    if not body.strip():
        raise DomainError(_("Write the message."), field="body")
    values = {"subject": _clean_subject(subject), "body": body.strip()}
    if values["body"] != update.body.replace("\r\n", "\n").strip():
        values["body_html"] = ""  # the generated HTML no longer says what the text says
    changes = audit.apply_changes(update, values)
    if changes:
        db.session.flush()
        audit.record_update(update, changes)


def delete_status_update(update: StatusUpdate) -> None:
    """Throw a draft away (a sent update stays, with its log row)."""
    _check_draft(update)
    audit.delete(update)


def send_status_update(update: StatusUpdate, *, expected_version: int | None, sent_by_id: int | None = None,
                       today: date | None = None) -> CommunicationLog:
    """Email a draft to its audience and log it. When a status-update plan item for this audience has an open
    occurrence that is due or overdue, the send fulfils the earliest such occurrence."""
    from planner.comms.flags import open_occurrence_for

    _check_draft(update)
    check_version(update, expected_version)
    programme = db.session.get(Programme, update.programme_id)
    item, occurrence_on = open_occurrence_for(programme, update.audience_id, CommsPurpose.STATUS_UPDATE,
                                              today or clock.today())
    log = send_to_audience(programme, audience=update.audience, purpose=CommsPurpose.STATUS_UPDATE,
                           subject=update.subject, text=update.body, html=update.body_html or None, item=item,
                           occurrence_on=occurrence_on,
                           sent_by_id=sent_by_id)
    changes = audit.apply_changes(update, {"state": StatusUpdateState.SENT, "log_id": log.id})
    db.session.flush()
    audit.record_update(update, changes)
    return log
