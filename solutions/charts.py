"""Geometry of the reuse charts: horizontal bars, one per solution, drawn as SVG by the
templates. Only presentation: the numbers come from selectors.reuse.reuse_figures().

Bars run horizontally because solution names are long; the names stand left of the bars.
Coordinates are strings with a decimal point, so a Dutch page (1,5) cannot break the SVG.
The axis rounding is the sprints charts' own.
"""

from sprints.charts import nice_maximum

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 200, 72, 16, 40
ROW = 30
BAR = 18
# More bars than this would make the chart unreadable; the table beside it lists every one.
MAX_BARS = 15
NAME_CHARACTERS = 28


def _n(value: float) -> str:
    return f"{value:.1f}"


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARACTERS else name[: NAME_CHARACTERS - 1].rstrip() + "…"


def bar_chart(rows: list[dict]) -> dict:
    """rows: [{"key", "label", "value" (a number), "text" (the value as shown)}], in order."""
    omitted = max(0, len(rows) - MAX_BARS)
    rows = rows[:MAX_BARS]
    top_value, step = nice_maximum(float(max((r["value"] for r in rows), default=0)))
    plot_width = WIDTH - LEFT - RIGHT
    height = TOP + ROW * max(len(rows), 1) + BOTTOM
    bottom = height - BOTTOM

    def x(value):
        return LEFT + float(value) / top_value * plot_width

    bars = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW + (ROW - BAR) / 2
        bars.append(
            {
                "key": row["key"],
                "label": _short(row["label"]),
                "text": row["text"],
                "x": _n(LEFT),
                "y": _n(y),
                "width": _n(max(x(row["value"]) - LEFT, 0)),
                "height": _n(BAR),
                "label_x": _n(LEFT - 8),
                "label_y": _n(y + BAR / 2 + 4),
                "value_x": _n(x(row["value"]) + 6),
            }
        )
    ticks = []
    for value in range(0, top_value + 1, step):
        ticks.append({"value": value, "x": _n(x(value)), "label_y": _n(bottom + 16)})
    return {
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": bottom,
        "axis_label_x": _n(LEFT + plot_width / 2),
        "axis_label_y": _n(height - 6),
        "bars": bars,
        "x_ticks": ticks,
        "omitted": omitted,
    }
