"""README.md lists every health rule by its title (issue 8: "README lists the rules").

When this fails, add the missing titles to README.md's health check section, one line per rule, worded exactly as
the rule's ``title``.
"""
from pathlib import Path

from flask_babel import force_locale

from planner.health.rules import RULES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_health_rule_title(app):
    text = README.read_text(encoding="utf-8")
    with app.test_request_context(), force_locale("en"):
        titles = {key: str(rule.title) for key, rule in RULES.items()}
    missing = [f"{key}: {title}" for key, title in titles.items() if title not in text]
    assert RULES, "no health rules are registered"
    assert not missing, "README.md does not list these health rules:\n" + "\n".join(missing)
