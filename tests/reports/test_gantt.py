"""The server-side Gantt chart: valid images, same bytes for the same plan, and legible labels."""
import io
import itertools
import random
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import matplotlib.image
import pytest
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from planner.reports.gantt import (
    CRITICAL_COLOUR, DPI, MAX_MILESTONE_LANES, GanttBar, GanttMilestone, build_figure, render_gantt,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 10, 20)


def _working_days_after(start: date, count: int) -> date:
    """The last day of a span of `count` working days starting on `start`."""
    day, counted = start, 1
    while counted < count:
        day += timedelta(days=1)
        counted += day.weekday() < 5
    return day


def demo_plan() -> tuple[list[GanttBar], list[GanttMilestone]]:
    """Like the demo programme: six stages over 2026-03..2027-06, a pilot, two key and two standard waves."""
    pilot_go_live = date(2026, 10, 5)
    pilot_end = _working_days_after(pilot_go_live, 30)
    bars = [
        GanttBar("Preparation", date(2026, 3, 2), date(2026, 4, 30), "stage", is_critical=True),
        GanttBar("Design", date(2026, 5, 4), date(2026, 8, 28), "stage", is_critical=True),
        GanttBar("Testing", date(2026, 7, 1), date(2026, 9, 25), "stage", is_critical=True, is_late=True),
        GanttBar("Training", date(2026, 8, 17), date(2027, 3, 31), "stage"),
        GanttBar("Rollout", date(2026, 10, 5), date(2027, 5, 28), "stage", is_critical=True),
        GanttBar("Hypercare", date(2027, 4, 1), date(2027, 6, 30), "stage"),
        GanttBar("Pilot wave", date(2026, 9, 7), pilot_end, "wave", is_critical=True, trial_start=pilot_go_live),
        GanttBar("Key wave North", date(2026, 11, 16), date(2027, 2, 5), "wave", trial_start=date(2027, 1, 11)),
        GanttBar("Key wave South", date(2027, 1, 4), date(2027, 3, 19), "wave", trial_start=date(2027, 2, 22)),
        GanttBar("Wave East", date(2027, 2, 15), date(2027, 4, 19), "wave", trial_start=date(2027, 4, 6)),
        GanttBar("Wave West", date(2027, 3, 15), date(2027, 5, 14), "wave", trial_start=date(2027, 5, 3)),
    ]
    milestones = [
        GanttMilestone("Kick-off", date(2026, 3, 2)),
        GanttMilestone("Design approved", date(2026, 8, 28), is_critical=True),
        GanttMilestone("Pilot go-live", pilot_go_live, is_critical=True),
        GanttMilestone("Pilot accepted", pilot_end),
        GanttMilestone("Programme closed", date(2027, 6, 30)),
    ]
    return bars, milestones


def crowded_plan() -> tuple[list[GanttBar], list[GanttMilestone]]:
    """6 stages, 10 waves and 50 milestones, many of them within days of each other."""
    rng = random.Random(7)
    start = date(2026, 3, 2)
    names = ["Preparation", "Design", "Build", "Test", "Rollout", "Closure"]
    stages = [GanttBar(f"Stage {n + 1}: {name}", start + timedelta(days=60 * n),
                       start + timedelta(days=60 * n + 90), "stage", is_critical=n % 2 == 0, is_late=n == 1)
              for n, name in enumerate(names)]
    waves = []
    for n in range(10):
        wave_start = start + timedelta(days=150 + 25 * n)
        go_live = wave_start + timedelta(days=35)
        waves.append(GanttBar(f"Wave {n + 1}: Region {chr(65 + n)} and its neighbours", wave_start,
                              go_live + timedelta(days=42), "wave", is_critical=n in (0, 3),
                              trial_start=go_live))
    kinds = ["gate", "review", "sign-off", "go-live", "steering committee"]
    milestones = [GanttMilestone(f"Milestone {n + 1} {rng.choice(kinds)}", start + timedelta(days=rng.randint(0, 520)),
                                 is_critical=n % 7 == 0) for n in range(50)]
    return waves + stages, milestones  # deliberately out of order: stages must still come first


def _png_size(data: bytes) -> tuple[int, int]:
    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    return image.shape[1], image.shape[0]


