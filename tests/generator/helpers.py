"""Generate small programmes for the tests: scale 0.02-0.05, on a pinned day."""
from datetime import UTC, datetime

from planner.extensions import db
from planner.generator.run import digest, generate_programme

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def generate(app, *, scale: float = 0.03, seed: int = 7, name: str | None = None) -> dict:
    """Generate inside the test's transaction; returns the result plus the programme id and digest."""
    with app.app_context():
        result = generate_programme(scale=scale, seed=seed, today=NOW.date(), name=name)
        db.session.commit()
        result["programme_id"] = result["programme"].id
        result["digest"] = digest(result["programme_id"])
        return result
