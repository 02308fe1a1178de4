"""Importing data.police.uk street files: idempotent re-imports, bad rows refused with their line numbers."""

from __future__ import annotations

import gzip

import pytest
from django.core.management import call_command

from neighbourhoods.models import ImportRun, StreetCrime
from neighbourhoods.services import StreetFileError, import_street_crime

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
CRIME = "{id},2025-03,Staffordshire Police,Staffordshire Police,-2.116600,52.806500,On or near High Street,E01029600,Stafford 010A,Shoplifting,Under investigation,\n"
ASB = ",2025-03,Staffordshire Police,Staffordshire Police,-2.116600,52.806500,On or near High Street,E01029600,Stafford 010A,Anti-social behaviour,,\n"
NO_PLACE = "{id},2025-03,Staffordshire Police,Staffordshire Police,,,No location,,,Burglary,Under investigation,\n"


def write(path, *lines, zipped=False):
    text = HEADER + "".join(lines)
    if zipped:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.django_db
def test_reimporting_a_month_creates_no_duplicates_and_keeps_identical_asb_reports(tmp_path):
    """Two identical ASB rows are two incidents; importing the same file again adds nothing."""
    month = write(tmp_path / "2025-03-staffordshire-street.csv", CRIME.format(id="a" * 64), ASB, ASB, NO_PLACE.format(id="b" * 64))
    first = import_street_crime(paths=[month])
    assert (first.rows_read, first.created, first.duplicates) == (4, 4, 0)
    assert StreetCrime.objects.filter(crime_type="Anti-social behaviour").count() == 2
    assert StreetCrime.objects.get(crime_type="Burglary").latitude is None

    again = import_street_crime(paths=[month])
    assert (again.created, again.duplicates) == (0, 4)
    assert StreetCrime.objects.count() == 4


@pytest.mark.django_db
def test_the_same_month_in_a_gzipped_copy_is_recognised(tmp_path):
    write(tmp_path / "a.csv", CRIME.format(id="a" * 64), ASB)
    write(tmp_path / "b.csv.gz", CRIME.format(id="a" * 64), ASB, zipped=True)
    run = import_street_crime(paths=[tmp_path])
    assert (run.created, run.duplicates) == (2, 2)


@pytest.mark.django_db
def test_bad_rows_are_reported_with_line_numbers_and_kept_out(tmp_path):
    path = write(
        tmp_path / "street.csv",
        CRIME.format(id="a" * 64),  # line 2
        CRIME.format(id="c" * 64).replace("2025-03", "March 2025"),  # line 3
        CRIME.format(id="d" * 64).replace("-2.116600", "west"),  # line 4
        "too,few,fields\n",  # line 5
        CRIME.format(id="e" * 64).replace("Shoplifting", ""),  # line 6
    )
    run = import_street_crime(paths=[path])
    assert StreetCrime.objects.count() == 1
    assert [(b["line"], b["file"]) for b in run.bad_rows] == [(3, "street.csv"), (4, "street.csv"), (5, "street.csv"), (6, "street.csv")]
    problems = [b["problem"] for b in run.bad_rows]
    assert "Month 'March 2025'" in problems[0]
    assert "Longitude 'west'" in problems[1]
    assert "has 3 fields" in problems[2]
    assert "Crime type is empty" in problems[3]
    assert ImportRun.objects.get().bad_rows == run.bad_rows


@pytest.mark.django_db
def test_a_file_that_is_not_a_street_file_is_refused_by_name(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("id,time\n1,2025-01-01\n")
    with pytest.raises(StreetFileError, match="calls.csv: missing column"):
        import_street_crime(paths=[path])
    assert StreetCrime.objects.count() == 0


@pytest.mark.django_db
def test_command_reports_counts_and_bad_lines(tmp_path, capsys):
    path = write(tmp_path / "street.csv", CRIME.format(id="a" * 64), "x,bad\n")
    call_command("import_street_crime", str(path), verbosity=0)
    out = capsys.readouterr().out
    assert "1 new, 0 already imported, 1 refused" in out
    assert "street.csv line 3: has 2 fields" in out
