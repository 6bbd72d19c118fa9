"""Charts as PNG images, for documents that cannot hold reportlab's vector drawings (a
DOCX or an ODT opened in Word or LibreOffice).

Drawn with Pillow, already a dependency, in the shipped DejaVu Sans (`pdf.FONT_DIR`), so
that a label prints the same on every machine. Labels come translated from the caller.
Drawn at twice the size they are shown at, so they stay sharp when printed.
"""

import functools
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from .pdf import FACES, FONT_DIR

COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5"]
INK = "#1d1d1b"
RULE = "#c8ccd0"
SCALE = 2
WIDTH = 420 * SCALE
MAX_BARS = 12
LABEL_CHARACTERS = 24


@functools.cache
def _font(size: int, face: str = "normal") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FACES[face][1]), size * SCALE)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _shown(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def pie_png(pairs: list[tuple[str, int]]) -> bytes | None:
    """A pie of `(label, count)` with its legend, or None when every count is zero (a
    chart of nothing is left out, as the PDF does)."""
    pairs = [(label, count) for label, count in pairs if count > 0]
    if not pairs:
        return None
    font = _font(9)
    line = 16 * SCALE
    diameter = 120 * SCALE
    height = max(diameter, line * len(pairs)) + 10 * SCALE
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    total = sum(count for _label, count in pairs)
    start = -90.0
    box = (5 * SCALE, 5 * SCALE, 5 * SCALE + diameter, 5 * SCALE + diameter)
    for index, (_label, count) in enumerate(pairs):
        end = start + 360.0 * count / total
        draw.pieslice(box, start, end, fill=COLOURS[index % len(COLOURS)], outline="white")
        start = end
    x = box[2] + 20 * SCALE
    for index, (label, count) in enumerate(pairs):
        y = 8 * SCALE + index * line
        draw.rectangle((x, y, x + 10 * SCALE, y + 10 * SCALE), fill=COLOURS[index % len(COLOURS)])
        draw.text((x + 16 * SCALE, y - SCALE), f"{_shown(label)} ({count})", font=font, fill=INK)
    return _png(image)


def bars_png(pairs: list[tuple[str, int]], *, zeros: bool = False) -> bytes | None:
    """Horizontal bars of `(label, count)`, the first on top, each with its count; at
    most `MAX_BARS`. A zero is left out unless `zeros` (a poll's option nobody chose is
    an answer too). None when there is no bar, or every count is zero."""
    pairs = [(label, count) for label, count in pairs if count > 0 or zeros][:MAX_BARS]
    if not any(count for _label, count in pairs):
        return None
    font = _font(9)
    bar = 14 * SCALE
    gap = 6 * SCALE
    label_width = 150 * SCALE
    height = len(pairs) * (bar + gap) + gap
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    most = max(count for _label, count in pairs)
    room = WIDTH - label_width - 40 * SCALE
    draw.line((label_width, 0, label_width, height), fill=RULE, width=SCALE)
    for index, (label, count) in enumerate(pairs):
        y = gap + index * (bar + gap)
        text = _shown(label)
        draw.text(
            (label_width - 6 * SCALE - draw.textlength(text, font=font), y),
            text,
            font=font,
            fill=INK,
        )
        length = max(SCALE if count else 0, round(room * count / most))
        draw.rectangle((label_width, y, label_width + length, y + bar), fill=COLOURS[0])
        draw.text((label_width + length + 4 * SCALE, y), str(count), font=font, fill=INK)
    return _png(image)


def words_png(placed, width: int, height: int) -> bytes | None:
    """A word cloud already laid out: each of `placed` has `text`, its centre `x`, `y`,
    its font `size` and `colour`, in a picture `width` × `height`. None without words."""
    if not placed:
        return None
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    for word in placed:
        font = _font(round(word.size), "bold")
        draw.text(
            (word.x * SCALE, word.y * SCALE), word.text, font=font, fill=word.colour, anchor="mm"
        )
    return _png(image)
