"""Server-rendered SVG charts: well-formed, labelled for screen readers, bars to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from service.web.ui.svg_charts import (
    LABEL_WIDTH,
    VALUE_WIDTH,
    WIDTH,
    Series,
    bar_chart,
    stacked_bar_chart,
)

NS = "{http://www.w3.org/2000/svg}"
AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_grouped_bars_are_to_scale_and_missing_values_say_so() -> None:
    svg = parse(bar_chart("c1", "Odotus", "Päiviä tahoittain", ["Kela", "Velkaneuvonta"],
                          [Series("mediaani", [10.0, None]), Series("pisin", [20.0, 40.0])],
                          unit="pv"))
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{NS}title").text == "Odotus"
    assert svg.find(f"{NS}desc").text == "Päiviä tahoittain"
    bars = [float(r.get("width")) for r in svg.iter(f"{NS}rect")][2:]  # after the legend
    assert bars == [AREA * 10 / 40, AREA * 20 / 40, 0.0, AREA]
    texts = [t.text for t in svg.iter(f"{NS}text")]
    assert [t for t in texts if t and (
        t.endswith("pv") or t == "–")] == ["10 pv", "20 pv", "–", "40 pv"]


def test_labels_are_escaped() -> None:
    markup = bar_chart("c2", "<b>", "&", ['<script>alert(1)</script>'],
                       [Series("a", [1.0])])
    assert "<script>" not in markup
    assert parse(markup).find(f"{NS}title").text == "<b>"


def test_stacked_bars_add_up_and_show_totals() -> None:
    svg = parse(stacked_bar_chart("c3", "Vastaukset", "Tyypeittäin", ["terveys", "Kela"],
                                  [Series("vahvisti", [2.0, 0.0]), Series("ei pääse", [1.0, 1.0]),
                                   Series("ei vastausta", [1.0, 0.0])]))
    rects = list(svg.iter(f"{NS}rect"))[3:]
    widths = [float(r.get("width")) for r in rects]
    assert widths == [AREA / 2, AREA / 4, AREA / 4, AREA / 4]  # zero shares are not drawn
    texts = [t.text for t in svg.iter(f"{NS}text")]
    assert "4" in texts and "1" in texts  # totals written after the bars


def test_an_empty_chart_is_still_valid() -> None:
    svg = parse(bar_chart("c4", "Tyhjä", "Ei lukuja", [], [Series("a", [])]))
    assert svg.find(f"{NS}title").text == "Tyhjä"
