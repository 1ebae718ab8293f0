"""``safe_cell``: no text cell reaches a spreadsheet as a formula, however it is padded, and no control
character reaches a CSV file (the XLSX writer drops them too)."""
import pytest

from planner.core.csv_safety import is_formula_like, safe_cell


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1)", "'=SUM(A1)"),
    ("+1", "'+1"),
    ("-3 days", "'-3 days"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTabby", "'\tTabby"),
    ("\r-1", "'\r-1"),
    # padded with spaces, line breaks or other whitespace before the trigger
    (' =HYPERLINK("http://x")', '\' =HYPERLINK("http://x")'),
    ("   +1", "'   +1"),
    ("\n=cmd", "'\n=cmd"),
    ("\u00a0=cmd", "'\u00a0=cmd"),
    # control characters are removed, and what is left is checked
    ("\x01=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("\x00\x1f @x", "' @x"),
    ("a\x07b\x7fc", "abc"),
    # ordinary text is left alone, tab and line breaks inside it too
    ("Plain text", "Plain text"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ("a = b", "a = b"),
    ("   padded", "   padded"),
    ("", ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_none_and_booleans():
    assert safe_cell(None) == "" and safe_cell(True) == "yes" and safe_cell(False) == "no"
    assert safe_cell(-3) == "'-3"  # a number given as a cell value is text here: the writers keep numbers typed


@pytest.mark.parametrize("text, expected", [
    ("=x", True), (" =x", True), ("\t", True), ("\r", True), ("\n@x", True), ("x=", False), ("  x", False),
    ("", False),
])
def test_is_formula_like(text, expected):
    assert is_formula_like(text) is expected
