"""The programme's Gantt chart, drawn on the server as a PNG or SVG image.

Stages and waves are horizontal bars (one row each, stages first), a wave's trial period
("running-in") is hatched after its go-live, milestones are diamonds packed into their own lanes
below the bars so their labels never overlap, and a dashed line marks today.

Only matplotlib's object-oriented API is used (``Figure`` with an Agg canvas, never pyplot), so
charts can be drawn from several gunicorn threads at once, and nothing is kept once the image
has been written. Identical input gives byte-identical output in both formats, so the images
can be cached and compared.
"""
import math
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from flask_babel import get_locale, gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import offset_copy

from planner.reports.rendering import DPI, FONT_FAMILY, FORMATS, figure_bytes

FIGURE_WIDTH_IN = 12.0
ROW_IN = 0.32  # one stage or wave
LANE_IN = 0.26  # one lane of milestones
HEADER_IN = 0.26  # band at the top of the plot for the "Today" label
SECTION_GAP_IN = 0.10
RIGHT_MARGIN_IN = 0.35
MIN_SPAN_DAYS = 28
MAX_MILESTONE_LANES = 30  # beyond this, further labels are left off and counted instead
MAX_NAME_CHARS = 40
MAX_MILESTONE_CHARS = 48
MAX_TITLE_CHARS = 110

NAME_SIZE = 9
MILESTONE_SIZE = 8
TICK_SIZE = 8
LEGEND_SIZE = 8.5
MILESTONE_MARKER_PT = 7.5

STAGE_COLOUR, STAGE_EDGE = "#4C72B0", "#2F4B7C"
WAVE_COLOUR, WAVE_EDGE = "#2A9D8F", "#1D6B61"
TRIAL_COLOUR = "#BFE3DE"
CRITICAL_COLOUR = "#C62828"
LATE_COLOUR, LATE_EDGE = "#E69F00", "#6B4A00"
MILESTONE_COLOUR = "#333333"
TODAY_COLOUR = "#6A3D9A"
GRID_COLOUR = "#DDDDDD"
ZEBRA_COLOUR = "#F5F7FA"
MILESTONE_BAND_COLOUR = "#F2F2F2"
TEXT_COLOUR = "#222222"


@dataclass(frozen=True)
class GanttBar:
    label: str
    start: date
    finish: date  #: inclusive last day
    kind: str  #: "stage" or "wave"
    is_critical: bool = False
    is_late: bool = False  #: past its planned finish and not done
    #: for waves, the go-live: trial_start..finish is the trial ("running-in") period
    trial_start: date | None = None


@dataclass(frozen=True)
class GanttMilestone:
    label: str
    day: date
    is_critical: bool = False


