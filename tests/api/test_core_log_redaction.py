"""API tokens (``rpt_...``) are taken out of the logs wherever the redaction applies."""
import logging

from planner.core.log_redaction import RedactTokensFilter, redact

TOKEN = "rpt_" + "Ab3_-x" * 7


def test_a_token_in_a_query_string_is_redacted():
    line = f'127.0.0.1 - - "GET /api/v1/me?access_token={TOKEN} HTTP/1.1" 401 -'
    assert redact(line) == '127.0.0.1 - - "GET /api/v1/me?access_token=rpt_[redacted] HTTP/1.1" 401 -'
    assert redact(f"Authorization: Bearer {TOKEN}") == "Authorization: Bearer rpt_[redacted]"


def test_short_rpt_words_are_left_alone():
    assert redact("rpt_ is our prefix; rpt_short stays") == "rpt_ is our prefix; rpt_short stays"


def test_a_log_record_argument_with_a_token_is_redacted():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s', (f"GET /x?t={TOKEN}", b"" + TOKEN.encode()), None)
    RedactTokensFilter().filter(record)
    assert TOKEN not in record.getMessage() and "rpt_[redacted]" in record.getMessage()
