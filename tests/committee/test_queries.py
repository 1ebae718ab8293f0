"""The committee's read helpers that the pages and the JSON API compose: meetings of a programme and the
occurrences of one meeting, as Select statements."""
from datetime import datetime

from sqlalchemy import Select

from planner.committee import queries
from planner.extensions import db
from tests.committee.test_pages_helpers import occurrence_ids, schedule
from tests.conftest import count_queries


def test_meetings_of_lists_the_programmes_meetings_in_start_order(app, make_programme):
    programme, other = make_programme(), make_programme()
    later = schedule(app, programme, title="Later", local_start=datetime(2026, 10, 13, 10, 0), count=2)
    sooner = schedule(app, programme, title="Sooner", local_start=datetime(2026, 10, 6, 10, 0), count=2)
    schedule(app, other, title="Elsewhere", count=2)

    statement = queries.meetings_of(programme.id)

    assert isinstance(statement, Select)
    with app.app_context():
        assert [meeting.id for meeting in db.session.scalars(statement)] == [sooner, later]


def test_occurrences_of_meeting_come_in_time_order_with_their_meeting_loaded(app, make_programme):
    programme = make_programme()
    meeting_id = schedule(app, programme, count=4)
    schedule(app, programme, title="Another meeting", count=3)

    statement = queries.occurrences_of_meeting(meeting_id)

    assert isinstance(statement, Select)
    with app.app_context(), count_queries(app) as statements:
        occurrences = db.session.scalars(statement).all()
        titles = {occurrence.meeting.title for occurrence in occurrences}
    assert [occurrence.id for occurrence in occurrences] == occurrence_ids(app, meeting_id)
    assert titles == {"Steering committee"}
    assert len(statements) == 1
    starts = [occurrence.starts_at for occurrence in occurrences]
    assert starts == sorted(starts) and len(starts) == 4
