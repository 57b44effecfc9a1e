"""Where the bars of a horizontal bar chart go: coordinates computed here, the SVG drawn by templates/macros/
charts.html (no SVG written in Python). Each chart groups bars under a heading line, values 0 to 100 (per cent).

    chart = bar_chart([BarGroup("Assessment", (Bar("Mar 2023", 61.5), Bar("Jun 2025", 72.0)))])
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 130  # the bar's own label (an inspection's date, a year) left of the bar
BAR_SPACE = 420  # 100 per cent
BAR_HEIGHT = 18
BAR_GAP = 4
HEADING_HEIGHT = 24
GROUP_GAP = 12
HEADING_LENGTH = 80  # characters of a group's heading the chart shows (the table beside it has the whole text)
SERIES = 4  # colours a chart cycles through (app-chart__bar--0..3 in the stylesheet)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no figure (drawn as "No figure")


@dataclass(frozen=True)
class BarGroup:
    heading: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class PlacedBar:
    label: str
    value_text: str
    series: int
    y: int  # top of the bar
    width: int
    text_y: int  # baseline of its label and value
    value_x: int


@dataclass(frozen=True)
class PlacedGroup:
    heading: str
    heading_y: int
    bars: tuple[PlacedBar, ...]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_x: int
    groups: tuple[PlacedGroup, ...]
    ticks: tuple[tuple[int, str], ...]  # x of the 0, 25, 50, 75 and 100 per cent lines, with their label


def bar_chart(groups: Sequence[BarGroup]) -> BarChart:
    y = 0
    placed: list[PlacedGroup] = []
    for group in groups:
        heading_y = y + HEADING_HEIGHT - 8
        y += HEADING_HEIGHT
        bars = []
        for index, bar in enumerate(group.bars):
            bars.append(_place(bar, index, y))
            y += BAR_HEIGHT + BAR_GAP
        placed.append(PlacedGroup(_shortened(group.heading), heading_y, tuple(bars)))
        y += GROUP_GAP
    ticks = tuple((LABEL_WIDTH + BAR_SPACE * percent // 100, f"{percent}%") for percent in (0, 25, 50, 75, 100))
    return BarChart(width=WIDTH, height=y + 20, bar_x=LABEL_WIDTH, groups=tuple(placed), ticks=ticks)


def _place(bar: Bar, index: int, y: int) -> PlacedBar:
    width = 0 if bar.value is None else round(BAR_SPACE * max(0.0, min(100.0, bar.value)) / 100)
    return PlacedBar(
        label=bar.label,
        value_text="No figure" if bar.value is None else f"{bar.value:g}%",
        series=index % SERIES,
        y=y,
        width=width,
        text_y=y + BAR_HEIGHT - 5,
        value_x=LABEL_WIDTH + width + 6,
    )


def _shortened(text: str) -> str:
    return text if len(text) <= HEADING_LENGTH else text[: HEADING_LENGTH - 1].rstrip() + "…"