def _visible_texts(figure) -> list[Text]:
    return [text for text in figure.findobj(match=Text) if text.get_visible() and text.get_text().strip()]


def _texts_by_content(figure) -> dict[str, list[Text]]:
    found: dict[str, list[Text]] = {}
    for text in _visible_texts(figure):
        found.setdefault(text.get_text(), []).append(text)
    return found


def _line(figure, label: str) -> Line2D:
    (ax,) = figure.axes
    return next(line for line in ax.lines if line.get_label() == label)


def test_png_is_a_valid_image_of_sensible_size():
    bars, milestones = demo_plan()

    data = render_gantt(bars, milestones, today=TODAY, fmt="png", title="Demo programme")

    assert data.startswith(PNG_SIGNATURE)
    width, height = _png_size(data)
    assert 1000 <= width <= 1600
    assert 400 <= height <= 1200


def test_svg_is_xml_and_names_every_bar_and_milestone():
    bars, milestones = demo_plan()
    bars.append(GanttBar("Wave <b>&-- odd", date(2027, 5, 3), date(2027, 5, 21), "wave"))

    svg = render_gantt(bars, milestones, today=TODAY, fmt="svg", title="Demo programme")

    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg, parser=parser)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # Glyphs are drawn as paths; each text is named in a comment next to them.
    comments = {element.text.strip() for element in root.iter(ET.Comment)}
    for name in [bar.label for bar in bars[:-1]] + [m.label for m in milestones] + ["Today"]:
        assert name in comments
    assert any("odd" in comment for comment in comments)  # escaped: the document is still well-formed


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_plan_gives_the_same_bytes(fmt):
    bars, milestones = demo_plan()

    first = render_gantt(bars, milestones, today=TODAY, fmt=fmt, title="Demo")
    second = render_gantt(list(bars), list(milestones), today=TODAY, fmt=fmt, title="Demo")

    assert first == second
    changed = render_gantt(bars, milestones, today=TODAY + timedelta(days=7), fmt=fmt, title="Demo")
    assert changed != first


def test_threads_drawing_at_once_get_the_same_image():
    bars, milestones = demo_plan()
    expected = render_gantt(bars, milestones, today=TODAY, fmt="png")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_gantt(bars, milestones, today=TODAY, fmt="png"), range(4)))

    assert all(result == expected for result in results)


def test_crowded_plan_is_legible():
    bars, milestones = crowded_plan()

    figure = build_figure(bars, milestones, today=TODAY, title="A crowded programme")
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)

    texts = _visible_texts(figure)
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    overlapping = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
                   if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 0.5
                   and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 0.5]
    assert overlapping == []
    # Every label is drawn (none left off) and inside the image.
    shown = _texts_by_content(figure)
    assert all(milestone.label in shown for milestone in milestones)
    assert all(bar.label in shown for bar in bars)
    width, height = figure.bbox.width, figure.bbox.height
    assert all(box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height for _, box in boxes)
    assert height < 4000


def test_milestones_beyond_the_lane_limit_keep_their_diamond_but_not_their_label():
    same_day = [GanttMilestone(f"Check {n:02d}", date(2026, 6, 1)) for n in range(40)]

    figure = build_figure([], same_day, today=TODAY)

    shown = _texts_by_content(figure)
    assert sum(f"Check {n:02d}" in shown for n in range(40)) == MAX_MILESTONE_LANES
    assert "10 labels left off" in shown
    (ax,) = figure.axes
    assert sum(line.get_label().startswith("_milestone:") for line in ax.lines) == 40
    assert figure.get_size_inches()[1] * DPI < 4000


def test_rows_are_stages_in_order_then_waves():
    bars, milestones = crowded_plan()

    figure = build_figure(bars, milestones, today=TODAY)

    shown = _texts_by_content(figure)
    stage_names = [bar.label for bar in bars if bar.kind == "stage"]
    wave_names = [bar.label for bar in bars if bar.kind == "wave"]
    # y grows downwards in data units (the axis is inverted), so sort rows by y.
    rows = sorted(stage_names + wave_names, key=lambda name: shown[name][0].get_position()[1])
    assert rows == stage_names + wave_names


