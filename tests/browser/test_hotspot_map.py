"""The hotspot map in a real browser: cells drawn on a plain background, no CSP breach, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from neighbourhoods.tests.factories import team_with_hotspots
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inspector_sees_the_hotspot_cells_drawn_on_the_map_and_listed_in_a_table(
    page, live_server, make_user, password
):
    """I should see my team's hotspots on a map with no tile server, and the same cells in a table."""
    team = team_with_hotspots()
    inspector = make_user("neighbourhood-inspector", username="inspector-map")
    inspector.teams.add(team)

    sign_in(page, live_server.url, inspector.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Hotspots").click()
    page.get_by_role("link", name="Stafford LPT").click()
    # expect() waits for the navigation the click started; reading the title at once can race it.
    expect(page).to_have_title("Hotspots: Stafford LPT – FirstContact")

    hexagons = page.locator("#hotspot-map path.fc-cell")
    hexagons.first.wait_for()
    drawn = int(page.get_by_test_id("hotspot-map").get_attribute("data-cells-drawn"))
    assert drawn == hexagons.count() > 10
    assert page.locator("#hotspot-map path.fc-cell--hot").count() >= 1
    assert page.locator("#hotspot-map .leaflet-tile").count() == 0  # plain background, nothing fetched

    table = page.get_by_test_id("hotspot-cells-table")
    assert "On or near Market Square" in table.inner_text()
    assert_accessible(page)
