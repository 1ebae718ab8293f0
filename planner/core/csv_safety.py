"""CSV cells that spreadsheet programs will not run as formulas (QUALITY.md item 10).

A spreadsheet reads a cell as a formula when it starts with ``= + - @``, and some do so after leading spaces or
control characters too (" =HYPERLINK(...)", "\\x01=cmd"), or when it starts with a tab or a carriage return.
Such cells get a leading apostrophe. Control characters other than tab and line breaks are removed first, as
the XLSX writers must (openpyxl refuses them), so CSV and XLSX hold the same text.
"""
import re

#: what a formula starts with
FORMULA_TRIGGERS = ("=", "+", "-", "@")
#: control characters no cell keeps: all but tab, line feed and carriage return
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with a tab or a carriage return, or
    its first character after leading whitespace and control characters is ``= + - @``."""
    if text.startswith(("\t", "\r")):
        return True
    return CONTROL_CHARACTERS_RE.sub("", text).lstrip().startswith(FORMULA_TRIGGERS)


def safe_cell(value) -> str:
    """The value as text without control characters (tab and line breaks kept), with a leading apostrophe when
    a spreadsheet could read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = CONTROL_CHARACTERS_RE.sub("", str(value))
    if is_formula_like(text):
        return "'" + text
    return text
