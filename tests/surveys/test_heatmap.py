"""The readiness heat map: barrier cells outlined, too-few rows without scores, same bytes for the same input."""
import pytest

from planner.reports.readiness_heatmap import HeatmapRow, build_figure, render_heatmap
from planner.surveys.models import ELEMENTS

ELEMENT_PAIRS = [(name, name.title()) for name in ELEMENTS]
ROWS = [
    HeatmapRow("Hamburg", 12, {"awareness": 4.2, "desire": 3.9, "knowledge": 3.6, "ability": 3.4,
                               "reinforcement": 3.8}),
    HeatmapRow("Boston", 9, {"awareness": 3.9, "desire": 3.5, "knowledge": 2.4, "ability": 3.0,
                             "reinforcement": 3.3}),
    HeatmapRow("$5 store", 1, {}),
]


def test_barrier_cells_are_outlined_and_too_few_rows_show_no_scores(app):
    with app.test_request_context():
        figure = build_figure(ROWS, elements=ELEMENT_PAIRS, title="Readiness")
        ax = figure.axes[0]
        outlined = sorted(patch.get_label() for patch in ax.patches if patch.get_label().startswith("_barrier:"))
        texts = [text.get_text() for text in ax.texts]
    assert outlined == ["_barrier:Boston:ability", "_barrier:Boston:knowledge"]
    assert "2.4 !" in texts and "3.0 !" in texts and "4.2" in texts
    assert "too few answers (1)" in texts
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Hamburg", "Boston", "$5 store"]


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_same_input_gives_the_same_bytes(app, fmt):
    with app.test_request_context():
        first = render_heatmap(ROWS, elements=ELEMENT_PAIRS, fmt=fmt, title="Readiness")
        second = render_heatmap(ROWS, elements=ELEMENT_PAIRS, fmt=fmt, title="Readiness")
        empty = render_heatmap([], elements=ELEMENT_PAIRS, fmt=fmt)
    assert first == second and empty
    with app.test_request_context(), pytest.raises(ValueError):
        render_heatmap(ROWS, elements=ELEMENT_PAIRS, fmt="gif")


def test_a_cell_is_marked_on_the_mean_it_shows(app):
    """3.04 is written 3.0, so it is a barrier; 3.05 is written 3.1, so it is not."""
    rows = [HeatmapRow("Boston", 25, {"awareness": 3.04, "desire": 3.05, "knowledge": 4.0, "ability": 4.0,
                                      "reinforcement": 4.0})]
    with app.test_request_context():
        ax = build_figure(rows, elements=ELEMENT_PAIRS).axes[0]
        outlined = [patch.get_label() for patch in ax.patches if patch.get_label().startswith("_barrier:")]
        texts = [text.get_text() for text in ax.texts]
    assert outlined == ["_barrier:Boston:awareness"]
    assert "3.0 !" in texts and "3.1" in texts
