"""Charts drawn on the server as SVG: the stacked category bar, the NPS trend
with its margin of error as a band, and the 0-10 distribution.

Each chart is an <svg role="img"> named by its <title> and described by a
<desc> that says in words what it shows; the page puts the figures beside it
as text too. There is no script and no style attribute: colours are
presentation attributes, which the admin stylesheet's classes may override,
so the charts work under a Content-Security-Policy without 'unsafe-inline'.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from collector import nps

from .stats import TrendPoint

# The admin stylesheet's category colours (4.5:1 or more against white).
COLOURS = {nps.PROMOTER: "#067647", nps.PASSIVE: "#8a4b08", nps.DETRACTOR: "#b42318"}
INK = "#1d2433"
MUTED = "#5b6475"
GRID = "#d5d9e0"
BAND = "#1f5fbf"
LINE = "#1f5fbf"
TARGET = "#1d2433"
EMPTY = "#e4e7ec"


def _svg(
    chart_id: str, view_box: str, title: str, desc: str, body: list[str], css_class: str, aspect: str = "xMidYMid meet"
) -> Markup:
    return Markup(
        f'<svg class="chart {css_class}" viewBox="{view_box}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="{aspect}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def stacked_bar(summary: nps.Summary, chart_id: str, name: str) -> Markup:
    """Promoters, passives and detractors as one bar of 100%."""
    title = f"Answers by category, {name}"
    if not summary.n:
        desc = "No answers."
        body = [f'<rect class="bar-empty" x="0" y="0" width="300" height="16" rx="3" fill="{EMPTY}"/>']
        return _svg(chart_id, "0 0 300 16", title, desc, body, "chart-bar", aspect="none")
    parts = [
        (nps.PROMOTER, summary.promoters, summary.pct_promoters),
        (nps.PASSIVE, summary.passives, summary.pct_passives),
        (nps.DETRACTOR, summary.detractors, summary.pct_detractors),
    ]
    desc = ", ".join(f"{pct}% {cat}s ({count})" for cat, count, pct in parts) + f"; {summary.n} answers."
    body = []
    x = 0.0
    for cat, count, _pct in parts:
        width = 300 * count / summary.n
        if width > 0:
            body.append(
                f'<rect class="bar-{cat}" x="{_num(x)}" y="0" width="{_num(width)}" height="16" fill="{COLOURS[cat]}"/>'
            )
        x += width
    return _svg(chart_id, "0 0 300 16", title, desc, body, "chart-bar", aspect="none")


# Trend chart geometry, in viewBox units: 320 wide, about the width of a card
# on a 360 px phone, so 13-unit text is drawn at 11 CSS px or more there;
# the left margin holds "+100" and "−100" whole.
_W, _H = 320, 210
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 10, 10, 36


def _scale(points: Sequence[TrendPoint], target: int | None) -> tuple[int, int]:
    """The NPS range to show: the points with their margins, and the target,
    rounded out to tens; at least 40 points tall."""
    values: list[float] = [] if target is None else [float(target)]
    for point in points:
        s = point.summary
        if s.nps_exact is not None:
            margin = s.margin or 0.0
            values += [s.nps_exact - margin, s.nps_exact + margin]
    if not values:
        return -100, 100
    low = max(-100, int((min(values) // 10) * 10))
    high = min(100, int(-((-max(values)) // 10) * 10))
    while high - low < 40:
        if high < 100:
            high += 10
        if high - low < 40 and low > -100:
            low -= 10
    return low, high


def trend(
    points: Sequence[TrendPoint], chart_id: str, name: str, target: int | None, min_answers: int, interval: str
) -> Markup:
    """NPS per week or month as a line, its 95% margin of error as a band
    around it, and the target as a dashed line."""
    title = f"NPS by {interval}, {name}"
    with_answers = [p for p in points if p.summary.n]
    if not with_answers:
        desc = f"No answers in any {interval} of the period."
    else:
        first, last = with_answers[0], with_answers[-1]
        desc = (
            f"{len(points)} {interval}s, {len(with_answers)} with answers. "
            f"From {nps.format_nps(first.summary.nps)} in {first.label} "
            f"to {nps.format_nps(last.summary.nps)} in {last.label}."
        )
        if target is not None:
            desc += f" Target {nps.format_nps(target)}."
        desc += " The shaded band is the 95% margin of error; hollow points have few answers."
    low, high = _scale(points, target)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    count = max(len(points), 1)
    step = plot_w / count

    def x_of(i: int) -> float:
        return _LEFT + step * (i + 0.5)

    def y_of(value: float) -> float:
        value = max(low, min(high, value))
        return _TOP + plot_h * (high - value) / (high - low)

    body: list[str] = []
    # Grid lines and their labels.
    grid_step = 10 if high - low <= 60 else 20 if high - low <= 120 else 50
    value = -(-low // grid_step) * grid_step  # the first multiple of the step inside the range
    while value <= high:
        y = _num(y_of(value))
        colour = MUTED if value == 0 else GRID
        body.append(
            f'<line class="grid{" zero" if value == 0 else ""}" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y}" y2="{y}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        body.append(
            f'<text class="axis" x="{_LEFT - 4}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="13" fill="{MUTED}">{escape(nps.format_nps(value) if value else "0")}</text>'
        )
        value += grid_step
    if target is not None and low <= target <= high:
        y = _num(y_of(target))
        body.append(
            f'<line class="target" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y}" y2="{y}" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    # The band and the line, drawn in runs of consecutive periods with answers.
    mid = {i: p.summary.nps_exact for i, p in enumerate(points) if p.summary.nps_exact is not None}
    spread = {i: p.summary.margin for i, p in enumerate(points) if p.summary.margin is not None}
    for run in _runs(sorted(spread)):
        if len(run) >= 2:
            upper = [_xy(x_of(i), y_of(mid[i] + spread[i])) for i in run]
            lower = [_xy(x_of(i), y_of(mid[i] - spread[i])) for i in reversed(run)]
            body.append(f'<polygon class="band" points="{" ".join(upper + lower)}" fill="{BAND}" fill-opacity="0.15"/>')
        else:
            i = run[0]
            y1, y2 = y_of(mid[i] + spread[i]), y_of(mid[i] - spread[i])
            body.append(
                f'<rect class="band" x="{_num(x_of(i) - 4)}" y="{_num(y1)}" width="8" height="{_num(y2 - y1)}" '
                f'fill="{BAND}" fill-opacity="0.15"/>'
            )
    for run in _runs(sorted(mid)):
        if len(run) >= 2:
            path = " ".join(f"{'M' if j == 0 else 'L'}{_xy(x_of(i), y_of(mid[i]))}" for j, i in enumerate(run))
            body.append(f'<path class="line" d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, exact in mid.items():
        point = points[i]
        few = point.summary.n < min_answers
        fill = "#ffffff" if few else LINE
        body.append(
            f'<circle class="point{" few" if few else ""}" cx="{_num(x_of(i))}" cy="{_num(y_of(exact))}" r="3.5" '
            f'fill="{fill}" stroke="{LINE}" stroke-width="2"><title>{escape(point.label)}: NPS '
            f"{escape(nps.format_nps(point.summary.nps))}, n = {point.summary.n}</title></circle>"
        )
    # Period labels: as many as fit without overlapping.
    every = max(1, -(-len(points) // 4))
    for i, point in enumerate(points):
        if i % every == 0:
            body.append(
                f'<text class="axis" x="{_num(x_of(i))}" y="{_H - _BOTTOM + 24}" text-anchor="middle" font-size="13" '
                f'fill="{MUTED}">{escape(_axis_label(point.label))}</text>'
            )
    return _svg(chart_id, f"0 0 {_W} {_H}", title, desc, body, "chart-trend")


def _axis_label(label: str) -> str:
    """A week's label on the axis is its number alone ("W35"); the title and
    the table beside the chart give the year."""
    return label.split("-", 1)[1] if "-W" in label else label


def _runs(indexes: list[int]) -> list[list[int]]:
    """Split ascending indexes into runs of consecutive ones."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _xy(x: float, y: float) -> str:
    return f"{_num(x)},{_num(y)}"


