"""The risk register's charts, drawn on the server as PNG or SVG: the 5x5 heat map (likelihood x impact, the
number of active risks per cell, coloured by score band) and the trend of the total active risk score (a step
line). matplotlib's object-oriented API only; identical input gives byte-identical output."""
from datetime import date

from flask_babel import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from planner.reports.rendering import DPI, FONT_FAMILY, FORMATS, figure_bytes

LOW_COLOUR, MEDIUM_COLOUR, HIGH_COLOUR = "#A5D6A7", "#FFE082", "#EF9A9A"
LINE_COLOUR = "#1D6B61"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#DDDDDD"


def band_colour(score: int) -> str:
    """Low (1-6), medium (8-12) or high (15-25)."""
    if score >= 15:
        return HIGH_COLOUR
    if score >= 8:
        return MEDIUM_COLOUR
    return LOW_COLOUR


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")


def build_heat_map(counts: dict[tuple[int, int], int], title: str = "") -> Figure:
    """Likelihood up, impact across; each cell says how many active risks sit there."""
    figure = Figure(figsize=(5.2, 4.8), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.16, 0.14, 0.78, 0.74))
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            ax.add_patch(Rectangle((impact - 0.5, likelihood - 0.5), 1, 1, facecolor=band_colour(likelihood * impact),
                                   edgecolor="white", linewidth=2))
            count = counts.get((likelihood, impact), 0)
            if count:
                ax.text(impact, likelihood, str(count), ha="center", va="center", fontsize=13, weight="bold",
                        family=FONT_FAMILY, color=TEXT_COLOUR)
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel(_("Impact"), family=FONT_FAMILY, color=TEXT_COLOUR)
    ax.set_ylabel(_("Likelihood"), family=FONT_FAMILY, color=TEXT_COLOUR)
    ax.set_title(_("Open risks by likelihood and impact"), family=FONT_FAMILY, fontsize=10, color=TEXT_COLOUR)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0)
    return figure


def render_heat_map(counts: dict[tuple[int, int], int], *, fmt: str = "png", title: str = "") -> bytes:
    _check(fmt)
    return figure_bytes(build_heat_map(counts, title), fmt, title)


def build_trend(points: list[tuple[date, int]], title: str = "") -> Figure:
    """The total score of the active risks per day as a step line."""
    figure = Figure(figsize=(8.0, 3.2), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.08, 0.16, 0.9, 0.72))
    ax.set_title(_("Total score of open risks"), family=FONT_FAMILY, fontsize=10, color=TEXT_COLOUR)
    if not points:
        ax.text(0.5, 0.5, _("No risks yet."), ha="center", va="center", transform=ax.transAxes,
                family=FONT_FAMILY)
        return figure
    days = list(range(len(points)))
    totals = [total for _day, total in points]
    ax.step(days, totals, where="post", color=LINE_COLOUR, linewidth=2)
    ax.set_ylim(0, max(max(totals) * 1.15, 5))
    ax.set_xlim(0, max(len(points) - 1, 1))
    ticks = days[::max(1, len(points) // 6)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([points[index][0].isoformat() for index in ticks], fontsize=8, family=FONT_FAMILY)
    ax.grid(axis="y", color=GRID_COLOUR)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure


def render_trend(points: list[tuple[date, int]], *, fmt: str = "png", title: str = "") -> bytes:
    _check(fmt)
    return figure_bytes(build_trend(points, title), fmt, title)
