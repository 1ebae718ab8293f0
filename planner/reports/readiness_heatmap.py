"""ADKAR readiness as a heat map: one row per region, one column per element, the mean score in each cell.

Colours come from cividis (readable with every common colour-vision deficiency and in greyscale), scaled
1 to 5. A barrier cell (mean 3.0 or below, as written: rounded half up to one decimal, so 3.04 is written 3.0
and marked) is hatched and outlined, so it shows without colour. A region
with too few answers is drawn as a grey row saying so, with no scores. Like training_chart.py: matplotlib's
object-oriented API only, and the same input gives the same bytes (through ``rendering.figure_bytes``).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from flask_babel import gettext as _
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle

from planner.reports.rendering import DPI, FONT_FAMILY, FORMATS, figure_bytes

FIGURE_WIDTH_IN = 9.0
ROW_IN = 0.45
MAX_NAME_CHARS = 32
MAX_TITLE_CHARS = 80
COLOURMAP = "cividis"
BARRIER_EDGE = "#C62828"
TOO_FEW_COLOUR = "#EEEEEE"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"


@dataclass(frozen=True)
class HeatmapRow:
    label: str
    answers: int
    #: element -> mean; empty when the region has too few answers to show
    means: dict


def render_heatmap(rows: list[HeatmapRow], *, elements: list[tuple[str, str]], barrier_at: float = 3.0,
                   fmt: str = "png", title: str = "") -> bytes:
    """The heat map as PNG or SVG bytes. ``elements`` are (key, label) pairs in column order."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return figure_bytes(build_figure(rows, elements=elements, barrier_at=barrier_at, title=title), fmt, title)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _shown(mean: float) -> float:
    """The mean as written in its cell (one decimal, half up), which is also what decides a barrier."""
    return float(Decimal(repr(float(mean))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _text_colour(value: float, norm: Normalize) -> str:
    """Dark text on the light (yellow) end of cividis, white on the dark (blue) end."""
    return TEXT_COLOUR if norm(value) > 0.55 else "white"


def build_figure(rows: list[HeatmapRow], *, elements: list[tuple[str, str]], barrier_at: float = 3.0,
                 title: str = "") -> Figure:
    """The heat map as a matplotlib Figure (with an Agg canvas), for render_heatmap and for tests.

    Barrier cells carry the artist label ``_barrier:<row>:<element>`` so tests can find them."""
    title = _truncate(title, MAX_TITLE_CHARS) if title else ""
    if not rows:
        figure = Figure(figsize=(6.0, 1.4), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, _("Nothing to draw yet: no answers."), ha="center", va="center", fontsize=10,
                    family=FONT_FAMILY, color=MUTED_COLOUR)
        return figure

    names = [_truncate(row.label, MAX_NAME_CHARS) for row in rows]
    figure = Figure(figsize=(FIGURE_WIDTH_IN, 3.0), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    prop = FontProperties(family=FONT_FAMILY, size=9)
    widest = max(renderer.get_text_width_height_descent(name, prop, ismath=False)[0] for name in names) / DPI
    left_in, right_in = max(1.0, widest + 0.3), 1.2
    top_in = 0.55 + (0.4 if title else 0.0)
    bottom_in = 0.75
    plot_in = len(rows) * ROW_IN
    height_in = top_in + plot_in + bottom_in
    figure.set_size_inches(FIGURE_WIDTH_IN, height_in)
    ax = figure.add_axes((left_in / FIGURE_WIDTH_IN, bottom_in / height_in,
                          (FIGURE_WIDTH_IN - left_in - right_in) / FIGURE_WIDTH_IN, plot_in / height_in))

    keys = [key for key, _label in elements]
    values = np.ma.masked_invalid(np.array(
        [[row.means.get(key, np.nan) if row.means else np.nan for key in keys] for row in rows], dtype=float))
    norm = Normalize(vmin=1.0, vmax=5.0)
    cmap = colormaps[COLOURMAP].with_extremes(bad=TOO_FEW_COLOUR)
    image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")

    ax.set_xticks(range(len(keys)), [label for _key, label in elements])
    ax.set_yticks(range(len(rows)), names)
    ax.xaxis.tick_top()
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(FONT_FAMILY)
        label.set_fontsize(9)
        label.set_color(TEXT_COLOUR)
        label.set_parse_math(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(keys), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)

    for row_index, row in enumerate(rows):
        if not row.means:
            ax.text((len(keys) - 1) / 2, row_index,
                    _("too few answers (%(count)d)", count=row.answers), ha="center", va="center",
                    fontsize=8.5, family=FONT_FAMILY, color=MUTED_COLOUR, fontstyle="italic", parse_math=False)
            continue
        for column, key in enumerate(keys):
            mean = row.means.get(key)
            if mean is None:
                continue
            mean = _shown(mean)
            is_barrier = mean <= barrier_at
            ax.text(column, row_index, f"{mean:.1f}" + (" !" if is_barrier else ""), ha="center", va="center",
                    fontsize=9.5, family=FONT_FAMILY, fontweight="bold" if is_barrier else "normal",
                    color=_text_colour(mean, norm), parse_math=False)
            if is_barrier:
                ax.add_patch(Rectangle((column - 0.46, row_index - 0.44), 0.92, 0.88, fill=False, hatch="///",
                                       edgecolor=BARRIER_EDGE, linewidth=2.2,
                                       label=f"_barrier:{row.label}:{key}"))

    colourbar = figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02, ticks=[1, 2, 3, 4, 5])
    colourbar.ax.tick_params(labelsize=8)
    colourbar.outline.set_visible(False)
    if title:
        figure.text(left_in / FIGURE_WIDTH_IN, 1 - 0.25 / height_in, title, ha="left", va="center", fontsize=12,
                    fontweight="bold", family=FONT_FAMILY, color=TEXT_COLOUR, parse_math=False)
    handles = [Patch(facecolor="white", edgecolor=BARRIER_EDGE, hatch="///", linewidth=1.6,
                     label=_("Barrier: mean %(limit).1f or below", limit=barrier_at)),
               Patch(facecolor=TOO_FEW_COLOUR, edgecolor="#BBBBBB", label=_("Too few answers to show"))]
    figure.legend(handles=handles, loc="lower center", ncols=2, bbox_to_anchor=(0.5, 0.08 / height_in),
                  frameon=False, prop=FontProperties(family=FONT_FAMILY, size=8.5), borderaxespad=0)
    return figure
