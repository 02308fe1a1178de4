"""The formats of the identifiers other systems hold a person by, each as one named rule.

A value is accepted in the form people type it (spaces, lower case) and stored in
its canonical form; a value that cannot be one of its kind is refused with the
format in the message. Where a check digit is published (NHS number) it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable


class IdentifierError(ValueError):
    """The value is not an identifier of the kind named; the message says what is accepted."""


def _compact(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def nhs_number(value: str) -> str:
    """NHS number: ten digits, the last a modulus-11 check digit (NHS Data Dictionary).

    Weights 10 down to 2 on the first nine digits; 11 minus the remainder of the sum
    divided by 11 is the check digit, 11 becomes 0, and 10 means the number is not valid.
    """
    digits = _compact(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise IdentifierError("An NHS number is 10 digits, like 943 476 5919.")
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise IdentifierError("That NHS number's check digit is wrong: check it was typed correctly.")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def pnc_id(value: str) -> str:
    """PNC ID: the year the record was made (2 or 4 digits), a slash, a serial of up to 7 digits and a check letter.

    Stored as YYYY/NNNNNNNL with the serial zero-padded; a two-digit year is kept as typed
    (it cannot be widened without knowing the century).
    """
    compact = _compact(value)
    match = re.fullmatch(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])", compact)
    if not match:
        raise IdentifierError("A PNC ID is a year, a slash, up to 7 digits and a letter, like 2019/0123456Z.")
    year, serial, letter = match.groups()
    return f"{year}/{int(serial):07d}{letter}"


def cro_number(value: str) -> str:
    """CRO number: a serial of up to 6 digits, a slash, a two-digit year and a check letter (e.g. 012345/19L)."""
    compact = _compact(value)
    match = re.fullmatch(r"(\d{1,6})/(\d{2})([A-Z])", compact)
    if not match:
        raise IdentifierError("A CRO number is up to 6 digits, a slash, 2 digits and a letter, like 012345/19L.")
    serial, year, letter = match.groups()
    return f"{int(serial):06d}/{year}{letter}"


def driving_licence(value: str) -> str:
    """GB driving licence number (DVLA): 16 characters built from the holder's surname, birth date and initials.

    Five surname letters (padded with 9), six digits for the decade, month (plus 5
    for women), day and year of birth, two initials (padded with 9), a digit and two
    check letters.
    """
    compact = _compact(value)
    match = re.fullmatch(r"[A-Z9]{5}(\d)(\d{2})(\d{2})(\d)[A-Z9]{2}\d[A-Z0-9]{2}", compact)
    month_ok = day_ok = False
    if match:
        month = int(match.group(2))
        month_ok = 1 <= month <= 12 or 51 <= month <= 62
        day_ok = 1 <= int(match.group(3)) <= 31
    if not (match and month_ok and day_ok):
        raise IdentifierError("A GB driving licence number is 16 letters and digits, like MORGA753116SM9IJ.")
    return compact


def passport(value: str) -> str:
    """Passport number: a UK one is 9 digits; other countries' are 5 to 20 letters and digits."""
    compact = _compact(value)
    if not re.fullmatch(r"[A-Z0-9]{5,20}", compact):
        raise IdentifierError("A passport number is 5 to 20 letters and digits (a UK one is 9 digits).")
    return compact


def national_insurance(value: str) -> str:
    """National Insurance number: two prefix letters (some never issued), six digits and a suffix A–D (HMRC)."""
    compact = _compact(value)
    if not re.fullmatch(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", compact):
        raise IdentifierError("A National Insurance number is 2 letters, 6 digits and A, B, C or D, like AB 12 34 56 C.")
    return compact


def other(value: str) -> str:
    """Any other reference: kept as typed, less surrounding spaces; 1 to 40 characters."""
    text = (value or "").strip()
    if not 1 <= len(text) <= 40:
        raise IdentifierError("Enter the reference, up to 40 characters.")
    return text


# Keys are people.models.IdentifierKind values (this module stays free of Django).
IDENTIFIER_RULES: dict[str, Callable[[str], str]] = {
    "nhs_number": nhs_number,
    "pnc_id": pnc_id,
    "cro_number": cro_number,
    "driving_licence": driving_licence,
    "passport": passport,
    "national_insurance": national_insurance,
    "other": other,
}


def canonical_identifier(kind: str, value: str) -> str:
    """The canonical form of ``value`` as an identifier of ``kind``; IdentifierError if it cannot be one."""
    if kind not in IDENTIFIER_RULES:
        raise IdentifierError(f"The kind must be one of {', '.join(IDENTIFIER_RULES)}.")
    return IDENTIFIER_RULES[kind](value)
