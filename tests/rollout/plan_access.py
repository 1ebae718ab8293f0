"""Access-matrix rows for the plan pages (merged into tests/test_access_matrix.py).

Order: anonymous, admin, pm, pm_other, committee, trainer, viewer, none.
"""
LOGIN = "login"

ROWS: dict[tuple[str, str], tuple] = {
    ("rollout.show_plan", "GET"):        (LOGIN, 200, 200, 404, 200, 200, 200, 404),
    ("rollout.gantt_chart", "GET"):      (LOGIN, 200, 200, 404, 200, 200, 200, 404),
    ("rollout.replan", "GET"):           (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("rollout.replan", "POST"):          (LOGIN, 422, 422, 404, 403, 403, 403, 404),
    ("rollout.generate_plan", "GET"):    (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    ("rollout.generate_plan", "POST"):   (LOGIN, 422, 422, 404, 403, 403, 403, 404),
}
