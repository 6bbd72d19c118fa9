"""Ticket codes of one shape, laid out from a template instead of encoded one by one.

A badge sheet prints thousands of codes of one version, one mask and one data length,
and qrcode spends about a millisecond on each (Reed–Solomon, then module placement, in
Python). Everything between the data's bits and the modules is linear over GF(2):
Reed–Solomon over GF(256) adds and multiplies by constants, which are XORs of bits;
interleaving and placement move bits; the mask, the patterns, the padding and the
format are constant. So a code is the code of all-zero data XOR, for each data bit
that is set, that bit's own pattern of modules. The template asks qrcode for those
patterns once (one code per data bit), and a code then costs a few dozen XORs of
integers: the modules are the code's one integer, a bit each, row after row.
"""

import re
from functools import lru_cache

import qrcode
from qrcode import util

ALPHANUMERIC_PAIR_BITS, ALPHANUMERIC_SINGLE_BITS = 11, 6
DARK_RUN = re.compile("1+")


class _Bits(util.QRData):
    """An alphanumeric segment of `length` characters whose bits are given as they are."""

    def __init__(self, length: int, bits: int, count: int):
        self.mode = util.MODE_ALPHA_NUM
        self.data = b"0" * length
        self.bits, self.count = bits, count

    def write(self, buffer) -> None:
        for index in reversed(range(self.count)):
            buffer.put_bit(bool(self.bits >> index & 1))


def _bit_count(length: int) -> int:
    return length // 2 * ALPHANUMERIC_PAIR_BITS + length % 2 * ALPHANUMERIC_SINGLE_BITS


def _alphanumeric_bits(text: str) -> int:
    """The segment's data bits (without mode and length), as the standard packs them."""
    values = [util.ALPHA_NUM.index(ord(character)) for character in text]
    bits = 0
    for index in range(0, len(values) - 1, 2):
        bits = bits << ALPHANUMERIC_PAIR_BITS | values[index] * 45 + values[index + 1]
    if len(values) % 2:
        bits = bits << ALPHANUMERIC_SINGLE_BITS | values[-1]
    return bits


class CodeTemplate:
    """Codes of alphanumeric data of `length` characters, error correction
    `error_correction`, mask `mask`, in the smallest version that holds them, with a
    quiet zone of `border` modules."""

    def __init__(self, length: int, error_correction: int, mask: int, border: int):
        self.length = length
        self._make = (error_correction, mask, border)
        probe = self._code(0, None)
        self.version = probe.version
        matrix = probe.get_matrix()
        self.size = len(matrix)
        self._blank = _as_integer(matrix)
        count = _bit_count(length)
        # The modules that data bit `index` (counted from the last one) turns over.
        self._flips = [
            _as_integer(self._code(1 << index, self.version).get_matrix()) ^ self._blank
            for index in range(count)
        ]

    def _code(self, bits: int, version: int | None) -> qrcode.QRCode:
        error_correction, mask, border = self._make
        code = qrcode.QRCode(
            version=version, error_correction=error_correction, border=border, mask_pattern=mask
        )
        code.add_data(_Bits(self.length, bits, _bit_count(self.length)))
        code.make(fit=version is None)
        return code

    def fits(self, text: str) -> bool:
        """Whether `text` is a code of this template: qrcode too would encode it as one
        alphanumeric segment of this length (all digits would be a numeric one)."""
        return (
            len(text) == self.length
            and not text.isdigit()
            and util.RE_ALPHA_NUM.match(text.encode("ascii", "replace")) is not None
        )

    def rows(self, text: str) -> list[str]:
        """The code's rows, quiet zone included, "1" for a dark module: the very
        modules qrcode lays out for `text` with this template's mask."""
        modules = self._blank
        bits = _alphanumeric_bits(text)
        flips = self._flips
        while bits:
            lowest = bits & -bits
            modules ^= flips[lowest.bit_length() - 1]
            bits ^= lowest
        size = self.size
        text_of_modules = format(modules, f"0{size * size}b")
        return [text_of_modules[start : start + size] for start in range(0, size * size, size)]


def _as_integer(matrix: list[list[bool]]) -> int:
    return int("".join("1" if module else "0" for row in matrix for module in row), 2)


@lru_cache(maxsize=8)
def code_template(length: int, error_correction: int, mask: int, border: int) -> CodeTemplate:
    """The template of a shape, made once per process (about a hundred codes' work)."""
    return CodeTemplate(length, error_correction, mask, border)


def dark_runs(row: str):
    """(start, width) of each run of dark modules in a row of `CodeTemplate.rows`."""
    return ((run.start(), run.end() - run.start()) for run in DARK_RUN.finditer(row))
