"""The demo force's online and business reports: accounts with sites and staff, reports waiting in triage, a series,
and a victim's online request for a review of a decision not to charge.

Safe to run twice: every report has a fixed submission key, so a second run finds the
reports the first made; businesses and their staff are looked up by name and e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from . import services
from .models import BusinessAccount, BusinessSite, BusinessUser, OnlineReport, ReportKind, SeriesLink

DEMO_PASSWORD = "firstcontact-demo"  # noqa: S105 - the published demo password; demo mode only.
BUSINESS_LOGINS = [
    # (business, [(site name, address, postcode)], [(full name, e-mail)])
    ("Stafford Corner Shops", [("High Street", "14 Greengate Street, Stafford", "ST16 2HS"),
                               ("Rowley Park", "2 Rowley Avenue, Stafford", "ST17 9AA")],
     [("Jo Patel", "jo.patel@cornershops.example"), ("Chris Wood", "chris.wood@cornershops.example")]),
    ("Ring Road Fuels", [("Ring Road filling station", "Queensway, Stafford", "ST16 3AA")],
     [("Sam Reid", "sam.reid@ringroadfuels.example")]),
]

PUBLIC_REPORTS = [
    # (key, kind, hours ago, location, description, extra answers, suspect, name, e-mail)
    ("demo-online-1", ReportKind.THEFT, 20, "Victoria Park, Stafford", "My bike was taken from the rack by the bandstand.",
     {"What was stolen": "Blue Carrera mountain bike, frame number CX44120", "Total value in pounds (if you know it)": "420.00"},
     "Two teenage boys, one in a red jacket", ("Amara", "Okoye"), "amara.okoye@example.org"),
    ("demo-online-2", ReportKind.CRIMINAL_DAMAGE, 30, "Tillington Street car park, Stafford",
     "Someone scratched the whole side of my car overnight.",
     {"What was damaged": "Silver Ford Focus, driver's side doors", "Cost of the damage in pounds (if you know it)": "650.00"},
     "", ("Gareth", "Lloyd"), "gareth.lloyd@example.org"),
    ("demo-online-3", ReportKind.ONLINE_CRIME, 8, "Online: a social media app",
     "A former colleague keeps sending me threatening messages after I blocked him.", {}, "Former colleague, name known",
     ("Helen", "Marsh"), "helen.marsh@example.org"),
    ("demo-online-4", ReportKind.ROAD_COLLISION, 5, "Lichfield Road roundabout, Stafford",
     "A van reversed into my parked car and drove off.",
     {"Registration of the other vehicle (if you know it)": "KX19 ZBD", "Did the other driver stop and give their details?": "No"},
     "", ("Tomasz", "Nowak"), "tomasz.nowak@example.org"),
    ("demo-online-5", ReportKind.ASB, 3, "Alleyway behind Corporation Street, Stafford",
     "A group gathers every evening, shouting and throwing bottles.",
     {"Who or what is affected?": "The neighbourhood or community (noise, rowdy behaviour)"}, "Five or six young men",
     ("Margaret", "Hughes"), "margaret.hughes@example.org"),
]

# (key, business, site, kind, hours ago, answers) – the first two shoplifters read alike; the drive-offs share a car.
BUSINESS_REPORTS = [
    ("demo-business-1", "Stafford Corner Shops", "High Street", [
        (ReportKind.SHOPLIFTING, 50, "Razor blades 4-pack, £12.99\nElectric toothbrush heads, £18.50",
         "White male, about 30, thin build, grey hooded top, black baseball cap, tattoo on left hand", "yes"),
        (ReportKind.SHOPLIFTING, 47, "Jar of coffee, £6.00", "Older woman, long grey coat, walking stick", "no"),
    ]),
    ("demo-business-2", "Stafford Corner Shops", "Rowley Park", [
        (ReportKind.SHOPLIFTING, 6, "Baby formula 800g x 3, £38.97",
         "Thin white man in his thirties, grey hoodie, black cap, tattoo on his left hand", "yes"),
    ]),
    ("demo-business-3", "Ring Road Fuels", "Ring Road filling station", [
        (ReportKind.FUEL_DRIVE_OFF, 70, ("YR61 KLP", 4, "52.10", "81.20"), "", "yes"),
    ]),
    ("demo-business-4", "Ring Road Fuels", "Ring Road filling station", [
        (ReportKind.FUEL_DRIVE_OFF, 4, ("YR61KLP", 2, "48.75", "76.05"), "", "no"),
    ]),
]


# A theft reported online, closed with outcome 21, whose victim asked from Track my report for a review.
REVIEW_REPORT = ("demo-online-review", "Victoria Road, Stafford", "My parcel was taken from my doorstep; the "
                 "courier's photo shows it there at 14:02.", ("Kwame", "Asante"), "kwame.asante@example.org")
REVIEW_REASONS = ("The house opposite has a doorbell camera that faces my door. I told the officer but I do not "
                  "think anyone asked for the footage.")
REVIEW_KEY = "demo-online-review-1"


@dataclass
class Seeded:
    businesses: int
    public_reports: int
    business_reports: int
    series: int
    logins: list[tuple[str, str]]
    online_reviews: int = 0


def _online_review(now) -> None:
    """One report whose victim asked online for a review: it waits in the supervisors' Right to review queue.

    The contact is assessed and graded (so it is not in triage), the crime closed 6 days ago with
    outcome 21 by a supervisor other than the demo's ``supervisor`` login (who may then review it),
    and the request made through ``ask_for_review``, as the victim's own would be.
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from cases.models import Crime, CrimeStatus
    from cases.services import close_crime
    from contacts.models import Contact
    from contacts.services import assess_thrive, grade_contact

    key, location, description, (given, family), email = REVIEW_REPORT
    report = services.submit_online_report(
        submission_key=key, given_name=given, family_name=family, email=email,
        incident=services.Incident(kind=ReportKind.THEFT, occurred_at=now - timedelta(days=21), location=location,
                                   description=description, answers={"Tell us what happened": description}),
    )
    crime = Crime.objects.filter(contact=report.contact).first()
    if crime is None:
        return
    if crime.status != CrimeStatus.CLOSED and not report.contact.thrive_assessments.exists():
        answers = {"threat": "low", "harm": "low", "risk": "low", "investigation": "enquiries",
                   "vulnerability": "none", "engagement": "phone"}
        assess_thrive(contact=report.contact, actor=None, answers=answers,
                      rationales={name: f"Demo: {value}" for name, value in answers.items()})
        grade_contact(contact=report.contact, actor=None)
    if crime.status != CrimeStatus.CLOSED:
        perm = Q(groups__permissions__codename="supervise_investigations") | Q(
            user_permissions__codename="supervise_investigations")
        closer = get_user_model().objects.filter(perm).exclude(username="supervisor").distinct().order_by("pk").first()
        close_crime(crime=crime, actor=closer, outcome=21)
        reported = now - timedelta(days=21)
        Contact.objects.filter(pk=report.contact_id).update(received_at=reported)
        Crime.objects.filter(pk=crime.pk).update(reported_at=reported, closed_at=now - timedelta(days=6),
                                                 **({"recorded_at": reported} if crime.recorded_at else {}))
    services.ask_for_review(report=report, reasons=REVIEW_REASONS, submission_key=REVIEW_KEY)


