"""Adoption per week as a line chart, drawn on the server as a PNG or SVG image.

One line per region (the share of its licensed users active each week, drawn mid-week and labelled with the
ISO week), its go-live marked with a diamond on a
dotted vertical line of the same colour, and the wave gate's minimum drawn as a dashed horizontal line. Like
training_chart.py: matplotlib's object-oriented API only, and identical input gives byte-identical output.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from planner.reports.rendering import DPI, FONT_FAMILY, FORMATS, figure_bytes

FIGURE_WIDTH_IN, PLOT_HEIGHT_IN = 9.0, 3.0
LEGEND_COLUMNS = 4
#: at most this many week labels on the x axis
MAX_WEEK_TICKS = 14
MAX_NAME_CHARS = 32
MAX_TITLE_CHARS = 80
#: colour-blind-safe (Okabe-Ito), repeated for more regions
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
GATE_COLOUR = "#C62828"
GRID_COLOUR = "#DDDDDD"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"


@dataclass(frozen=True)
class AdoptionLine:
    label: str
    #: (Monday of the week, share active 0-100), oldest first
    points: list[tuple[date, float]] = field(default_factory=list)
    go_live: date | None = None


def render_adoption_chart(lines: list[AdoptionLine], *, gate_pct: int, fmt: str = "png", title: str = "") -> bytes:
    """The chart as PNG or SVG bytes; the same input always gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return figure_bytes(build_figure(lines, gate_pct=gate_pct, title=title), fmt, title)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _mid_week(monday: date) -> float:
    """Where a week's figure is drawn: the middle of the week (Thursday noon), so a go-live inside the week
    reads as inside it."""
    return date2num(monday) + 3.5


def build_figure(lines: list[AdoptionLine], *, gate_pct: int, title: str = "") -> Figure:
    """The chart as a matplotlib Figure (with an Agg canvas), for render_adoption_chart and for tests. Regions
    without any figure are left out."""
    title = _truncate(title, MAX_TITLE_CHARS) if title else ""
    drawn = [line for line in lines if line.points]
    if not drawn:
        figure = Figure(figsize=(6.0, 1.4), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, _("Nothing to draw yet: no adoption figures are recorded."), ha="center",
                    va="center", fontsize=10, family=FONT_FAMILY, color=MUTED_COLOUR)
        return figure

    legend_rows = -(-(len(drawn) + 2) // LEGEND_COLUMNS)
    top_in = 0.25 + (0.4 if title else 0.0)
    bottom_in = 0.85 + 0.24 * legend_rows
    height_in = top_in + PLOT_HEIGHT_IN + bottom_in
    figure = Figure(figsize=(FIGURE_WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.08, bottom_in / height_in, 0.9, PLOT_HEIGHT_IN / height_in))
    weeks = sorted({week for line in drawn for week, _pct in line.points})
    go_lives = [line.go_live for line in drawn if line.go_live is not None]
    first = date2num(min([weeks[0]] + go_lives)) - 1
    last = date2num(max([weeks[-1] + timedelta(days=7)] + go_lives)) + 1
    ax.set_xlim(first, last)
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 20), [f"{tick}%" for tick in range(0, 101, 20)])
    step = max(1, -(-len(weeks) // MAX_WEEK_TICKS))
    shown = weeks[::step]
    ax.set_xticks([_mid_week(week) for week in shown],
                  ["{}-W{:02d}".format(*week.isocalendar()[:2]) for week in shown])
    ax.grid(color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#BBBBBB")

    handles = []
    for index, line in enumerate(drawn):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        label = _truncate(line.label, MAX_NAME_CHARS)
        xs = [_mid_week(week) for week, _pct in line.points]
        ys = [pct for _week, pct in line.points]
        ax.plot(xs, ys, color=colour, linewidth=1.8, marker="o", markersize=4, zorder=3, label=f"_line:{line.label}")
        if line.go_live is not None and first <= date2num(line.go_live) <= last:
            x = date2num(line.go_live)
            ax.axvline(x, color=colour, linewidth=1.0, linestyle=(0, (1, 2)), zorder=2, label=f"_go_live:{line.label}")
            ax.plot([x], [2], marker="D", markersize=6, color=colour, zorder=4, clip_on=False)
        handles.append(Line2D([], [], color=colour, linewidth=1.8, marker="o", markersize=4, label=label))

    ax.axhline(gate_pct, color=GATE_COLOUR, linewidth=1.6, linestyle=(0, (5, 3)), zorder=2, label="_gate")
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(FONT_FAMILY)
        label.set_fontsize(8.5)
        label.set_color(TEXT_COLOUR)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    if title:
        figure.text(0.08, 1 - 0.3 / height_in, title, ha="left", va="center", fontsize=12, fontweight="bold",
                    family=FONT_FAMILY, color=TEXT_COLOUR, parse_math=False)
    handles.append(Line2D([], [], color=MUTED_COLOUR, linewidth=1.0, linestyle=(0, (1, 2)), marker="D",
                          markersize=5, label=_("Go-live")))
    handles.append(Line2D([], [], color=GATE_COLOUR, linewidth=1.6, linestyle=(0, (5, 3)),
                          label=_("Wave gate minimum: %(pct)d%%", pct=gate_pct)))
    legend = figure.legend(handles=handles, loc="lower center", ncols=min(LEGEND_COLUMNS, len(handles)),
                           bbox_to_anchor=(0.5, 0.08 / height_in), frameon=False,
                           prop=FontProperties(family=FONT_FAMILY, size=8.5), borderaxespad=0)
    for text in legend.get_texts():
        text.set_parse_math(False)  # a region called "$5 store" is a name, not mathematics
    return figure
