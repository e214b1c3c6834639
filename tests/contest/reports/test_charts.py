"""The inline SVG charts of both wings (contest.reports.charts): well-formed,
escaped, one image each, values placed on the scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own SVG output

from contest.reports.charts import bar_chart, judge_distribution_svg, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_every_chart_is_one_labelled_image_with_its_text_escaped():
    hostile = '<script>alert("x")</script> & Đà Nẵng'
    charts = [
        bar_chart(hostile, [(hostile, 3)]),
        trend_chart(hostile, ["2025", "2026"], [(hostile, [1, 2])]),
        judge_distribution_svg({hostile: [50.0]}, [50.0], panel_label=hostile),
    ]
    for svg in charts:
        root = ET.fromstring(svg)  # noqa: S314 - well-formed: nothing broke out
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        assert root.get("aria-label") == hostile
        assert "<script>" not in svg
        assert not list(root.iter(f"{SVG}script"))


def test_judge_distribution_places_range_mean_and_dots_on_the_0_to_100_scale():
    svg = judge_distribution_svg(
        {"Judge A": [20.0, 60.0], "Judge B": []}, [20.0, 60.0, 100.0, 140.0], panel_label="Panel"
    )
    root = ET.fromstring(svg)  # noqa: S314
    assert root.get("class") == "plot"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["Panel", "Judge A", "Judge B"]
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 2  # Judge B has no totals: no box
    judge_box = rects[1]
    # 20 → 220 + 0.2 × 520 = 324; 60 → 532: the box spans the judge's lowest to highest
    assert float(judge_box.get("x")) == 324.0 and float(judge_box.get("width")) == 208.0
    panel_dots = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")][:4]
    assert panel_dots == [324.0, 532.0, 740.0, 740.0]  # above 100 is clamped to the scale's end


def test_bar_chart_scales_to_the_longest_bar_and_writes_the_values():
    root = ET.fromstring(bar_chart("Teams", [("A", 1_500), ("B", 750)]))  # noqa: S314
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths == [420.0, 210.0]
    assert "1.500" in [t.text for t in root.iter(f"{SVG}text")]