_DW, _DH = 320, 170
_DTOP, _DBOTTOM, _DSIDE = 20, 24, 6


def distribution(counts: Sequence[int], chart_id: str, name: str) -> Markup:
    """How many answers gave each score 0-10, coloured by category."""
    title = f"Answers by score 0-10, {name}"
    total = sum(counts)
    if total:
        desc = "; ".join(f"{score}: {count}" for score, count in enumerate(counts)) + f". {total} answers."
    else:
        desc = "No answers."
    top = max(counts) if total else 1
    slot = (_DW - 2 * _DSIDE) / 11
    plot_h = _DH - _DTOP - _DBOTTOM
    body = []
    for score, count in enumerate(counts):
        cat = nps.category(score)
        height = plot_h * count / top if top else 0
        x = _DSIDE + slot * score + slot * 0.15
        y = _DTOP + plot_h - height
        body.append(
            f'<rect class="bar-{cat}" x="{_num(x)}" y="{_num(y)}" width="{_num(slot * 0.7)}" '
            f'height="{_num(max(height, 0.5 if count else 0))}" fill="{COLOURS[cat]}"/>'
        )
        centre = _num(_DSIDE + slot * (score + 0.5))
        body.append(
            f'<text class="count" x="{centre}" y="{_num(y - 4)}" text-anchor="middle" font-size="13" '
            f'fill="{INK}">{count}</text>'
        )
        body.append(
            f'<text class="axis" x="{centre}" y="{_DH - 6}" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">{score}</text>'
        )
    return _svg(chart_id, f"0 0 {_DW} {_DH}", title, desc, body, "chart-distribution")
