"""The SVG charts: well-formed, labelled for screen readers, no script and no
style attribute (so a strict Content-Security-Policy allows them), and drawn
from the figures they are given."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from admin import charts, stats
from collector import nps

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby"), root.get("aria-describedby")
    assert root.find(SVG + "title").get("id") == title_id
    assert root.find(SVG + "desc").get("id") == desc_id
    for element in root.iter():
        assert element.tag != SVG + "script"
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    return root


def test_stacked_bar_widths_follow_the_counts():
    root = parse(charts.stacked_bar(nps.Summary(5, 3, 2), "c1", "checkout"))
    widths = {rect.get("class"): float(rect.get("width")) for rect in root.iter(SVG + "rect")}
    assert widths == {"bar-promoter": 150, "bar-passive": 90, "bar-detractor": 60}
    assert root.find(SVG + "desc").text == "50% promoters (5), 30% passives (3), 20% detractors (2); 10 answers."


def test_stacked_bar_without_answers():
    root = parse(charts.stacked_bar(nps.Summary(), "c2", "x"))
    assert root.find(SVG + "desc").text == "No answers."


def test_distribution_bars_and_labels():
    counts = [1, 0, 0, 0, 0, 0, 2, 3, 0, 4, 8]
    root = parse(charts.distribution(counts, "d1", "all <touchpoints>"))
    assert root.find(SVG + "title").text == "Answers by score 0-10, all <touchpoints>"
    rects = list(root.iter(SVG + "rect"))
    assert [r.get("class") for r in rects] == ["bar-detractor"] * 7 + ["bar-passive"] * 2 + ["bar-promoter"] * 2
    heights = [float(r.get("height")) for r in rects]
    assert heights[10] == max(heights) and heights[9] == heights[10] / 2 and heights[1] == 0
    texts = [t.text for t in root.iter(SVG + "text") if t.get("class") == "count"]
    assert texts == [str(c) for c in counts]
    assert "0: 1; 1: 0;" in root.find(SVG + "desc").text


def point(day: int, p: int, pa: int, d: int) -> stats.TrendPoint:
    start = date(2026, 11, day)
    return stats.TrendPoint(start, stats.bucket_label(start, "week"), nps.Summary(p, pa, d))


def test_trend_line_band_target_and_gaps():
    points = [point(2, 30, 10, 10), point(9, 0, 0, 0), point(16, 15, 15, 10), point(23, 25, 15, 10)]
    root = parse(charts.trend(points, "t1", "checkout", target=40, min_answers=45, interval="week"))
    desc = root.find(SVG + "desc").text
    assert desc.startswith("4 weeks, 3 with answers. From +40 in 2026-W45 to +30 in 2026-W48. Target +40.")
    # The empty week breaks the line: one run of two points gets a line and a band.
    assert len([p for p in root.iter(SVG + "path") if p.get("class") == "line"]) == 1
    assert len([p for p in root.iter(SVG + "polygon") if p.get("class") == "band"]) == 1
    # A lone week gets its margin as a bar.
    assert len([r for r in root.iter(SVG + "rect") if r.get("class") == "band"]) == 1
    circles = list(root.iter(SVG + "circle"))
    assert len(circles) == 3
    # 50 answers are not few (min 45); 40 are.
    assert [c.get("class") for c in circles] == ["point", "point few", "point"]
    assert circles[0].find(SVG + "title").text == "2026-W45: NPS +40, n = 50"
    assert any(line.get("class") == "target" for line in root.iter(SVG + "line"))


def test_trend_without_answers():
    root = parse(charts.trend([point(2, 0, 0, 0)], "t2", "x", None, 30, "month"))
    assert root.find(SVG + "desc").text == "No answers in any month of the period."
