"""The word cloud, laid out and drawn on the server: no external service, no script.

`layout` places the words (`words.WordGroup`) on an Archimedean spiral from the
centre, the most voices first and largest, each where its box overlaps none placed
before; a word that finds no room is left out of the picture (the text alternative
still names it). Nothing is random and the input is sorted, so the same words always
give the same picture: the projector does not jump when it polls, and the booklet's
copy is the projector's.

`svg` writes the layout as SVG for the projector and the results page; the booklet
draws the same layout with reportlab (`reports.booklet`). A word's width is estimated
from its characters (an emoji or a wide glyph counts as two), so no font is read.
"""

import math
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 960, 540
MIN_SIZE, MAX_SIZE = 14, 72
MAX_WORDS = 40
# Dark enough on white for text of any size (WCAG AA contrast 4.5:1).
COLOURS = ("#1d4e89", "#8a2c0d", "#1f6b3a", "#6b2c7a", "#7a5a00", "#3d3d3d")
_PITCH = 2.0  # pixels the spiral moves out per radian
_ARC = 10.0  # pixels along the spiral between two tries


@dataclass(frozen=True)
class Placed:
    """A word in the picture: its centre, font size and colour."""

    text: str
    count: int
    x: float
    y: float
    size: float
    colour: str


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` at `size`: wide glyphs (emoji, CJK) count
    double, the rest 0.6 of the size, a little wider than a sans-serif's average."""
    units = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return units * size * 0.6


def _size(count: int, most: int) -> float:
    """The area grows with the voices: the size with their square root."""
    if most <= 1:
        return (MIN_SIZE + MAX_SIZE) / 2
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt((count - 1) / (most - 1))


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box, width: int, height: int) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height


def layout(groups, width: int = WIDTH, height: int = HEIGHT) -> list[Placed]:
    """The words of `groups` (each with `label` and `count`) placed without overlap."""
    words = sorted(
        ((g.label, g.count) for g in groups if g.count > 0), key=lambda w: (-w[1], w[0])
    )[:MAX_WORDS]
    if not words:
        return []
    most = words[0][1]
    # Many words share the picture: the largest shrinks so that they fit.
    scale = min(1.0, math.sqrt(16 / len(words)))
    placed: list[Placed] = []
    boxes: list[tuple[float, float, float, float]] = []
    for index, (text, count) in enumerate(words):
        size = max(MIN_SIZE, _size(count, most) * scale)
        # Shrink a word too wide for the picture rather than drop it.
        size = round(min(size, width * 0.95 / max(text_width(text, 1), 1)), 1)
        half_w, half_h = text_width(text, size) / 2, size * 0.55
        angle = 0.0
        # Out to the picture's edges (the x axis is stretched to its shape).
        while (radius := _PITCH * angle) < height / 2:
            x = round(width / 2 + radius * math.cos(angle) * width / height, 1)
            y = round(height / 2 + radius * math.sin(angle), 1)
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            if _inside(box, width, height) and not any(_overlaps(box, b) for b in boxes):
                placed.append(Placed(text, count, x, y, size, COLOURS[index % len(COLOURS)]))
                boxes.append(box)
                break
            angle += min(0.5, _ARC / max(radius, 1.0))
    return placed


def description(groups) -> str:
    """The text alternative: every word with its voices, in the cloud's order."""
    return ", ".join(f"{g.label} ({g.count})" for g in groups if g.count > 0)


def svg(groups, title: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The cloud as a standalone SVG document; every word is escaped."""
    words = "".join(
        f'<text x="{w.x}" y="{w.y}" font-size="{w.size}" fill="{w.colour}">{escape(w.text)}</text>'
        for w in layout(groups, width, height)
    )
    alternative = f"{title}: {description(groups)}" if groups else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(alternative)}>'
        f"<title>{escape(alternative)}</title>"
        '<g font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle" '
        'dominant-baseline="central">'
        f"{words}</g></svg>"
    )