def render_gantt(bars: list[GanttBar], milestones: list[GanttMilestone], *, today: date,
                 fmt: str = "png", title: str = "") -> bytes:
    """The Gantt chart as PNG or SVG bytes; the same input always gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return figure_bytes(build_figure(bars, milestones, today=today, title=title), fmt, title)


def build_figure(bars: list[GanttBar], milestones: list[GanttMilestone], *, today: date,
                 title: str = "") -> Figure:
    """The chart as a matplotlib Figure (with an Agg canvas), for render_gantt and for tests."""
    for bar in bars:
        if bar.kind not in ("stage", "wave"):
            raise ValueError(f"Unknown bar kind {bar.kind!r}; use 'stage' or 'wave'.")
    if not bars and not milestones:
        return _empty_figure(title)
    return _GanttLayout(bars, milestones, today=today, title=title).draw()


def _empty_figure(title: str) -> Figure:
    figure = Figure(figsize=(6.0, 1.6 if title else 1.2), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    if title:
        figure.text(0.5, 0.82, _truncate(title, 60), ha="center", va="center", fontsize=11,
                    fontweight="bold", family=FONT_FAMILY, color=TEXT_COLOUR, parse_math=False)
    figure.text(0.5, 0.4 if title else 0.5,
                _("Nothing to draw yet: this plan has no stages, waves or milestones."),
                ha="center", va="center", fontsize=10, family=FONT_FAMILY, color="#555555")
    return figure


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _x(day: date) -> float:
    """Days on the chart's x axis: the proleptic ordinal, so a date's day spans [x, x + 1)."""
    return float(day.toordinal())


class _GanttLayout:
    """Measures the texts, sizes the figure in inches and then draws every part of the chart.

    The y axis is in inches from the top of the plot (inverted), so rows and lanes are placed
    with the same numbers that size the figure.
    """

    def __init__(self, bars, milestones, *, today: date, title: str):
        self.stages = [bar for bar in bars if bar.kind == "stage"]
        self.waves = [bar for bar in bars if bar.kind == "wave"]
        self.rows = self.stages + self.waves
        self.milestones = sorted(milestones, key=lambda m: (m.day, m.label))
        self.today = today
        self.title = _truncate(title, MAX_TITLE_CHARS) if title else ""
        self.locale = str(get_locale() or "en")

        self.figure = Figure(figsize=(FIGURE_WIDTH_IN, 4.0), dpi=DPI, facecolor="white")
        FigureCanvasAgg(self.figure)
        self.renderer = self.figure.canvas.get_renderer()

        days = [bar.start for bar in bars] + [bar.finish + timedelta(days=1) for bar in bars]
        days += [m.day for m in milestones] + [m.day + timedelta(days=1) for m in milestones]
        days += [today, today + timedelta(days=1)]
        first, last = _x(min(days)), _x(max(days))
        if last - first < MIN_SPAN_DAYS:  # so that a short plan still gets a few date ticks
            first -= (MIN_SPAN_DAYS - (last - first)) / 2
            last = first + MIN_SPAN_DAYS
        padding = max(3.0, (last - first) * 0.015)
        self.x_min, self.x_max = first - padding, last + padding

    # -- measuring -------------------------------------------------------------------------

    def _text_width_in(self, text: str, size: float, weight: str = "normal") -> float:
        prop = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
        width, _height, _descent = self.renderer.get_text_width_height_descent(text, prop, ismath=False)
        return width / DPI

    def _name(self, bar: GanttBar) -> str:
        return _truncate(bar.label, MAX_NAME_CHARS)

    def _milestone_label(self, milestone: GanttMilestone) -> str:
        return _truncate(milestone.label, MAX_MILESTONE_CHARS)

    def _pack_milestones(self, plot_width_in: float) -> None:
        """Give each milestone a lane and a label side so that no label touches another.

        Lanes are filled first-fit in date order, in inches along the plot: in each lane the label
        goes to the right of its diamond if there is room, else to the left. A milestone that fits
        in no lane keeps its diamond (in the last lane) but its label is left off and counted.
        """
        inches_per_day = plot_width_in / (self.x_max - self.x_min)
        radius = MILESTONE_MARKER_PT / 2 / 72
        gap = 0.05
        spacing = 0.12
        lanes: list[list[tuple[float, float]]] = []
        self.placed: list[tuple[GanttMilestone, int, str | None]] = []  # milestone, lane, label side
        self.hidden_labels = 0
        for milestone in self.milestones:
            centre = (_x(milestone.day) + 0.5 - self.x_min) * inches_per_day
            width = self._text_width_in(self._milestone_label(milestone), MILESTONE_SIZE)
            options = [(side, interval) for side, interval in (
                ("right", (centre - radius, centre + radius + gap + width)),
                ("left", (centre - radius - gap - width, centre + radius)),
            ) if interval[0] >= -radius and interval[1] <= plot_width_in + radius]
            if not options:  # wider than the plot on both sides: let it run off to the right
                options = [("right", (centre - radius, centre + radius + gap + width))]

            def fits(lane, interval):
                return all(interval[1] + spacing <= start or end + spacing <= interval[0] for start, end in lane)

            placement = next(((index, side, interval) for index, lane in enumerate(lanes)
                              for side, interval in options if fits(lane, interval)), None)
            if placement is None and len(lanes) < MAX_MILESTONE_LANES:
                lanes.append([])
                placement = (len(lanes) - 1, *options[0])
            if placement is None:
                self.placed.append((milestone, len(lanes) - 1, None))
                self.hidden_labels += 1
                continue
            index, side, interval = placement
            lanes[index].append(interval)
            self.placed.append((milestone, index, side))
        self.lane_count = len(lanes)

    # -- sizing ------------------------------------------------------------------------------

    def _layout(self) -> None:
        names = [(self._name(bar), "bold" if bar.is_critical else "normal") for bar in self.rows]
        if self.milestones:
            names.append((_("Milestones"), "bold"))
        widest = max((self._text_width_in(text, NAME_SIZE, weight) for text, weight in names), default=0)
        self.left_in = max(1.0, widest + 0.35)
        self.plot_width_in = FIGURE_WIDTH_IN - self.left_in - RIGHT_MARGIN_IN

        self._pack_milestones(self.plot_width_in)
        self.bars_bottom = HEADER_IN + len(self.rows) * ROW_IN
        self.lanes_top = self.bars_bottom + (SECTION_GAP_IN if self.rows and self.milestones else 0)
        self.plot_height_in = self.lanes_top + self.lane_count * LANE_IN + 0.06

        self.legend_handles = self._legend_handles()
        self.legend_columns = min(len(self.legend_handles), 5)
        legend_rows = math.ceil(len(self.legend_handles) / self.legend_columns)
        self.title_in = 0.42 if self.title else 0.0
        self.top_in = 0.12 + self.title_in + 0.48
        self.bottom_in = 0.52 + 0.12 + legend_rows * 0.24 + 0.12
        self.height_in = self.top_in + self.plot_height_in + self.bottom_in

    # -- drawing -------------------------------------------------------------------------------

    def draw(self) -> Figure:
        self._layout()
        figure = self.figure
        figure.set_size_inches(FIGURE_WIDTH_IN, self.height_in)
        ax = figure.add_axes((self.left_in / FIGURE_WIDTH_IN, self.bottom_in / self.height_in,
                              self.plot_width_in / FIGURE_WIDTH_IN, self.plot_height_in / self.height_in))
        self.ax = ax
        ax.set_xlim(self.x_min, self.x_max)
        ax.set_ylim(self.plot_height_in, 0)
        ax.set_yticks([])
        for side in ("left", "right", "top", "bottom"):
            ax.spines[side].set_color("#BBBBBB")

        self._draw_date_axis()
        self._draw_backgrounds()
        for row, bar in enumerate(self.rows):
            self._draw_bar(bar, HEADER_IN + (row + 0.5) * ROW_IN)
        self._draw_milestones()
        self._draw_today()
        self._draw_title_and_legend()
        return figure

    def _name_label(self, y: float, text: str, *, bold: bool = False, colour: str = TEXT_COLOUR,
                    size: float = NAME_SIZE) -> None:
        self.ax.text(-0.1 / self.plot_width_in, y, text, transform=self.ax.get_yaxis_transform(),
                     ha="right", va="center", fontsize=size, family=FONT_FAMILY, color=colour,
                     fontweight="bold" if bold else "normal", parse_math=False, clip_on=False)

    def _draw_date_axis(self) -> None:
        ax = self.ax
        first, last = date.fromordinal(math.ceil(self.x_min)), date.fromordinal(math.floor(self.x_max))
        if self.x_max - self.x_min <= 75:
            monday = first + timedelta(days=(7 - first.weekday()) % 7)
            ticks = [monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)]
            labels = [format_date(day, "d MMM", locale=self.locale) for day in ticks]
            minor = []
        else:
            months = []
            month = date(first.year, first.month, 1)
            if month < first:
                month = _next_month(month)
            while month <= last:
                months.append(month)
                month = _next_month(month)
            step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if len(months) / s <= 16)
            ticks = [m for m in months if ((m.year * 12 + m.month - 1) % step) == 0]
            labels = []
            for index, tick in enumerate(ticks):
                if step >= 12:
                    labels.append(str(tick.year))
                elif index == 0 or tick.month == 1:
                    labels.append(format_date(tick, "MMM", locale=self.locale) + f"\n{tick.year}")
                else:
                    labels.append(format_date(tick, "MMM", locale=self.locale))
            minor = months if step > 1 and len(months) <= 120 else []
        ax.set_xticks([_x(day) for day in ticks], labels)
        ax.set_xticks([_x(day) for day in minor], minor=True)
        ax.tick_params(axis="x", which="both", top=True, bottom=True, labeltop=True, labelbottom=True,
                       labelsize=TICK_SIZE, colors="#444444")
        ax.tick_params(axis="x", which="minor", length=2)
        for label in ax.get_xticklabels():
            label.set_family(FONT_FAMILY)
        ax.grid(axis="x", which="major", color=GRID_COLOUR, linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)

    def _draw_backgrounds(self) -> None:
        ax = self.ax
        for row in range(1, len(self.rows), 2):
            top = HEADER_IN + row * ROW_IN
            ax.axhspan(top, top + ROW_IN, color=ZEBRA_COLOUR, zorder=0, linewidth=0)
        if self.stages and self.waves:
            ax.axhline(HEADER_IN + len(self.stages) * ROW_IN, color="#C8C8C8", linewidth=0.8, zorder=1)
        if self.milestones:
            ax.axhspan(self.lanes_top, self.plot_height_in, color=MILESTONE_BAND_COLOUR, zorder=0, linewidth=0)
            if self.rows:
                ax.axhline(self.lanes_top, color="#AAAAAA", linewidth=0.8, zorder=1)

    def _draw_bar(self, bar: GanttBar, y: float) -> None:
        ax = self.ax
        height = ROW_IN * 0.62
        top = y - height / 2
        start = _x(bar.start)
        end = max(_x(bar.finish) + 1, start + 1)  # finish is inclusive
        is_wave = bar.kind == "wave"
        colour, edge = (WAVE_COLOUR, WAVE_EDGE) if is_wave else (STAGE_COLOUR, STAGE_EDGE)

        go_live = None
        if is_wave and bar.trial_start is not None:
            go_live = min(max(_x(bar.trial_start), start), end)
        solid_end = go_live if go_live is not None else end
        if solid_end > start:
            ax.add_patch(Rectangle((start, top), solid_end - start, height, facecolor=colour,
                                   linewidth=0, zorder=2))
        if go_live is not None and end > go_live:
            ax.add_patch(Rectangle((go_live, top), end - go_live, height, facecolor=TRIAL_COLOUR,
                                   edgecolor=edge, hatch="////", linewidth=0, zorder=2))
        outline = Rectangle((start, top), end - start, height, fill=False, zorder=3,
                            edgecolor=CRITICAL_COLOUR if bar.is_critical else edge,
                            linewidth=2.2 if bar.is_critical else 0.8)
        outline.set_label(f"_bar:{bar.label}")
        ax.add_patch(outline)
        if go_live is not None:
            ax.plot([go_live, go_live], [top - 0.045, top + height + 0.045], color="#111111",
                    linewidth=2.4, solid_capstyle="butt", zorder=4, label="_go-live")

        if bar.is_late:
            overdue_until = max(_x(self.today) + 0.5, end)
            if overdue_until > end:
                ax.plot([end, overdue_until], [y, y], color=LATE_COLOUR, linewidth=2,
                        linestyle=(0, (2, 1.5)), zorder=3, label="_overdue")
            ax.plot([end], [y], marker="X", markersize=8, color=LATE_COLOUR, markeredgecolor=LATE_EDGE,
                    markeredgewidth=0.8, linestyle="none", zorder=5, label=f"_late:{bar.label}")

        self._name_label(y, self._name(bar), bold=bar.is_critical,
                         colour=CRITICAL_COLOUR if bar.is_critical else TEXT_COLOUR)

    def _draw_milestones(self) -> None:
        if not self.milestones:
            return
        ax, figure = self.ax, self.figure
        right = offset_copy(ax.transData, fig=figure, x=MILESTONE_MARKER_PT / 2 + 3.6, units="points")
        left = offset_copy(ax.transData, fig=figure, x=-(MILESTONE_MARKER_PT / 2 + 3.6), units="points")
        for milestone, lane, side in self.placed:
            x = _x(milestone.day) + 0.5
            y = self.lanes_top + (lane + 0.5) * LANE_IN
            ax.plot([x], [y], marker="D", markersize=MILESTONE_MARKER_PT, linestyle="none", zorder=5,
                    color=CRITICAL_COLOUR if milestone.is_critical else MILESTONE_COLOUR,
                    markeredgecolor="white" if not milestone.is_critical else "#7F1010",
                    markeredgewidth=0.6, label=f"_milestone:{milestone.label}")
            if side is not None:
                ax.text(x, y, self._milestone_label(milestone), transform=right if side == "right" else left,
                        ha="left" if side == "right" else "right", va="center", fontsize=MILESTONE_SIZE,
                        family=FONT_FAMILY, parse_math=False, zorder=6,
                        color=CRITICAL_COLOUR if milestone.is_critical else TEXT_COLOUR,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": MILESTONE_BAND_COLOUR,
                              "edgecolor": "none", "alpha": 0.9})
        y_first_lane = self.lanes_top + 0.5 * LANE_IN
        self._name_label(y_first_lane, _("Milestones"), bold=True)
        if self.hidden_labels:
            self._name_label(y_first_lane + LANE_IN,
                             _("%(count)d labels left off", count=self.hidden_labels), size=7.5,
                             colour="#666666")

    def _draw_today(self) -> None:
        ax = self.ax
        x = _x(self.today) + 0.5
        ax.axvline(x, color=TODAY_COLOUR, linewidth=1.4, linestyle=(0, (5, 3)), zorder=4,
                   label=_("Today"))
        ax.text(x, HEADER_IN / 2, _("Today"), ha="center", va="center", fontsize=8, fontweight="bold",
                family=FONT_FAMILY, color=TODAY_COLOUR, zorder=7,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": TODAY_COLOUR,
                      "linewidth": 0.8})

    def _legend_handles(self) -> list:
        handles = []
        if self.stages:
            handles.append(Patch(facecolor=STAGE_COLOUR, edgecolor=STAGE_EDGE, linewidth=0.8,
                                 label=_("Stage")))
        if self.waves:
            handles.append(Patch(facecolor=WAVE_COLOUR, edgecolor=WAVE_EDGE, linewidth=0.8,
                                 label=_("Wave")))
        if any(wave.trial_start is not None for wave in self.waves):
            handles.append(Line2D([], [], color="#111111", marker="|", markersize=11, markeredgewidth=2.4,
                                  linestyle="none", label=_("Go-live")))
            handles.append(Patch(facecolor=TRIAL_COLOUR, edgecolor=WAVE_EDGE, hatch="////", linewidth=0.8,
                                 label=_("Trial period (running-in)")))
        if self.milestones:
            handles.append(Line2D([], [], color=MILESTONE_COLOUR, marker="D", markersize=6.5,
                                  linestyle="none", label=_("Milestone")))
        if any(bar.is_critical for bar in self.rows):
            handles.append(Patch(facecolor="white", edgecolor=CRITICAL_COLOUR, linewidth=2.2,
                                 label=_("Critical path")))
        if any(m.is_critical for m in self.milestones):
            handles.append(Line2D([], [], color=CRITICAL_COLOUR, marker="D", markersize=6.5,
                                  markeredgecolor="#7F1010", linestyle="none",
                                  label=_("Critical milestone")))
        if any(bar.is_late for bar in self.rows):
            handles.append(Line2D([], [], color=LATE_COLOUR, linewidth=2, linestyle=(0, (2, 1.5)),
                                  marker="X", markersize=8, markeredgecolor=LATE_EDGE,
                                  markevery=[1], label=_("Late: overdue until today")))
        handles.append(Line2D([], [], color=TODAY_COLOUR, linewidth=1.4, linestyle=(0, (5, 3)),
                              label=_("Today")))
        return handles

    def _draw_title_and_legend(self) -> None:
        figure = self.figure
        left = self.left_in / FIGURE_WIDTH_IN
        if self.title:
            figure.text(left, 1 - (0.12 + self.title_in / 2) / self.height_in, self.title, ha="left",
                        va="center", fontsize=12, fontweight="bold", family=FONT_FAMILY,
                        color=TEXT_COLOUR, parse_math=False)
        centre = (self.left_in + self.plot_width_in / 2) / FIGURE_WIDTH_IN
        figure.legend(handles=self.legend_handles, loc="upper center", ncols=self.legend_columns,
                      bbox_to_anchor=(centre, (self.bottom_in - 0.52 - 0.06) / self.height_in),
                      frameon=False, prop=FontProperties(family=FONT_FAMILY, size=LEGEND_SIZE),
                      handlelength=2.2, columnspacing=1.6, borderaxespad=0)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
