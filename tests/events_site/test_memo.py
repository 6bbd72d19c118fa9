"""The hot paths' per-process memories (events_site/kit/memo.py)."""

from events_site.kit.memo import BoundedMemo


def test_a_memo_keeps_what_it_remembers_until_full_then_starts_again():
    memo = BoundedMemo(most=2)
    assert memo.remember("a", 1) == 1
    memo.remember("b", 2)
    assert memo == {"a": 1, "b": 2}

    memo.remember("c", 3)

    assert memo == {"c": 3}