def _business(name: str, sites: list, staff: list, actor) -> tuple[BusinessAccount, list[BusinessUser]]:
    account = BusinessAccount.objects.filter(name=name).first()
    if account is None:
        first = sites[0]
        account = services.register_business(actor=actor, name=name, site_name=first[0], site_address=first[1],
                                             site_postcode=first[2])
    for site_name, address, postcode in sites:
        if not account.sites.filter(name=site_name).exists():
            services.add_site(actor=actor, account=account, name=site_name, address=address, postcode=postcode)
    users = []
    for full_name, email in staff:
        user = BusinessUser.objects.filter(email=email).first()
        if user is None:
            user, _ = services.invite_business_user(actor=actor, account=account, full_name=full_name, email=email)
        # Demo only: every demo login has the one published password.
        BusinessUser.objects.filter(pk=user.pk).update(password=make_password(DEMO_PASSWORD), invite_hash="",
                                                       invite_expires_at=None)
        users.append(user)
    return account, users


@transaction.atomic
def seed_online_reports(*, staff_actor=None) -> Seeded:
    """Build the demo's business accounts, public and business reports (in the triage queue) and a flagged series."""
    now = timezone.now()
    accounts = {}
    for name, sites, staff in BUSINESS_LOGINS:
        accounts[name] = _business(name, sites, staff, staff_actor)
    for key, kind, hours, location, description, answers, suspect, (given, family), email in PUBLIC_REPORTS:
        incident = services.Incident(
            kind=kind, occurred_at=now - timedelta(hours=hours), location=location, description=description,
            answers={**answers, "Tell us what happened": description,
                     **({"Can you describe the person responsible?": suspect} if suspect else {})},
            offender_description=suspect,
            asb_category="nuisance" if kind == ReportKind.ASB else "",
        )
        services.submit_online_report(submission_key=key, incident=incident, given_name=given, family_name=family,
                                      email=email)
    for key, business, site_name, incidents in BUSINESS_REPORTS:
        account, users = accounts[business]
        site = BusinessSite.objects.get(account=account, name=site_name)
        built = []
        for kind, hours, what, offender, cctv in incidents:
            occurred = now - timedelta(hours=hours)
            if kind == ReportKind.SHOPLIFTING:
                answers = {"Items taken and their values": what, "Offender": offender, "CCTV held": cctv.title()}
                incident = services.Incident(kind=kind, occurred_at=occurred, location="",
                                             description=f"Shoplifting: {what}", answers=answers,
                                             offender_description=offender, cctv_held=cctv == "yes")
            else:
                registration, pump, litres, value = what
                display = services.check_registration(registration)
                answers = {"Vehicle registration": display, "Pump": str(pump), "Litres": litres, "Value": f"£{value}",
                           "CCTV held": cctv.title()}
                incident = services.Incident(kind=kind, occurred_at=occurred, location="",
                                             description=f"Fuel drive-off: {litres} litres, £{value}", answers=answers,
                                             vehicle_registration=display.replace(" ", ""), cctv_held=cctv == "yes")
            built.append((incident, site))
        services.submit_business_report(user=users[0], submission_key=key, incidents=built)
    _online_review(now)
    from cases.models import ReviewRequest

    return Seeded(
        businesses=BusinessAccount.objects.count(), public_reports=OnlineReport.objects.filter(submission=None).count(),
        online_reviews=ReviewRequest.objects.filter(channel="online").count(),
        business_reports=OnlineReport.objects.exclude(submission=None).count(), series=SeriesLink.objects.count(),
        logins=[(email, name) for name, _, staff in BUSINESS_LOGINS for _, email in staff[:1]],
    )
