"""Demand pages: who may see them, and what the contact-centre manager reads on them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from demand.importers import CallRecord
from demand.models import CallEvent, ForecastSnapshot
from demand.services import make_forecast_snapshot, record_call_events
from demand.tests.factories import CallEventFactory

PAGES = ["/staff/demand/", "/staff/demand/performance.csv", "/staff/demand/forecast/", "/staff/demand/staffing/",
         "/staff/demand/patterns/", "/staff/demand/live/"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(("role", "status"), [("contact-centre-manager", 200), ("analyst", 200),
                                              ("supervisor", 200), ("call-handler", 403), (None, 403)])
def test_only_roles_that_view_demand_see_the_pages(client, make_user, url, role, status):
    client.force_login(make_user(role))
    assert client.get(url).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/staff/demand/")
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]


@pytest.fixture
def manager(client, make_user):
    user = make_user("contact-centre-manager")
    client.force_login(user)
    return user


def test_dashboard_reports_999_share_within_ten_seconds_and_exports_it(client, manager):
    start = datetime(2025, 11, 3, 9, tzinfo=UTC)
    for i, wait in enumerate([3, 6, 9, 12, 40]):  # 3 of 5 answered within 10 s
        CallEventFactory(queue="999", offered_at=start + timedelta(minutes=i),
                         answered_at=start + timedelta(minutes=i, seconds=wait))
    CallEventFactory(queue="101", offered_at=start, answered_at=None, abandoned_at=start + timedelta(seconds=50))
    page = client.get("/staff/demand/").content.decode()
    assert "Answered within 10 s</dt><dd class=\"govuk-!-font-weight-bold\">60%" in page
    assert "Average answer time</dt><dd class=\"govuk-!-font-weight-bold\">14.0 s" in page
    assert 'id="chart-data-volumes"' in page and "plotly/plotly.min.js" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/demand/performance.csv?period=day").content.decode())))
    emergency = next(r for r in rows if r["queue"] == "999")
    assert (emergency["offered"], emergency["share_within_target"], emergency["mean_answer_seconds"]) == ("5", "0.6", "14.0")
    assert next(r for r in rows if r["queue"] == "101")["abandon_share"] == "1.0"


def four_weeks_of_calls(queue="999"):
    rng = np.random.default_rng(4)
    start = datetime(2025, 10, 6, tzinfo=UTC)
    records = []
    for hour in range(28 * 24):
        for k in range(rng.poisson(3 + 2 * (9 <= hour % 24 <= 20))):
            offered = start + timedelta(hours=hour, minutes=k * 5)
            records.append(CallRecord(external_id=f"{queue}-{hour}-{k}", queue=queue, offered_at=offered,
                                      answered_at=offered + timedelta(seconds=5), handled_seconds=240))
    record_call_events(records=records, source="test")


def test_forecast_snapshot_is_shown_with_intervals_and_scored_later(client, manager):
    four_weeks_of_calls()
    last = CallEvent.objects.latest("offered_at").offered_at
    backtest = make_forecast_snapshot(queue="999", origin=last - timedelta(weeks=1))
    assert backtest.scored_hours >= 160 and backtest.mase is not None and 0 <= backtest.coverage80 <= 1
    make_forecast_snapshot(queue="999")
    page = client.get("/staff/demand/forecast/?queue=999").content.decode()
    assert "for 1008 hours" in page
    assert 'data-testid="forecast-table"' in page and 'data-testid="accuracy-table"' in page
    assert f"{backtest.mase:.3f}" in page


def test_staffing_what_if_needs_fewer_handlers_when_handling_is_faster(client, manager):
    four_weeks_of_calls()
    make_forecast_snapshot(queue="999")
    base = client.get("/staff/demand/staffing/?queue=999&interval=30&target_seconds=10&service_level=90"
                      "&max_occupancy=85&shrinkage=30&aht_change=0")
    faster = client.get("/staff/demand/staffing/?queue=999&interval=30&target_seconds=10&service_level=90"
                        "&max_occupancy=85&shrinkage=30&aht_change=-50")
    assert base.status_code == 200
    assert len(base.context["plans"]) == 48  # 24 hours in 30-minute intervals
    assert faster.context["total_what_if"] < faster.context["total_base"]
    assert base.context["total_what_if"] == base.context["total_base"]


def test_staffing_bad_input_names_the_field(client, manager):
    response = client.get("/staff/demand/staffing/?queue=999&interval=30&target_seconds=10&service_level=150"
                          "&max_occupancy=85&shrinkage=30")
    assert response.status_code == 400
    assert "Share answered within that time (%) must be 99 or less" in response.content.decode()


def test_live_board_shows_calls_waiting_and_refreshes_itself(client, manager):
    now = timezone.now()
    CallEventFactory(queue="999", offered_at=now - timedelta(seconds=25), answered_at=None)
    page = client.get("/staff/demand/live/").content.decode()
    assert 'hx-trigger="every 10s"' in page
    partial = client.get("/staff/demand/live/", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    row = partial.context["queues"][0]
    assert (row["queue"], row["waiting"]) == ("999", 1) and 24 <= row["longest_wait_seconds"] <= 60


def test_demo_command_loads_real_calls_and_forecasts(db):
    from django.core.management import call_command

    call_command("import_calls", "--demo")
    assert CallEvent.objects.filter(queue="999").count() > 9619
    assert ForecastSnapshot.objects.filter(queue="999", mase__isnull=False).exists()
