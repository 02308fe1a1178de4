"""Registration formats, the series comparison: pure functions, no database."""

from __future__ import annotations

import pytest

from public import series, vrm


@pytest.mark.parametrize(("typed", "display", "kind"), [
    ("ab12 cde", "AB12 CDE", "current"),
    ("BD51SMR", "BD51 SMR", "current"),
    ("A123 BCD", "A123 BCD", "prefix"),
    ("p7 abc", "P7 ABC", "prefix"),
    ("ABC 123D", "ABC 123D", "suffix"),
    ("ABZ 1234", "ABZ 1234", "northern_ireland"),
    ("OI 1", "OI 1", "northern_ireland"),
    ("ABC 123", "ABC 123", "dateless"),
    ("1234 AB", "1234 AB", "dateless"),
    ("ab-12.cde", "AB12 CDE", "current"),
])
def test_each_uk_format_is_recognised_and_written_as_on_the_plate(typed, display, kind):
    parsed = vrm.parse(typed)
    assert parsed is not None
    assert (parsed.display, parsed.format) == (display, kind)


@pytest.mark.parametrize("typed", ["", "X", "AB12 CDEF", "ABCDEFGH", "AB12 CDI", "12345678", "AB!2CDE", "ÅB12 CDE"])
def test_marks_no_uk_plate_can_carry_are_refused(typed):
    assert vrm.parse(typed) is None


def test_one_offender_described_twice_pairs_and_different_people_do_not():
    earlier = [
        series.Incident(1, "Grey hoodie and black cap, white man in his 30s, thin build"),
        series.Incident(2, "Tall woman, red coat, long blonde hair"),
        series.Incident(3, "male"),
    ]
    links = series.links_for(series.Incident(4, "white male about 30s, thin build, grey hoodie, black cap"), earlier)
    assert [(link.first, link.basis) for link in links] == [(1, "offender")]
    assert links[0].score >= series.DEFAULT_THRESHOLD


def test_the_same_vehicle_is_a_series_whatever_the_descriptions():
    links = series.links_for(series.Incident(9, "", "AB12CDE"), [series.Incident(5, "", "AB12CDE"),
                                                                 series.Incident(6, "", "AB12CDF")])
    assert [(link.first, link.basis, link.score) for link in links] == [(5, "vehicle", 100.0)]


def test_a_one_word_description_never_makes_a_series_alone():
    assert series.links_for(series.Incident(2, "male"), [series.Incident(1, "male")]) == []
