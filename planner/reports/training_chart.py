"""Training completion per region as a horizontal bar chart, drawn on the server as a PNG or SVG image.

One bar per region (the share of its people needing training who are trained), coloured by whether it
reaches the wave gate's minimum, which is drawn as a dashed line. A region where nobody needs training
has no bar and says so. Like gantt.py: matplotlib's object-oriented API only (thread-safe, nothing kept),
and identical input gives byte-identical output.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planner.reports.rendering import DPI, FONT_FAMILY, FORMATS, figure_bytes

FIGURE_WIDTH_IN = 9.0
ROW_IN = 0.36
MAX_NAME_CHARS = 32
MAX_TITLE_CHARS = 80

MET_COLOUR, MET_EDGE = "#2A9D8F", "#1D6B61"
UNMET_COLOUR, UNMET_EDGE = "#E69F00", "#6B4A00"
GATE_COLOUR = "#C62828"
GRID_COLOUR = "#DDDDDD"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"


@dataclass(frozen=True)
class CompletionBar:
    label: str
    needing: int
    trained: int

    @property
    def percent(self) -> float | None:
        return self.trained * 100 / self.needing if self.needing else None


def render_completion_chart(bars: list[CompletionBar], *, gate_pct: int, fmt: str = "png", title: str = "") -> bytes:
    """The chart as PNG or SVG bytes; the same input always gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return figure_bytes(build_figure(bars, gate_pct=gate_pct, title=title), fmt, title)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def build_figure(bars: list[CompletionBar], *, gate_pct: int, title: str = "") -> Figure:
    """The chart as a matplotlib Figure (with an Agg canvas), for render_completion_chart and for tests."""
    title = _truncate(title, MAX_TITLE_CHARS) if title else ""
    if not bars:
        figure = Figure(figsize=(6.0, 1.4), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, _("Nothing to draw yet: this programme has no regions."), ha="center", va="center",
                    fontsize=10, family=FONT_FAMILY, color=MUTED_COLOUR)
        return figure

    names = [_truncate(bar.label, MAX_NAME_CHARS) for bar in bars]
    figure = Figure(figsize=(FIGURE_WIDTH_IN, 3.0), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    prop = FontProperties(family=FONT_FAMILY, size=9)
    widest = max(renderer.get_text_width_height_descent(name, prop, ismath=False)[0] for name in names) / DPI
    left_in, right_in = max(1.0, widest + 0.3), 1.3
    top_in = 0.25 + (0.4 if title else 0.0)
    bottom_in = 0.8
    plot_in = len(bars) * ROW_IN + 0.2
    height_in = top_in + plot_in + bottom_in
    figure.set_size_inches(FIGURE_WIDTH_IN, height_in)
    ax = figure.add_axes((left_in / FIGURE_WIDTH_IN, bottom_in / height_in,
                          (FIGURE_WIDTH_IN - left_in - right_in) / FIGURE_WIDTH_IN, plot_in / height_in))

    ax.set_xlim(0, 100)
    ax.set_ylim(len(bars) - 0.5 + 0.25, -0.5 - 0.25)
    ax.set_yticks(range(len(bars)), names)
    ax.set_xticks(range(0, 101, 20), [f"{tick}%" for tick in range(0, 101, 20)])
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(FONT_FAMILY)
        label.set_fontsize(9)
        label.set_color(TEXT_COLOUR)
        label.set_parse_math(False)  # a region called "$5 store" is a name, not mathematics
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#BBBBBB")

    for row, bar in enumerate(bars):
        percent = bar.percent
        if percent is None:
            ax.text(1, row, _("No one needs training here"), va="center", ha="left", fontsize=8.5,
                    family=FONT_FAMILY, color=MUTED_COLOUR, fontstyle="italic", parse_math=False)
            continue
        met = percent >= gate_pct
        drawn = ax.barh(row, percent, height=0.62, color=MET_COLOUR if met else UNMET_COLOUR,
                        edgecolor=MET_EDGE if met else UNMET_EDGE, linewidth=0.8, zorder=2)
        drawn.patches[0].set_label(f"_bar:{bar.label}")
        ax.text(percent + 1, row, f"{percent:.0f}% ({bar.trained}/{bar.needing})", va="center", ha="left", fontsize=8.5,
                family=FONT_FAMILY, color=TEXT_COLOUR, clip_on=False, parse_math=False, zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})

    ax.axvline(gate_pct, color=GATE_COLOUR, linewidth=1.6, linestyle=(0, (5, 3)), zorder=3, label="_gate")
    if title:
        figure.text(left_in / FIGURE_WIDTH_IN, 1 - 0.3 / height_in, title, ha="left", va="center", fontsize=12,
                    fontweight="bold", family=FONT_FAMILY, color=TEXT_COLOUR, parse_math=False)
    handles = [Patch(facecolor=MET_COLOUR, edgecolor=MET_EDGE, label=_("At or above the gate")),
               Patch(facecolor=UNMET_COLOUR, edgecolor=UNMET_EDGE, label=_("Below the gate")),
               Line2D([], [], color=GATE_COLOUR, linewidth=1.6, linestyle=(0, (5, 3)),
                      label=_("Wave gate minimum: %(pct)d%%", pct=gate_pct))]
    figure.legend(handles=handles, loc="lower center", ncols=3, bbox_to_anchor=(0.5, 0.08 / height_in),
                  frameon=False, prop=FontProperties(family=FONT_FAMILY, size=8.5), borderaxespad=0)
    return figure
