"""A supervisor reviews a probable duplicate pair, merges it, and undoes the merge, in a real browser."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from people.models import DuplicateCandidate, PersonMerge
from people.services import record_address, record_person
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_merges_a_duplicate_pair_and_undoes_it(page, live_server, make_user, password):
    """I open the pair with a reason, see both records and why they were paired, merge, then undo."""
    supervisor = make_user("supervisor", username="sup1")
    home = record_address(number_or_name="4", street="Lichfield Road", town="Stafford", postcode="ST17 4JX")
    kept = record_person(actor=supervisor, given_name="Margaret", family_name="Oduya",
                         date_of_birth=date(1961, 3, 14), address=home)
    dup = record_person(actor=supervisor, given_name="Peggy", family_name="Oduyah", date_of_birth=date(1961, 3, 14))
    DuplicateCandidate.objects.create(
        person_a=kept, person_b=dup, probability=0.998, match_weight=11.2,
        reasons=[
            {"field": "surname", "level": "very similar", "weight": 5.1, "agrees": True},
            {"field": "dob", "level": "exact", "weight": 10.3, "agrees": True},
            {"field": "postcode", "level": "missing on one side", "weight": 0.0, "agrees": None},
        ],
    )

    sign_in(page, live_server.url, supervisor.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Duplicates").click()
    expect(page).to_have_title("Possible duplicate persons – FirstContact")
    assert "Surname (very similar)" in page.get_by_test_id("queue").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=f"Review {kept.reference} and {dup.reference}").click()
    page.get_by_role("button", name="Show the records").click()
    expect(page).to_have_title(f"Error: Review {kept.reference} and {dup.reference} – FirstContact")
    assert "Enter why you are looking at these records" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Why are you looking at these records?").fill("Weekly duplicate review")
    page.get_by_role("button", name="Show the records").click()
    side_by_side = page.get_by_test_id("side-by-side").inner_text()
    assert "Margaret" in side_by_side and "Peggy" in side_by_side
    assert "Agrees: exact" in page.get_by_test_id("reasons").inner_text()
    assert_accessible(page)

    # Merging without a reason keeps the choice made and names the missing field.
    page.get_by_label(f"Keep {kept.reference}").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page).to_have_title(f"Error: Compare {kept.reference} and {dup.reference} – FirstContact")
    assert "Enter what confirms they are the same person" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label(f"Keep {kept.reference}").is_checked()
    assert_accessible(page)
    page.get_by_label("What confirms they are the same person?").fill("Same date of birth and address")
    page.get_by_role("button", name="Merge the records").click()
    expect(page).to_have_title("Recent merges – FirstContact")
    assert f"{dup.reference} was merged into {kept.reference}" in page.content()
    assert_accessible(page)

    page.get_by_label("Why should this merge be undone?").fill("Different people: sisters")
    page.get_by_role("button", name=f"Undo the merge of {dup.reference}").click()
    assert "both records are as they were" in page.content()
    assert PersonMerge.objects.get().undone_at is not None
