"""Geometry of the burndown and velocity charts, drawn as SVG by the review templates.

Only presentation: the numbers come from selectors.burndown() and selectors.velocity(); this
turns them into coordinates. Coordinates are strings with a decimal point, so a Dutch page
(which writes 1,5) cannot break the SVG.
"""

import math

WIDTH = 640
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 56, 32, 32, 56
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 8


def _n(value: float) -> str:
    return f"{value:.1f}"


def nice_maximum(value: float, steps: int = 5) -> tuple[int, int]:
    """A round top for the axis and the step between its gridlines (1, 2 or 5 times 10^k)."""
    value = max(value, 1)
    raw = value / steps
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return int(math.ceil(value / step) * step), step


def _y_axis(top_value, step):
    ticks = []
    for value in range(0, top_value + 1, step):
        y = TOP + PLOT_HEIGHT - value / top_value * PLOT_HEIGHT
        ticks.append({"value": value, "y": _n(y), "label_y": _n(y + 4)})
    return ticks


def _frame():
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": TOP + PLOT_HEIGHT,
        "label_x": _n(LEFT - 8),
        "axis_label_y": _n(HEIGHT - 8),
        "center_x": _n(LEFT + PLOT_WIDTH / 2),
        "center_y": _n(TOP + PLOT_HEIGHT / 2),
        "y_label_x": _n(14),
    }


def burndown_chart(rows: list[dict]) -> dict:
    """Lines for the remaining and the ideal points per day; marks where the scope changed."""
    values = [r["ideal"] or 0 for r in rows] + [r["remaining"] or 0 for r in rows]
    top_value, step = nice_maximum(max(values, default=0))
    count = len(rows)
    spacing = PLOT_WIDTH / max(count - 1, 1)
    every = max(1, math.ceil(count / MAX_X_LABELS))

    def x(index):
        return LEFT + index * spacing

    def y(value):
        return TOP + PLOT_HEIGHT - value / top_value * PLOT_HEIGHT

    days, remaining, ideal, scope = [], [], [], []
    for index, row in enumerate(rows):
        days.append(
            {
                "date": row["date"],
                "x": _n(x(index)),
                "label": index % every == 0 or index == count - 1,
                "label_y": _n(TOP + PLOT_HEIGHT + 18),
            }
        )
        ideal.append(f"{_n(x(index))},{_n(y(row['ideal'] or 0))}")
        if row["remaining"] is not None:
            remaining.append(
                {
                    "x": _n(x(index)),
                    "y": _n(y(row["remaining"])),
                    "value": row["remaining"],
                    "date": row["date"],
                }
            )
        if row["added"] or row["removed"]:
            scope.append(
                {
                    "x": _n(x(index)),
                    "added": row["added"],
                    "removed": row["removed"],
                    "added_y": _n(TOP - 16),
                    "removed_y": _n(TOP - 4),
                }
            )
    return {
        **_frame(),
        "y_ticks": _y_axis(top_value, step),
        "days": days,
        "ideal": " ".join(ideal),
        "remaining": remaining,
        "remaining_line": " ".join(f"{p['x']},{p['y']}" for p in remaining),
        "scope": scope,
    }


def velocity_chart(rows: list[dict]) -> dict:
    """Per sprint a bar for the committed and one for the accepted points, side by side."""
    values = [r["committed"] for r in rows] + [r["points"] for r in rows]
    top_value, step = nice_maximum(max(values, default=0))
    count = max(len(rows), 1)
    group = PLOT_WIDTH / count
    bar = min(48.0, group * 0.35)

    def y(value):
        return TOP + PLOT_HEIGHT - value / top_value * PLOT_HEIGHT

    bars = []
    for index, row in enumerate(rows):
        middle = LEFT + group * index + group / 2
        committed_y, accepted_y = y(row["committed"]), y(row["points"])
        bars.append(
            {
                "sprint": row["sprint"],
                "committed": row["committed"],
                "accepted": row["points"],
                "committed_x": _n(middle - bar - 2),
                "accepted_x": _n(middle + 2),
                "width": _n(bar),
                "committed_y": _n(committed_y),
                "committed_height": _n(TOP + PLOT_HEIGHT - committed_y),
                "accepted_y": _n(accepted_y),
                "accepted_height": _n(TOP + PLOT_HEIGHT - accepted_y),
                "committed_label_x": _n(middle - bar / 2 - 2),
                "accepted_label_x": _n(middle + bar / 2 + 2),
                "committed_label_y": _n(committed_y - 6),
                "accepted_label_y": _n(accepted_y - 6),
                "label_x": _n(middle),
                "label_y": _n(TOP + PLOT_HEIGHT + 18),
            }
        )
    return {**_frame(), "y_ticks": _y_axis(top_value, step), "bars": bars}
