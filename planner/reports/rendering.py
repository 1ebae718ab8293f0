"""Turning a matplotlib figure into PNG or SVG bytes, the same bytes for the same figure.

Every chart of the app saves through here: no timestamps or software versions in the file, and SVG
ids salted once (matplotlib salts them with a random UUID unless told otherwise; the salt is read from
the global rcParams while saving, so it is set once at import rather than around each save, where
threads would race on it).
"""
import io

import matplotlib
from matplotlib.figure import Figure

if matplotlib.rcParams["svg.hashsalt"] is None:
    matplotlib.rcParams["svg.hashsalt"] = "rollout-planner-gantt"

FORMATS = ("png", "svg")
DPI = 110
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib, so it is always there


def figure_bytes(figure: Figure, fmt: str, title: str = "") -> bytes:
    """The figure as PNG or SVG bytes; raises ValueError for another format. The figure is cleared."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    buffer = io.BytesIO()
    try:
        if fmt == "png":
            figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        else:
            metadata = {"Date": None, "Creator": None}
            if title:
                metadata["Title"] = title
            figure.savefig(buffer, format="svg", metadata=metadata)
    finally:
        figure.clear()
    return buffer.getvalue()
