"""Business reports: staff register a business, its staff sign in on the public side, report several incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from contacts.models import Contact
from evidence.models import UploadLink
from notifications.services import text_as_sent
from public import services
from public.models import BusinessSubmission, BusinessUser, OnlineReport, SeriesLink

from .helpers import emails_to, link_in

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough business password 42"


@pytest.fixture
def manager(make_user):
    return make_user("crime-admin", username="bureau1")


@pytest.fixture
def business(client, manager):
    """A business registered and its first user invited through the staff pages, password set from the e-mail."""
    client.force_login(manager)
    response = client.post(reverse("public-staff:accounts"), {
        "name": "Corner Shops Ltd", "site_name": "High Street", "site_address": "1 High Street, Stafford",
        "site_postcode": "ST16 2AA",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    account_url = response.url
    client.post(account_url.rstrip("/") + "/sites/", {"site_name": "Forecourt", "site_address": "Ring Road, Stafford"})
    client.post(account_url.rstrip("/") + "/invite/", {"full_name": "Jo Patel", "email": "Jo@CornerShops.example"})
    client.logout()
    invite = emails_to("jo@cornershops.example")[0]
    link = link_in(invite, r"/report/business/set-password/\S+/")
    assert client.post(link, {"password": PASSWORD, "confirm": PASSWORD}).url == reverse("public:business-sign-in")
    assert client.get(link).status_code == 404  # used once
    return BusinessUser.objects.get(email="jo@cornershops.example")


def _sign_in(client, email="jo@cornershops.example", password=PASSWORD):
    return client.post(reverse("public:business-sign-in"), {"email": email, "password": password})


def _shoplifting(site, offender="White male, 30s, thin build, grey hoodie, black cap", **changes):
    today = timezone.localdate() - timedelta(days=1)
    values = {"site": str(site.pk), "date_day": str(today.day), "date_month": str(today.month),
              "date_year": str(today.year), "time": "10:20", "items": "Razor blades 4-pack, £12.99\nCoffee £6",
              "offender": offender, "cctv": "yes"}
    values.update(changes)
    return values


def _fuel(site, registration="AB12 CDE", **changes):
    today = timezone.localdate() - timedelta(days=1)
    values = {"site": str(site.pk), "date_day": str(today.day), "date_month": str(today.month),
              "date_year": str(today.year), "time": "07:05", "registration": registration, "pump": "4",
              "litres": "45.2", "value": "£72.30", "cctv": "no"}
    values.update(changes)
    return values


def test_only_staff_who_manage_business_accounts_register_them(client, make_user):
    client.force_login(make_user("call-handler", username="handler9"))
    assert client.get(reverse("public-staff:accounts")).status_code == 403


def test_a_business_user_is_not_police_staff(client, business):
    _sign_in(client)
    assert client.get(reverse("contacts:queue")).status_code in (302, 403)
    assert client.get(reverse("public:business-home")).status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, business):
    for email, password in (("jo@cornershops.example", "wrong"), ("nobody@example.org", PASSWORD)):
        response = _sign_in(client, email, password)
        assert response.status_code == 400
        assert services.SIGN_IN_REFUSED in response.content.decode()


def test_several_incidents_are_reported_in_one_go_once(client, business):
    _sign_in(client)
    sites = {site.name: site for site in business.account.sites.all()}
    add_shop = reverse("public:business-add", args=["shoplifting"])
    add_fuel = reverse("public:business-add", args=["fuel-drive-off"])
    assert client.post(add_shop, _shoplifting(sites["High Street"])).status_code == 302
    assert client.post(add_shop, _shoplifting(sites["High Street"], offender="Tall woman, red coat, blonde hair")).status_code == 302
    assert client.post(add_fuel, _fuel(sites["Forecourt"], registration="ab12cde")).status_code == 302
    home = client.get(reverse("public:business-home")).content.decode()
    assert "You have added 3 incidents" in home and "AB12 CDE" in home
    key = client.session["public_business_incidents"]["key"]
    first = client.post(reverse("public:business-submit"), {"submission_key": key})
    second = client.post(reverse("public:business-submit"), {"submission_key": key})
    assert first.url == second.url == reverse("public:business-done")
    assert BusinessSubmission.objects.count() == 1
    contacts = Contact.objects.filter(channel="business").order_by("pk")
    assert [c.incident_type.code for c in contacts] == ["shoplifting", "shoplifting", "other-theft"]
    assert "Razor blades 4-pack, £12.99" in contacts[0].summary and "CCTV held: Yes" in contacts[0].summary
    assert contacts[2].location_text.startswith("Forecourt, Ring Road")
    assert OnlineReport.objects.get(kind="fuel_drive_off").vehicle_registration == "AB12CDE"
    done = client.get(first.url).content.decode()
    assert all(c.reference in done for c in contacts)
    assert AuditEntry.objects.filter(actor_label=f"business-user:{business.pk}").exists()
    # CCTV held for the two shoplifting incidents: one upload link each, through the evidence upload.
    links = [m for m in emails_to("jo@cornershops.example") if m.template == "upload_link"]
    assert len(links) == 2
    assert UploadLink.objects.filter(purpose="cctv", contact__in=contacts[:2]).count() == 2
    assert "/upload/" in text_as_sent(links[0])[1] and "/upload/" not in links[0].body
    assert "upload the footage" in done


def test_a_bad_incident_names_each_field_and_keeps_what_was_typed(client, business):
    _sign_in(client)
    site = business.account.sites.first()
    response = client.post(reverse("public:business-add", args=["fuel-drive-off"]),
                           _fuel(site, registration="NOTAPLATE99", pump="0", litres="lots", value="free"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the vehicle registration as it is on the number plate" in page
    assert "Pump number must be between 1 and 99" in page
    assert "Litres must be a number, like 45.20" in page
    assert "Value must be an amount in pounds" in page
    assert 'value="NOTAPLATE99"' in page and 'value="lots"' in page
    items = client.post(reverse("public:business-add", args=["shoplifting"]), _shoplifting(site, items="a thing"))
    assert "Line 1 must be an item then its value in pounds" in items.content.decode()


def _report(client, business, *incidents):
    _sign_in(client)
    for kind, values in incidents:
        client.post(reverse("public:business-add", args=[kind]), values)
    key = client.session["public_business_incidents"]["key"]
    client.post(reverse("public:business-submit"), {"submission_key": key})


def test_alike_offenders_and_the_same_vehicle_are_flagged_to_investigators(client, business, make_user):
    site = business.account.sites.first()
    _report(client, business, ("shoplifting", _shoplifting(site)), ("fuel-drive-off", _fuel(site)))
    _report(client, business,
            ("shoplifting", _shoplifting(site, offender="grey hoodie, black cap, thin white man about 30s")),
            ("shoplifting", _shoplifting(site, offender="Tall woman, red coat, blonde hair")),
            ("fuel-drive-off", _fuel(site, registration="AB12CDE")))
    links = {(link.basis, link.earlier.kind, link.later.kind) for link in SeriesLink.objects.select_related("earlier", "later")}
    assert links == {("offender", "shoplifting", "shoplifting"), ("vehicle", "fuel_drive_off", "fuel_drive_off")}
    client.force_login(make_user("investigator", username="inv1"))
    page = client.get(reverse("public-staff:series")).content.decode()
    assert "Same vehicle" in page and "Offender descriptions alike" in page and "AB12CDE" in page
    client.force_login(make_user("call-handler", username="handler8"))
    assert client.get(reverse("public-staff:series")).status_code == 403


def test_business_pages_need_a_business_sign_in(client):
    response = client.get(reverse("public:business-home"))
    assert response.url.startswith(reverse("public:business-sign-in"))
