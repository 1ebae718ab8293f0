"""Who may mark a session's attendance: the one rule the roster page and the JSON API share."""
import pytest
from flask_login import login_user

from planner.auth.models import User
from planner.extensions import db
from planner.programmes.models import Programme
from planner.training.models import TrainingSession
from planner.training.sessions import may_mark
from tests.training.test_sessions_helpers import make_session, setup


@pytest.mark.parametrize(("who", "allowed"), [
    ("admin", True), ("project_manager", True), ("own trainer", True), ("other trainer", False),
    ("committee_member", False), ("viewer", False), ("project manager elsewhere", False),
])
def test_training_managers_mark_any_session_and_a_trainer_only_their_own(app, factories, who, allowed):
    s = setup(app, factories)
    session_id = make_session(app, s)
    user = {"own trainer": lambda: s.trainer,
            "other trainer": lambda: factories.user_with_role("trainer", s.programme),
            "project manager elsewhere": lambda: factories.user_with_role("project_manager", factories.programme()),
            }.get(who, lambda: factories.user_with_role(who, s.programme))()

    with app.test_request_context():
        login_user(db.session.get(User, user.id))
        programme = db.session.get(Programme, s.programme.id)
        assert may_mark(programme, db.session.get(TrainingSession, session_id)) is allowed
