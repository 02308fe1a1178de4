"""Evidence for the demo force: photos, call extracts, receipts, CCTV sent by a business through an
upload link, witness statements and one evidential package, on a handful of open demo crimes.

Every file is made by ``evidence.samples`` and goes through the same services as real evidence,
so the demo shows real hashes, custody and audit entries. Running it again adds nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import Crime, CrimeStatus

from . import samples, services
from .models import Exhibit

DEMO_CRIMES = 6
OFFICER = "PC Sam Patel"
BUSINESS = "High Street Stores Ltd"
WITNESSES = ["Priya Shah", "Tom Hughes", "Grace Okafor", "Dan Morgan", "Ewa Nowak", "Liam Byrne"]
WITNESS_WORDS = (
    "I was in the shop at about twenty past two in the afternoon. A man in a grey hooded top and dark "
    "jogging bottoms walked to the shelf by the till, put two bottles into a black rucksack and walked out "
    "without paying. I shouted after him but he ran towards the bus station. I would recognise him again. "
    "He was about 5 feet 10 inches tall, white, in his twenties, with short brown hair and a scar on his left "
    "cheek."
)


@dataclass
class SeededEvidence:
    crimes: int = 0
    exhibits: int = 0
    statements: int = 0
    packages: int = 0


def _demo_crimes() -> list[Crime]:
    return list(
        Crime.objects.filter(
            status__in=(CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION), victim__isnull=False
        ).select_related("classification").order_by("-reported_at", "-id")[:DEMO_CRIMES]
    )


def _file(crime: Crime, data: bytes, name: str, description: str, produced_by: str, **kwargs) -> Exhibit:
    return services.receive_file(
        actor=None, actor_label="system: seed_evidence", description=description, produced_by=produced_by,
        file=io.BytesIO(data), filename=name, size=len(data), crime=crime, **kwargs,
    )


def seed_demo_evidence(*, base_url: str = "http://127.0.0.1:8000/") -> SeededEvidence:
    """Give the newest open demo crimes their evidence, once; crimes that already hold exhibits are left alone."""
    result = SeededEvidence()
    for index, crime in enumerate(_demo_crimes()):
        if Exhibit.objects.filter(crime=crime).exists():
            continue
        # One crime at a time, all or nothing: a run stopped half-way is finished by the next.
        with transaction.atomic():
            _seed_crime(crime, index, base_url, result)
    return result


def _seed_crime(crime: Crime, index: int, base_url: str, result: SeededEvidence) -> None:
    """A photo, a call extract, a receipt and a witness statement; the first crime also CCTV by link and a package."""
    result.crimes += 1
    _file(crime, samples.png(seed=crime.pk), f"IMG_{crime.pk:04d}.png", "Photograph of the scene", OFFICER)
    _file(crime, samples.wav(3.0, frequency=330 + 20 * index), "call-extract.wav", "Extract of the 101 call", OFFICER)
    _file(
        crime,
        samples.pdf([f"{BUSINESS}", "Till receipt (copy)", f"Crime {crime.reference}", "2 x Gin 70cl   GBP 36.00",
                     "Not paid for: goods taken"]),
        "receipt.pdf", "Copy till receipt showing the value of the goods taken", BUSINESS,
    )
    result.exhibits += 3
    witness = WITNESSES[index % len(WITNESSES)]
    services.take_statement(
        crime=crime, actor=None, form_token=f"demo-statement-{crime.pk}",
        details=services.StatementDetails(
            maker_name=witness, body=WITNESS_WORDS, signature=witness, declaration_accepted=True,
            maker_occupation="Shop assistant" if index % 2 else "Student",
        ),
    )
    result.statements += 1
    if index == 0:
        # The business's CCTV, sent through a link as a real one would be.
        issued = services.issue_upload_link(
            actor=None, crime=crime, recipient_name=BUSINESS, channel="email",
            recipient_email="security@highstreetstores.example", purpose="cctv", base_url=base_url,
            form_token=f"demo-link-{crime.pk}",
        )
        staged = services.stage_file(
            file=io.BytesIO(samples.png(320, 240, seed=crime.pk + 1)), filename="cam2-1405.png",
            size=len(samples.png(320, 240, seed=crime.pk + 1)), link=issued.link, crime=crime,
        )
        start = timezone.localtime(crime.reported_at) - timedelta(minutes=20)
        services.submit_through_link(
            link=issued.link, uploads=[staged], description="Still from camera 2 (till) as the man leaves",
            cctv=services.CctvDetails(cameras="Cam 2 till, Cam 4 door", clock_offset_seconds=95,
                                      starts_at=start, ends_at=start + timedelta(minutes=15)),
            form_token=f"demo-cctv-{crime.pk}",
        )
        result.exhibits += 1
        services.produce_evidential_package(
            crime=crime, recipient="CPS Direct", reason="Charging advice on the shoplifting", actor=None,
            form_token=f"demo-package-{crime.pk}",
        )
        result.packages += 1
