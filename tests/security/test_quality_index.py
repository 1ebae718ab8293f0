"""The index in tests/security/README.md stays true: every security item of QUALITY.md (1-11) names at least one
test, every named test is collected by pytest, and every gap it lists is a strict xfail."""
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INDEX = Path(__file__).with_name("README.md")
NODE_ID = re.compile(r"`(tests/[\w/]+\.py::\w+(?:\[[^\]`]*\])?)`")
ITEM = re.compile(r"^## (\d+)\. ")


def read_index(text: str) -> tuple[dict[int, list[str]], list[str]]:
    """({item number: node ids}, node ids of the gaps)."""
    items: dict[int, list[str]] = {}
    gaps: list[str] = []
    section = None
    for line in text.splitlines():
        heading = ITEM.match(line)
        if heading:
            section = int(heading.group(1))
            items.setdefault(section, [])
        elif line.startswith("## "):
            section = "gaps" if line.strip() == "## Gaps" else None
        elif section == "gaps":
            gaps += NODE_ID.findall(line)
        elif section is not None:
            items[section] += NODE_ID.findall(line)
    return items, gaps


def collected(node_ids: list[str]) -> set[str]:
    """The node ids pytest collects from the files the index names (a subprocess, collection only)."""
    files = sorted({node_id.split("::")[0] for node_id in node_ids})
    missing = [name for name in files if not (ROOT / name).is_file()]
    assert not missing, f"files named in the index that do not exist: {missing}"
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {line.strip() for line in result.stdout.splitlines() if "::" in line}


def test_the_reader_finds_items_and_gaps():
    items, gaps = read_index("## 1. One\n- `tests/a.py::test_x`\n## 2. Two\n- `tests/b.py::test_y[p]`\n"
                             "## Gaps\n- item 2: `tests/c.py::test_z`\n## Other\n- `tests/d.py::test_w`\n")
    assert items == {1: ["tests/a.py::test_x"], 2: ["tests/b.py::test_y[p]"]}
    assert gaps == ["tests/c.py::test_z"]


def test_every_item_names_tests_that_exist():
    items, gaps = read_index(INDEX.read_text())
    assert sorted(items) == list(range(1, 12)), "the index must have sections 1 to 11"
    empty = [number for number, ids in items.items() if not ids]
    assert not empty, f"items without a test: {empty}"
    listed = [node_id for ids in items.values() for node_id in ids] + gaps
    found = collected(listed)
    absent = [node_id for node_id in listed
              if node_id not in found and not any(name.startswith(node_id + "[") for name in found)]
    assert not absent, f"tests named in tests/security/README.md that pytest does not collect: {absent}"
    assert len(listed) > 80


def test_every_gap_is_a_strict_xfail_and_no_item_test_is():
    items, gaps = read_index(INDEX.read_text())  # none today: the loop below then checks nothing

    def xfail_of(node_id: str):
        path, name = node_id.split("::")
        module = importlib.import_module(path[:-3].replace("/", "."))
        marks = getattr(getattr(module, name.split("[")[0]), "pytestmark", [])
        return next((mark for mark in marks if mark.name == "xfail"), None)

    for node_id in gaps:
        mark = xfail_of(node_id)
        assert mark is not None and mark.kwargs.get("strict") is True and mark.kwargs.get("reason"), node_id
    for node_id in (node_id for ids in items.values() for node_id in ids if node_id.startswith("tests/security/")):
        assert xfail_of(node_id) is None, f"{node_id} is an xfail: list it under Gaps"


@pytest.mark.parametrize("line", ["- `tests/security/test_nope.py::test_nothing`"])
def test_a_missing_file_is_reported(line):
    with pytest.raises(AssertionError, match="do not exist"):
        collected(NODE_ID.findall(line))
