"""The overview's action matrix: per touchpoint with drivers, importance
against performance as an SVG scatter drawn on the server (like charts.py),
with the figures as a table beside it and the sentence on where to act first."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from collector import matrix, storage

from . import charts, filters

# Geometry in viewBox units: 320 wide, so 15-unit text is 12 px or more in
# the 280 px a 360 px phone leaves the chart.
_W, _H = 320, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 10, 10, 46  # room for "100%" left of the plot
_FONT = 15
# The quadrants' names take two lines in their corners; the points keep out of
# those strips (and off the edges), so no point hides a name.
_STRIP, _EDGE = 40, 14
_NAME_LINES = {
    matrix.CONCENTRATE: ("Concentrate", "here"),
    matrix.KEEP_UP: ("Keep up the", "good work"),
    matrix.LOW_PRIORITY: ("Low", "priority"),
    matrix.OVERKILL: ("Possible", "overkill"),
}
POINT = "#1f5fbf"
QUADRANT_INK = "#4b5465"  # 7:1 on white


@dataclass
class TouchpointMatrix:
    touchpoint: storage.Touchpoint
    matrix: matrix.Matrix

    @property
    def key(self) -> str:
        return f"matrix-{self.touchpoint.id}"

    def chart(self) -> Markup:
        return scatter(self.matrix, self.key + "-chart", self.touchpoint.name)


def for_overview(
    conn: sqlite3.Connection, flt: filters.Filters, touchpoints: Sequence[storage.Touchpoint], min_answers: int
) -> list[TouchpointMatrix]:
    """The matrices of the touchpoints the filters select that have drivers."""
    selected = [tp for tp in touchpoints if flt.touchpoint_id is None or tp.id == flt.touchpoint_id]
    found = matrix.for_touchpoints(conn, [tp.id for tp in selected], flt.response_filter(), min_answers)
    return [TouchpointMatrix(tp, found[tp.id]) for tp in selected if tp.id in found]


def _ceiling(importances: list[float]) -> float:
    """The top of the importance axis: the largest share rounded up to tens, 40% at least."""
    top = max(importances, default=0)
    return max(40.0, min(100.0, -(-top // 10) * 10 + (10 if top % 10 > 7 else 0)))


def scatter(found: matrix.Matrix, chart_id: str, name: str) -> Markup:
    """Each driver as a point: performance across, importance up; the quadrants
    split at the means and named; hollow points have few answers."""
    title = f"Importance and performance of the drivers, {name}"
    placed = found.placed
    if not placed:
        desc = "Not enough ratings yet to place any driver."
    else:
        desc = "; ".join(
            f"{d.label}: importance {d.importance:.0f}%, performance {d.performance:.0f}, {d.quadrant}"
            + (" (few answers)" if d.few else "")
            for d in placed
            if d.importance is not None and d.performance is not None
        )
        desc += ". Hollow points have few answers."
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    top = _ceiling([d.importance or 0 for d in placed])

    def x(performance: float) -> float:
        return _LEFT + _EDGE + (plot_w - 2 * _EDGE) * performance / 100

    def y(importance: float) -> float:
        return _TOP + _STRIP + (plot_h - 2 * _STRIP) * (1 - importance / top)

    num = charts._num
    body = [
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{charts.GRID}"/>',
    ]
    if found.mean_performance is not None and found.mean_importance is not None:
        mx, my = x(found.mean_performance), y(found.mean_importance)
        body.append(
            f'<line x1="{num(mx)}" y1="{_TOP}" x2="{num(mx)}" y2="{_TOP + plot_h}" stroke="{charts.MUTED}" '
            'stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<line x1="{_LEFT}" y1="{num(my)}" x2="{_LEFT + plot_w}" y2="{num(my)}" stroke="{charts.MUTED}" '
            'stroke-dasharray="4 3"/>'
        )
    # The quadrants' names in their corners.
    corners = [
        (matrix.CONCENTRATE, _LEFT + 6, _TOP + _FONT + 1, "start"),
        (matrix.KEEP_UP, _LEFT + plot_w - 6, _TOP + _FONT + 1, "end"),
        (matrix.LOW_PRIORITY, _LEFT + 6, _TOP + plot_h - _FONT - 6, "start"),
        (matrix.OVERKILL, _LEFT + plot_w - 6, _TOP + plot_h - _FONT - 6, "end"),
    ]
    for label, cx, cy, anchor in corners:
        first, second = _NAME_LINES[label]
        body.append(
            f'<text class="quadrant" x="{cx}" y="{cy}" text-anchor="{anchor}" font-size="{_FONT}" '
            f'font-style="italic" fill="{QUADRANT_INK}">{escape(first)}'
            f'<tspan x="{cx}" dy="{_FONT + 1}">{escape(second)}</tspan></text>'
        )
    # Axes: ticks and names.
    for value in (0, 50, 100):
        body.append(
            f'<text class="axis" x="{num(x(value))}" y="{_TOP + plot_h + _FONT + 2}" text-anchor="middle" '
            f'font-size="{_FONT}" fill="{charts.MUTED}">{value}</text>'
        )
    for value in (0, top):
        body.append(
            f'<text class="axis" x="{_LEFT - 4}" y="{num(y(value) + 5)}" text-anchor="end" font-size="{_FONT}" '
            f'fill="{charts.MUTED}">{value:.0f}%</text>'
        )
    body.append(
        f'<text class="axis" x="{_LEFT + plot_w / 2:.0f}" y="{_H - 6}" text-anchor="middle" font-size="{_FONT}" '
        f'fill="{charts.INK}">Performance (0–100)</text>'
    )
    body.append(
        f'<text class="axis" transform="translate({_FONT} {_TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'font-size="{_FONT}" fill="{charts.INK}">Importance</text>'
    )
    for d in placed:
        if d.importance is None or d.performance is None:
            continue
        px, py = x(d.performance), y(d.importance)
        fill = "#ffffff" if d.few else POINT
        body.append(
            f'<circle class="point{" few" if d.few else ""}" cx="{num(px)}" cy="{num(py)}" r="6" fill="{fill}" '
            f'stroke="{POINT}" stroke-width="2.5"/>'
        )
        right_half = d.performance > 55
        lx = px - 10 if right_half else px + 10
        ly = py + 5 if py > _TOP + _FONT * 2 else py + _FONT + 4
        body.append(
            f'<text class="point-label" x="{num(lx)}" y="{num(ly)}" text-anchor="{"end" if right_half else "start"}" '
            f'font-size="{_FONT}" font-weight="600" fill="{charts.INK}">{escape(d.label)}</text>'
        )
    return charts._svg(chart_id, f"0 0 {_W} {_H}", title, desc, body, "chart-matrix")
