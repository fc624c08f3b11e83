"""Charts drawn on the server as SVG images (pygal), shown with `<img>` and a data table beside
them: no script reaches the page, so its CSP stays strict (security.md)."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree

import pygal
from flask import Response
from flask_babel import get_locale
from pygal.style import Style

from portal import i18n
from portal.core.access_log import CATALOG, Summary
from portal.web.messages import N_

# USWDS colours, distinguishable in print and by most colour-blind readers.
CHART_SIZE = (800, 450)  # the <img> width and height in the templates
PALETTE = ("#005ea2", "#d54309", "#00a398", "#8168b3", "#e5a000", "#1a4480", "#936f38", "#4d8055",
           "#c05600", "#71767a", "#2e6276", "#b50909")
STYLE = Style(background="white", plot_background="white", foreground="#1b1b1b",
              foreground_strong="#1b1b1b", foreground_subtle="#565c65", colors=PALETTE,
              font_family="'Noto Sans', 'Source Sans Pro', sans-serif", label_font_size=13,
              legend_font_size=13, value_font_size=12, title_font_size=16)


SVG = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("", SVG)
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _svg(chart: pygal.graph.graph.Graph) -> bytes:
    """The chart without pygal's script and references to outside files. Its output is parsed
    again with the standard library (whichever XML library pygal found), which drops comments."""
    root = ElementTree.fromstring(chart.render(is_unicode=False))  # noqa: S314 (pygal's own output)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}script", f"{{{SVG}}}link", "script", "link"):
                parent.remove(child)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def stacked_bars(title: str, labels: list[str], series: list[tuple[str, list[int | None]]], rtl: bool = False) -> bytes:
    chart = pygal.HorizontalStackedBar(
        js=[], style=STYLE, width=CHART_SIZE[0], height=CHART_SIZE[1],
        legend_at_bottom=True, legend_at_bottom_columns=2, print_values=False, show_y_guides=False,
        truncate_label=-1, truncate_legend=-1, disable_xml_declaration=True, no_data_text="",
        inverse_y_axis=rtl)
    chart.title = title
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _svg(chart)


def summary_chart(summary: Summary, translate: Callable[[str], str], rtl: bool = False) -> bytes:
    """Accesses of the last 12 months, one bar per agency, split by purpose."""
    by_agency = summary.by_agency()
    purposes = [code for code in CATALOG.purposes if any(code in counts for counts in by_agency.values())]
    series = [(translate(CATALOG.purposes[code].name), [by_agency[a].get(code) or None for a in by_agency])
              for code in purposes]
    labels = [translate(CATALOG.agencies[code].name) for code in by_agency]
    return stacked_bars(translate(N_("Accesses in the last 12 months, by agency and purpose")), labels, series, rtl)


def svg_response(svg: bytes) -> Response:
    """A chart as its own response: no script and no outside references; the policy lets its own
    inline styles apply and nothing else."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def reader_is_rtl() -> bool:
    return i18n.locale_info(str(get_locale())).direction == "rtl"