def test_figure_grows_with_the_number_of_rows():
    bars, milestones = demo_plan()
    more_waves = [GanttBar(f"Extra wave {n}", date(2027, 1, 4), date(2027, 2, 5), "wave") for n in range(12)]

    small = build_figure(bars, milestones, today=TODAY)
    large = build_figure(bars + more_waves, milestones, today=TODAY)

    assert large.get_size_inches()[1] > small.get_size_inches()[1] + 12 * 0.3
    assert large.get_size_inches()[1] * DPI < 4000


def test_today_line_is_drawn_and_labelled():
    bars, milestones = demo_plan()

    figure = build_figure(bars, milestones, today=TODAY)

    today_line = _line(figure, "Today")
    assert set(today_line.get_xdata()) == {TODAY.toordinal() + 0.5}
    assert "Today" in _texts_by_content(figure)


def test_critical_bars_and_milestones_stand_out():
    bars, milestones = demo_plan()

    figure = build_figure(bars, milestones, today=TODAY)
    (ax,) = figure.axes
    outlines = {patch.get_label(): patch for patch in ax.patches if patch.get_label().startswith("_bar:")}

    red = to_rgba(CRITICAL_COLOUR)
    for bar in bars:
        outline = outlines[f"_bar:{bar.label}"]
        if bar.is_critical:
            assert outline.get_edgecolor() == red and outline.get_linewidth() >= 2
        else:
            assert outline.get_edgecolor() != red and outline.get_linewidth() < 2
    for milestone in milestones:
        face = to_rgba(_line(figure, f"_milestone:{milestone.label}").get_markerfacecolor())
        assert (face == red) == milestone.is_critical
    legend_labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert "Critical path" in legend_labels and "Critical milestone" in legend_labels


def test_late_bars_are_marked_up_to_today():
    bars, milestones = demo_plan()

    figure = build_figure(bars, milestones, today=TODAY)
    (ax,) = figure.axes

    late_markers = [line.get_label() for line in ax.lines if line.get_label().startswith("_late:")]
    assert late_markers == ["_late:Testing"]
    overdue = _line(figure, "_overdue")
    assert max(overdue.get_xdata()) == TODAY.toordinal() + 0.5
    assert min(overdue.get_xdata()) == date(2026, 9, 26).toordinal()  # the day after the planned finish


def test_trial_period_is_hatched_from_go_live_to_finish():
    pilot = GanttBar("Pilot", date(2026, 9, 7), date(2026, 11, 13), "wave", trial_start=date(2026, 10, 5))

    figure = build_figure([pilot], [], today=TODAY)
    (ax,) = figure.axes

    hatched = [patch for patch in ax.patches if isinstance(patch, Rectangle) and patch.get_hatch()]
    assert len(hatched) == 1
    assert hatched[0].get_x() == date(2026, 10, 5).toordinal()
    assert hatched[0].get_x() + hatched[0].get_width() == date(2026, 11, 14).toordinal()  # inclusive finish
    go_live = _line(figure, "_go-live")
    assert set(go_live.get_xdata()) == {date(2026, 10, 5).toordinal()}


def test_labels_are_never_read_as_math():
    bars = [GanttBar("Budget $a^{$ review", date(2026, 3, 2), date(2026, 4, 30), "stage")]
    milestones = [GanttMilestone("Costs $\\frac$ signed", date(2026, 4, 1))]

    data = render_gantt(bars, milestones, today=TODAY, fmt="png", title="Plan $x_{$")

    assert data.startswith(PNG_SIGNATURE)


def test_an_empty_plan_says_there_is_nothing_to_draw():
    data = render_gantt([], [], today=TODAY, fmt="png")

    assert data.startswith(PNG_SIGNATURE)
    width, height = _png_size(data)
    assert width <= 800 and height <= 300
    figure = build_figure([], [], today=TODAY)
    assert any("Nothing to draw" in text for text in _texts_by_content(figure))
    svg = render_gantt([], [], today=TODAY, fmt="svg")
    assert ET.fromstring(svg).tag.endswith("svg")


def test_unknown_format_or_kind_is_refused():
    bars, milestones = demo_plan()

    with pytest.raises(ValueError):
        render_gantt(bars, milestones, today=TODAY, fmt="pdf")
    with pytest.raises(ValueError):
        render_gantt([GanttBar("Odd", date(2026, 3, 2), date(2026, 4, 30), "phase")], [], today=TODAY)
