"""UK vehicle registration marks: which format a typed mark is in, and its canonical spelling.

Pure: no Django. Written here because no maintained Python package checks the five UK
formats together (GB current, prefix, suffix, dateless, and Northern Ireland); the
patterns follow the DVLA's published layouts and the Northern Ireland series letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters never used in the positions below: I, Q and Z are withheld from current-style
# memory tags and random letters (Q is kept for vehicles of unknown age, in its own plates).
_CURRENT = re.compile(r"^(?P<area>[A-HJ-PR-Y][A-HJ-PR-Y])(?P<age>[0-9]{2})(?P<random>[A-HJ-PR-Z]{3})$")
_PREFIX = re.compile(r"^(?P<year>[A-HJ-NP-Y])(?P<number>[1-9][0-9]{0,2})(?P<letters>[A-HJ-PR-Y][A-HJ-PR-Y]{2})$")
_SUFFIX = re.compile(r"^(?P<letters>[A-HJ-PR-Y]{3})(?P<number>[1-9][0-9]{0,2})(?P<year>[A-HJ-NP-Y])$")
# Northern Ireland: an optional serial letter, then a two-letter county code that has an I or a
# Z in it (AZ, IA, OI, XI...), then one to four digits.
_NORTHERN_IRELAND = re.compile(r"^(?P<letters>[A-Z]?(?:[A-HJ-Z][IZ]|I[A-Z]))(?P<number>[1-9][0-9]{0,3})$")
# Dateless: one to three letters then one to four digits, or the reverse; no year letter.
_DATELESS = re.compile(r"^(?:[A-Z]{1,3}[1-9][0-9]{0,3}|[1-9][0-9]{0,3}[A-Z]{1,3})$")

FORMATS = {
    "current": "current style (2001 on), like AB12 CDE",
    "prefix": "prefix style (1983 to 2001), like A123 BCD",
    "suffix": "suffix style (1963 to 1983), like ABC 123D",
    "northern_ireland": "Northern Ireland, like ABZ 1234",
    "dateless": "dateless, like ABC 123 or 1234 AB",
}
INVALID = (
    "Enter the vehicle registration as it is on the number plate, like AB12 CDE, A123 BCD, ABC 123D, "
    "ABC 123 or ABZ 1234"
)


@dataclass(frozen=True)
class Registration:
    """A checked registration: the mark without spaces, how it is written on a plate, and its format."""

    mark: str
    display: str
    format: str


def fold(raw: str) -> str:
    """The mark in capitals with spaces, dashes and dots removed: what two spellings of one plate share."""
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def parse(raw: str) -> Registration | None:
    """Check a typed registration against the UK formats; None when it fits none of them."""
    mark = fold(raw)
    if not 2 <= len(mark) <= 8 or not mark.isalnum() or not mark.isascii():
        return None
    if _CURRENT.match(mark):
        return Registration(mark, f"{mark[:4]} {mark[4:]}", "current")
    if _PREFIX.match(mark):
        return Registration(mark, f"{mark[:-3]} {mark[-3:]}", "prefix")
    if _SUFFIX.match(mark):
        return Registration(mark, f"{mark[:3]} {mark[3:]}", "suffix")
    match = _NORTHERN_IRELAND.match(mark)
    if match:
        return Registration(mark, f"{match['letters']} {match['number']}", "northern_ireland")
    if _DATELESS.match(mark):
        split = re.match(r"^([A-Z]+)([0-9]+)$", mark) or re.match(r"^([0-9]+)([A-Z]+)$", mark)
        return Registration(mark, f"{split.group(1)} {split.group(2)}", "dateless")
    return None
