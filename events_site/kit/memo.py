"""A process's memory of what it has computed, bounded without bookkeeping."""


class BoundedMemo(dict):
    """A dict that forgets everything once it holds `most` entries, then starts again.

    For the hot paths' per-process memories (a phone's clock, its identity, a clock's
    JSON): a least-recently-used order would cost each hit more than a rare full reset
    costs, and every entry is cheap to compute again."""

    def __init__(self, most: int):
        super().__init__()
        self.most = most

    def remember(self, key, value):
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
