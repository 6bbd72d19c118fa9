"""The word cloud drawn on the server: valid SVG, every word escaped, the same picture
for the same words, and no two words on top of each other."""

import xml.dom.minidom
from dataclasses import dataclass

from workshops import cloud


@dataclass
class Word:
    label: str
    count: int


WORDS = [
    Word("mobilité", 9),
    Word("<b>&</b>", 4),
    Word("🚲 fiets", 3),
    Word("\"quoted\" & 'single'", 2),
    Word("transport en commun", 2),
    *(Word(f"mot{n}", 1) for n in range(30)),
]


def parsed(document: str):
    # The site's own output, parsed to prove it is well-formed XML.
    return xml.dom.minidom.parseString(document)  # noqa: S318


def test_the_svg_is_valid_xml_with_every_word_escaped():
    document = cloud.svg(WORDS, "Nuage <de> mots & co")
    picture = parsed(document)

    texts = [node.firstChild.data for node in picture.getElementsByTagName("text")]
    assert texts[:3] == ["mobilité", "<b>&</b>", "🚲 fiets"]
    assert "<b>" not in document
    root = picture.documentElement
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-label").startswith("Nuage <de> mots & co: mobilité (9), <b>&")
    assert picture.getElementsByTagName("title")[0].firstChild.data.startswith("Nuage <de>")


def test_the_same_words_give_the_same_picture_without_overlaps():
    first = cloud.layout(WORDS)

    assert first == cloud.layout(list(reversed(WORDS)))
    boxes = [
        (w.x - cloud.text_width(w.text, w.size) / 2, w.y - w.size / 2, w.size, w.text)
        for w in first
    ]
    for index, a in enumerate(first):
        wa = cloud.text_width(a.text, a.size)
        assert a.x - wa / 2 >= 0 and a.x + wa / 2 <= cloud.WIDTH
        for b in first[index + 1 :]:
            wb = cloud.text_width(b.text, b.size)
            apart_x = abs(a.x - b.x) >= (wa + wb) / 2
            apart_y = abs(a.y - b.y) >= (a.size + b.size) * 0.55
            assert apart_x or apart_y, (a.text, b.text)
    assert len(boxes) == len(WORDS)
    assert first[0].size > first[-1].size


def test_an_empty_cloud_and_a_word_too_long_for_the_picture():
    assert cloud.layout([]) == []
    assert parsed(cloud.svg([], "Vide")).getElementsByTagName("text") == []
    (long,) = cloud.layout([Word("x" * 200, 1)])
    assert cloud.text_width(long.text, long.size) <= cloud.WIDTH
