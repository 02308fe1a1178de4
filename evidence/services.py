"""Business actions on evidence: receive files (in one go or resumably), take statements, send upload
links to the public, record the chain of custody, and produce evidential packages.

Each action runs in one transaction and writes its audit entry there, naming the victim's
person id (the crime's victim, or the contact's caller) so the data protection officer finds it
by person. Every touch of an item also goes to its custody table.

Other apps call: ``issue_upload_link``, ``receive_file``, ``attach_contact_exhibits_to_crime``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import secrets
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import Action
from audit.services import erase_fields, record_entry

from . import content
from .models import CustodyEvent, EvidentialPackage, Exhibit, Statement, Upload, UploadLink

logger = logging.getLogger("evidence")

READ_BLOCK = 1024 * 1024

FILE_REFUSED = "The file must be {accepted}. The file chosen is not one of these (judged by its content, not its name)."
FILE_EMPTY = "The file chosen is empty; choose the file again."
FILE_TOO_LARGE = "The file must be {limit} or smaller."
HASH_MISMATCH = (
    "The file that arrived does not match the SHA-256 your device calculated, so it was not kept; send it again."
)
HASH_FORMAT = "The SHA-256 must be 64 hexadecimal characters."
OFFSET_MISMATCH = "This part starts at byte {given} but {expected} bytes have arrived; send from byte {expected}."
TOO_LONG = "More bytes arrived than the {length} declared."
UPLOAD_INCOMPLETE = "The file has not finished arriving ({offset} of {length} bytes); finish sending it first."
UPLOAD_DONE = "The file has already arrived in full."
LINK_UNUSABLE = "This link has been used or has expired. Ask the officer dealing with your report for a new one."
RECIPIENT_CONTACT = "Enter an e-mail address to send the link by e-mail, or a mobile number to send it by text."
CHANNEL_UNKNOWN = "Choose how to send the link: e-mail or text message."
EXPIRY_RANGE = "The link must last between 1 and 28 days."
NO_OWNER = "Evidence must belong to a crime or a contact."
DESCRIPTION_REQUIRED = "Enter a description of the item."
PRODUCER_REQUIRED = "Enter who produced the item."
CCTV_RANGE = "The end of the footage must be after its start."
SIGNATURE_MISMATCH = "The signature must be the maker's name as written above: {name}."
DECLARATION_REQUIRED = "The maker must accept the declaration before signing."
RECIPIENT_REQUIRED = "Enter who the package is for."
REASON_REQUIRED = "Enter why the package is being disclosed."
NOTHING_TO_DISCLOSE = "The crime has no exhibits or statements to put in a package."
UPLOAD_GONE = "The file is no longer waiting to be received (unfinished uploads are cleared after a day); choose it again."
DESTROY_REASON_REQUIRED = "Enter why the exhibit is being destroyed."
DESTROY_NOT_AUTHORISED = "Only a supervisor or the data protection officer may authorise the destruction of evidence."
DESTROY_CRIME_OPEN = "The crime {reference} is still open: its evidence cannot be destroyed."
EXHIBIT_DESTROYED = "Exhibit {reference} was destroyed on {when}; its file no longer exists."
DESTROY_NO_CRIME = ("This exhibit is held against contact {reference}, not a crime: it is destroyed through the "
                    "retention review, not from this page.")
ERASE_CRIME_OPEN = "The crime {reference} is still open: its statements cannot be erased."
STATEMENT_ERASED = "Statement {reference} was erased on {when}; its words and its PDF no longer exist."
ERASED_MAKER = "Erased"
# What erasing a statement blanks: the maker's details and their words. The number, the dates, who
# took it, the page count, the PDF's SHA-256 and the custody chain stay as the trace.
ERASED_STATEMENT_FIELDS = {
    "maker_name": ERASED_MAKER, "maker_age": None, "maker_occupation": "", "body": "", "signature": "",
}

# Criminal Justice Act 1967 s.9 and Magistrates' Courts Act 1980 s.5B: a written statement is
# admissible when it carries this declaration, signed by its maker.
DECLARATION = (
    "This statement, consisting of {pages} page(s) each signed by me, is true to the best of my knowledge and "
    "belief and I make it knowing that, if it is tendered in evidence, I shall be liable to prosecution if I "
    "have wilfully stated in it anything which I know to be false, or do not believe to be true."
)


class UploadRefused(ValidationError):
    """A refusal a sender can act on; ``code`` says which (content, hash, offset, size, state)."""

    def __init__(self, message: dict[str, str], code: str):
        super().__init__(message)
        # ValidationError keeps no code for a dict of messages; the protocol maps it to a status.
        self.code = code


# --- settings -------------------------------------------------------------------------------------

def max_upload_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_UPLOAD_BYTES", 8 * 1024**3)


def link_days_default() -> int:
    return getattr(settings, "EVIDENCE_LINK_DAYS", 7)


def staging_storage():
    """Where partial uploads wait: a storage that can append (local disk or a shared volume)."""
    return storages[getattr(settings, "EVIDENCE_STAGING_STORAGE", "evidence_staging")]


def _human_bytes(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}".replace(".0 ", " ")
        count /= 1024
    return str(count)


# --- audit and custody ---------------------------------------------------------------------------

def _owner_person_id(*, crime=None, contact=None) -> Any:
    if crime is not None and crime.victim_id:
        return crime.victim_id
    if contact is not None:
        return contact.caller_id
    if crime is not None and crime.contact_id:
        return crime.contact.caller_id
    return None


def _label(actor: Any, fallback: str = "") -> str:
    if actor is None:
        return fallback or "system"
    return getattr(actor, "username", None) or str(actor)


def _owner_reference(item) -> str:
    crime = getattr(item, "crime", None)
    if crime is not None:
        return crime.reference
    return item.contact.reference


def record_custody(
    *,
    event: str,
    actor: Any,
    exhibit: Exhibit | None = None,
    statement: Statement | None = None,
    package: EvidentialPackage | None = None,
    reason: str = "",
    recipients: Iterable[str] = (),
    actor_label: str = "",
    authorised_by: Any = None,
    **detail: Any,
) -> CustodyEvent:
    """Add one link to an item's chain of custody and the matching audit entry, in one transaction.

    DPA 2018 Part 3 s.62: receipt is collection, a view or download is consultation (with the
    reason), a package is disclosure (with its recipients).
    """
    item = exhibit or statement or package
    crime = getattr(item, "crime", None)
    contact = getattr(item, "contact", None)
    action = {
        CustodyEvent.Event.RECEIVED: Action.COLLECTION,
        CustodyEvent.Event.ATTACHED: Action.COMBINATION,
        CustodyEvent.Event.VIEWED: Action.CONSULTATION,
        CustodyEvent.Event.DOWNLOADED: Action.CONSULTATION,
        CustodyEvent.Event.DISCLOSED: Action.DISCLOSURE,
        CustodyEvent.Event.DESTROYED: Action.ERASURE,
    }[event]
    if action in (Action.CONSULTATION, Action.DISCLOSURE) and not reason:
        reason = f"Investigation of {_owner_reference(item)}"
    recipients = [r for r in recipients if r]
    with transaction.atomic():
        custody = CustodyEvent.objects.create(
            exhibit=exhibit, statement=statement, package=package, event=event, actor=actor,
            actor_label=actor_label or _label(actor), reason=reason, recipients=recipients, detail=detail,
            authorised_by=authorised_by, authorised_by_label=_label(authorised_by) if authorised_by else "",
        )
        record_entry(
            actor=actor, actor_label=actor_label, action=action, subject_type=item._meta.label_lower,
            subject_id=item.pk, person_id=_owner_person_id(crime=crime, contact=contact), reason=reason,
            recipients=recipients,
            detail={"event": event, "reference": getattr(item, "reference", str(item.pk)), **detail,
                    **({"authorised_by": _label(authorised_by)} if authorised_by else {})},
        )
    return custody


# --- resumable uploads ----------------------------------------------------------------------------

# upload id -> (offset the hash covers, running SHA-256). A process keeps the running hash of the
# uploads it is receiving so each chunk is hashed once, as it arrives. hashlib's state cannot be
# stored in the database; when a chunk reaches a process without it (a restart, another worker)
# the hash of what has arrived is taken again from the staged file, once, and carried on.
_running_hashes: dict[uuid.UUID, tuple[int, Any]] = {}
_running_lock = threading.Lock()


def _running_hash(upload: Upload) -> Any:
    with _running_lock:
        cached = _running_hashes.get(upload.id)
    if cached is not None and cached[0] == upload.offset:
        # A copy: if this chunk fails half-way, the remembered state must still match the offset.
        return cached[1].copy()
    hasher = hashlib.sha256()
    if upload.offset:
        with staging_storage().open(upload.staging_name, "rb") as staged:
            remaining = upload.offset
            while remaining:
                block = staged.read(min(READ_BLOCK, remaining))
                if not block:
                    break
                hasher.update(block)
                remaining -= len(block)
    return hasher


def _remember_hash(upload: Upload, hasher: Any) -> None:
    with _running_lock:
        _running_hashes[upload.id] = (upload.offset, hasher)


def _forget_hash(upload_id: uuid.UUID) -> None:
    with _running_lock:
        _running_hashes.pop(upload_id, None)


def _check_sha256(value: str) -> str:
    value = (value or "").strip().lower()
    if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
        raise UploadRefused({"sha256": HASH_FORMAT}, code="hash")
    return value


def start_upload(
    *,
    filename: str,
    length: int,
    actor: Any = None,
    crime=None,
    contact=None,
    link: UploadLink | None = None,
    client_sha256: str = "",
) -> Upload:
    """Open a resumable upload of ``length`` bytes for a crime or a contact; chunks follow with ``append_chunk``."""
    if crime is None and contact is None:
        raise ValidationError(NO_OWNER)
    if length <= 0:
        raise UploadRefused({"file": FILE_EMPTY}, code="size")
    if length > max_upload_bytes():
        raise UploadRefused({"file": FILE_TOO_LARGE.format(limit=_human_bytes(max_upload_bytes()))}, code="size")
    client_sha256 = _check_sha256(client_sha256)
    upload_id = uuid.uuid4()
    staging = staging_storage()
    name = staging.save(f"{upload_id}.part", io.BytesIO(b""))
    return Upload.objects.create(
        id=upload_id, crime=crime, contact=contact, link=link, created_by=actor,
        filename=(filename or "file")[:255], length=length, client_sha256=client_sha256, staging_name=name,
    )


def append_chunk(*, upload: Upload, offset: int, stream: IO[bytes]) -> Upload:
    """Write the bytes of ``stream`` at ``offset``; on the last byte, check the content type and the hash.

    Bytes go to the staged file in blocks of 1 MB as they are read, so memory does not grow
    with the size of a chunk or of the file. A chunk is either wholly recorded or not at all:
    the offset moves only when the transaction commits, and a part written by a request that
    then failed is cut off before the next chunk is written.
    """
    refused: UploadRefused | None = None
    with transaction.atomic():
        # Lock the row: two requests carrying the same chunk (a retry racing the original) must not
        # both append it.
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.complete:
            raise UploadRefused({"file": UPLOAD_DONE}, code="state")
        if offset != upload.offset:
            raise UploadRefused(
                {"file": OFFSET_MISMATCH.format(given=offset, expected=upload.offset)}, code="offset"
            )
        hasher = _running_hash(upload)
        written = 0
        head = b""
        with staging_storage().open(upload.staging_name, "r+b") as staged:
            staged.seek(upload.offset)
            staged.truncate()
            while True:
                block = stream.read(READ_BLOCK)
                if not block:
                    break
                if upload.offset + written + len(block) > upload.length:
                    raise UploadRefused({"file": TOO_LONG.format(length=upload.length)}, code="size")
                if upload.offset == 0 and len(head) < content.SNIFF_BYTES:
                    head += block[: content.SNIFF_BYTES - len(head)]
                staged.write(block)
                hasher.update(block)
                written += len(block)
        if upload.offset == 0 and written:
            # Refuse what is not evidence at the first chunk, not after a gigabyte has arrived.
            sniffed = content.sniff(head)
            if sniffed is not None:
                upload.content_type = sniffed.content_type
            elif len(head) >= content.SNIFF_BYTES or written == upload.length:
                refused = UploadRefused(
                    {"file": FILE_REFUSED.format(accepted=content.ACCEPTED_DESCRIPTION)}, code="content"
                )
        upload.offset += written
        if refused is None and upload.offset == upload.length:
            digest = hasher.hexdigest()
            if not upload.content_type:
                refused = UploadRefused(
                    {"file": FILE_REFUSED.format(accepted=content.ACCEPTED_DESCRIPTION)}, code="content"
                )
            elif upload.client_sha256 and not hmac.compare_digest(digest, upload.client_sha256):
                refused = UploadRefused({"file": HASH_MISMATCH}, code="hash")
            else:
                upload.sha256 = digest
                upload.completed_at = timezone.now()
        if refused is not None:
            # What arrived is thrown away (committed, so a retry cannot resume it); the sender starts again.
            Upload.objects.filter(pk=upload.pk).delete()
        else:
            upload.save(update_fields=["offset", "content_type", "sha256", "completed_at"])
    if refused is not None or upload.complete:
        _forget_hash(upload.id)
    if refused is not None:
        staging_storage().delete(upload.staging_name)
        raise refused
    if not upload.complete:
        _remember_hash(upload, hasher)
    return upload


def stage_file(
    *, file: IO[bytes], filename: str, size: int, actor: Any = None, crime=None, contact=None,
    link: UploadLink | None = None, client_sha256: str = "",
) -> Upload:
    """A whole file received in one request (the no-JavaScript form, a command), staged like a resumable one."""
    upload = start_upload(
        filename=filename, length=size, actor=actor, crime=crime, contact=contact, link=link,
        client_sha256=client_sha256,
    )
    return append_chunk(upload=upload, offset=0, stream=file)


class _StagedFile(File):
    """The staged file, offered to the storage so a local storage moves it instead of copying."""

    def __init__(self, file, path: str | None):
        super().__init__(file)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _store(upload: Upload) -> str:
    staging = staging_storage()
    try:
        path = staging.path(upload.staging_name)
    except NotImplementedError:
        path = None
    target = f"evidence/exhibits/{timezone.now():%Y/%m}/{upload.id.hex}{_extension(upload.content_type)}"
    with staging.open(upload.staging_name, "rb") as staged:
        # A local storage moves a file that has a path; object storage copies it in chunks.
        wrapped = _StagedFile(staged, path) if path else File(staged)
        name = default_storage.save(target, wrapped)
    if staging.exists(upload.staging_name):
        staging.delete(upload.staging_name)
    return name


def _extension(content_type: str) -> str:
    return {
        "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
        "audio/mpeg": ".mp3", "audio/x-wav": ".wav", "audio/ogg": ".ogg", "audio/mp4": ".m4a",
        "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "application/pdf": ".pdf",
    }.get(content_type, "")


def _next_reference(*, crime, contact, produced_by: str) -> str:
    initials = content.exhibit_initials(produced_by)
    owned = Exhibit.objects.filter(crime=crime) if crime is not None else Exhibit.objects.filter(contact=contact, crime=None)
    numbers = [
        int(ref.split("/", 1)[1])
        for ref in owned.filter(reference__startswith=f"{initials}/").values_list("reference", flat=True)
        if ref.split("/", 1)[1].isdigit()
    ]
    return f"{initials}/{max(numbers, default=0) + 1}"


@dataclass
class CctvDetails:
    """What the sender tells us about CCTV footage: which cameras, the time covered, how wrong the clock is."""

    cameras: str = ""
    clock_offset_seconds: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def receive_file(
    *,
    actor: Any,
    description: str,
    produced_by: str,
    upload: Upload | None = None,
    file: IO[bytes] | None = None,
    filename: str = "",
    size: int | None = None,
    crime=None,
    contact=None,
    link: UploadLink | None = None,
    cctv: CctvDetails | None = None,
    client_sha256: str = "",
    actor_label: str = "",
) -> Exhibit:
    """Make a received file an exhibit of a crime (or of a contact, before a crime exists).

    Give a completed ``upload`` (resumable), or ``file`` with its ``size`` (one request). The file
    is checked by content, its SHA-256 taken on receipt, given the next exhibit reference for the
    producer's initials (e.g. JS/3, unique per crime), moved into storage, and its receipt written
    to the custody table and the audit log.
    """
    description = (description or "").strip()
    produced_by = (produced_by or "").strip()
    if not description:
        raise ValidationError({"description": DESCRIPTION_REQUIRED})
    if not produced_by:
        raise ValidationError({"produced_by": PRODUCER_REQUIRED})
    if cctv and cctv.starts_at and cctv.ends_at and cctv.ends_at <= cctv.starts_at:
        raise ValidationError({"cctv_to": CCTV_RANGE})
    if upload is None:
        if file is None or size is None:
            raise ValidationError({"file": "Choose a file."})
        upload = stage_file(
            file=file, filename=filename, size=size, actor=actor, crime=crime, contact=contact, link=link,
            client_sha256=client_sha256,
        )
    crime = crime if crime is not None else upload.crime
    contact = contact if contact is not None else upload.contact
    existing = Exhibit.objects.filter(upload=upload).first()
    if existing is not None:
        return existing
    if not upload.complete:
        raise UploadRefused({"file": UPLOAD_INCOMPLETE.format(offset=upload.offset, length=upload.length)}, code="state")
    with transaction.atomic():
        # The staging sweep (sweep_staging) takes this row's lock before it deletes anything, so a
        # file being moved into storage is never swept away under it; one already swept is refused.
        if not Upload.objects.select_for_update().filter(pk=upload.pk).exists():
            raise UploadRefused({"file": UPLOAD_GONE}, code="state")
        stored = _store(upload)
    cctv = cctv or CctvDetails()
    kind = content.ACCEPTED[upload.content_type]
    for attempt in range(3):
        try:
            with transaction.atomic():
                if crime is not None:
                    # Serialise reference numbering per crime; the unique constraint is the backstop.
                    type(crime).objects.select_for_update().filter(pk=crime.pk).first()
                exhibit = Exhibit.objects.create(
                    crime=crime, contact=contact, reference=_next_reference(crime=crime, contact=contact, produced_by=produced_by),
                    kind=kind, description=description[:500], produced_by=produced_by[:120], file=stored,
                    original_name=upload.filename, content_type=upload.content_type, size=upload.length,
                    sha256=upload.sha256, received_by=actor if getattr(actor, "pk", None) else None, link=link or upload.link,
                    upload=upload, cctv_cameras=cctv.cameras[:300], cctv_clock_offset_seconds=cctv.clock_offset_seconds,
                    cctv_from=cctv.starts_at, cctv_to=cctv.ends_at,
                )
                record_custody(
                    event=CustodyEvent.Event.RECEIVED, actor=actor if getattr(actor, "pk", None) else None,
                    actor_label=actor_label, exhibit=exhibit, sha256=exhibit.sha256, size=exhibit.size,
                    content_type=exhibit.content_type, via="link" if exhibit.link_id else "staff",
                )
                return exhibit
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def attach_contact_exhibits_to_crime(*, contact, crime, actor: Any) -> int:
    """Give a contact's exhibits to the crime recorded from it, renumbering only where a reference is taken."""
    moved = 0
    for exhibit in Exhibit.objects.select_for_update().filter(contact=contact, crime__isnull=True):
        if Exhibit.objects.filter(crime=crime, reference=exhibit.reference).exists():
            exhibit.reference = _next_reference(crime=crime, contact=None, produced_by=exhibit.produced_by)
        exhibit.crime = crime
        exhibit.save(update_fields=["crime", "reference"])
        record_custody(event=CustodyEvent.Event.ATTACHED, actor=actor, exhibit=exhibit, crime=crime.reference)
        moved += 1
    return moved


# --- reading files --------------------------------------------------------------------------------

def open_exhibit(*, exhibit: Exhibit, actor: Any, event: str, reason: str = "", **detail: Any) -> IO[bytes]:
    """Open an exhibit's file for a member of staff, logging the view or download in its custody.

    A destroyed exhibit has no file: opening one is refused (ValidationError), and nothing is logged.
    """
    if exhibit.destroyed:
        raise ValidationError({"exhibit": EXHIBIT_DESTROYED.format(
            reference=exhibit.reference, when=f"{timezone.localtime(exhibit.destroyed_at):%-d %B %Y}")})
    record_custody(event=event, actor=actor, exhibit=exhibit, reason=reason, **detail)
    return default_storage.open(exhibit.file.name, "rb")


# --- destruction -----------------------------------------------------------------------------------
#
# Force decision (the task left it open): only a supervisor (``supervise_investigations``) or the
# data protection officer (``review_retention``) may authorise the destruction of evidence. The
# officer who carries it out may be someone else; both are named in the custody chain.

DESTRUCTION_AUTHORISERS = ("accounts.supervise_investigations", "accounts.review_retention")


def may_authorise_destruction(user: Any) -> bool:
    """Whether ``user`` may authorise destroying evidence: a supervisor or the data protection officer."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)
                and any(user.has_perm(permission) for permission in DESTRUCTION_AUTHORISERS))


def destroy_exhibit(*, exhibit: Exhibit, actor: Any, reason: str, authorised_by: Any = None,
                    **detail: Any) -> CustodyEvent | None:
    """Destroy an exhibit's stored file; keep its reference, SHA-256 and chain of custody for good.

    ``authorised_by`` (default: ``actor``) must be a supervisor or the data protection officer, and
    the exhibit's crime must be closed. In one transaction the exhibit is marked destroyed and a
    ``destroyed`` custody event (who, when, why, authorised by, the hash and size) is written with
    its ``erasure`` audit entry. The file is removed from storage only once that has committed, so a
    rolled-back decision never loses a file; ``file`` is emptied when the storage confirms the
    removal. Calling it again adds nothing and only retries a removal that failed. Returns the new
    custody event, or None when the exhibit had already been destroyed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DESTROY_REASON_REQUIRED})
    authoriser = authorised_by if authorised_by is not None else actor
    if not may_authorise_destruction(authoriser):
        raise PermissionDenied(DESTROY_NOT_AUTHORISED)
    custody = None
    with transaction.atomic():
        locked = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
        crime = locked.crime
        if crime is not None and crime.is_open:
            raise ValidationError({"exhibit": DESTROY_CRIME_OPEN.format(reference=crime.reference)})
        if locked.destroyed_at is None:
            locked.destroyed_at = timezone.now()
            locked.save(update_fields=["destroyed_at"])
            custody = record_custody(
                event=CustodyEvent.Event.DESTROYED, actor=actor, exhibit=locked, reason=reason,
                authorised_by=authoriser, sha256=locked.sha256, size=locked.size, stored_as=locked.file.name,
                **detail,
            )
        name = locked.file.name
        if name:
            transaction.on_commit(lambda: remove_destroyed_file(locked.pk, name), robust=True)
    exhibit.destroyed_at = locked.destroyed_at
    return custody


def _remove_stored(model: type, pk: int, field: str, name: str, *, done: str, what: str) -> bool:
    """Delete ``name`` from storage for a row already marked ``done``; empty ``field`` once it is gone."""
    if not model.objects.filter(pk=pk, **{f"{done}__isnull": False, field: name}).exists():
        return False
    default_storage.delete(name)
    if default_storage.exists(name):
        logger.error("The %s %s is still in storage (%s); it will be tried again.", what, pk, name)
        return False
    model.objects.filter(pk=pk, **{field: name}).update(**{field: ""})
    return True


def remove_destroyed_file(exhibit_id: int, name: str) -> bool:
    """Delete a destroyed exhibit's file from storage; empty ``file`` once the storage no longer has it.

    Only for an exhibit already marked destroyed. Returns whether the file is gone.
    """
    return _remove_stored(Exhibit, exhibit_id, "file", name, done="destroyed_at", what="file of destroyed exhibit")


def finish_destructions() -> int:
    """Remove the files of destroyed exhibits and erased statements whose removal did not complete."""
    done = 0
    for pk, name in Exhibit.objects.filter(destroyed_at__isnull=False).exclude(file="").values_list("pk", "file"):
        try:
            done += remove_destroyed_file(pk, name)
        except OSError:
            logger.exception("Could not remove the file of destroyed exhibit %s", pk)
    for pk, name in Statement.objects.filter(erased_at__isnull=False).exclude(pdf="").values_list("pk", "pdf"):
        try:
            done += remove_erased_statement_pdf(pk, name)
        except OSError:
            logger.exception("Could not remove the PDF of erased statement %s", pk)
    return done


def erase_statement(*, actor: Any, statement: Statement, reason: str,
                    detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase a written statement of a closed crime: the maker's details, the words and the signed PDF.

    For the retention review (records), which checks the rule; here only a closed crime is required.
    In one transaction, with the row locked: the personal fields are blanked, ``erased_at`` is set,
    a ``destroyed`` link is added to the statement's custody chain (its PDF's hash and storage name
    in ``detail``), and one ``erasure`` audit entry (field names and counts, no values) is written.
    The PDF is removed from storage only once that has committed, and ``pdf`` is emptied when the
    storage confirms it. Calling it again on an erased statement changes and logs nothing.
    """
    with transaction.atomic():
        locked = Statement.objects.select_for_update().select_related("crime").get(pk=statement.pk)
        crime = locked.crime
        if crime.is_open:
            raise ValidationError({"statement": ERASE_CRIME_OPEN.format(reference=crime.reference)})
        name = locked.pdf.name
        counts: dict[str, int] = {}
        if locked.erased_at is None:
            now = timezone.now()
            CustodyEvent.objects.create(
                statement=locked, event=CustodyEvent.Event.DESTROYED, occurred_at=now, actor=actor,
                actor_label=_label(actor), reason=reason,
                detail={"sha256": locked.sha256, "pages": locked.pages, "stored_as": name, **(detail or {})},
            )
            counts = erase_fields(
                locked, blank=ERASED_STATEMENT_FIELDS, removed={"pdf_files": 1 if name else 0}, actor=actor,
                reason=reason, subject_type="evidence.statement", person_id=_owner_person_id(crime=crime),
                detail={**(detail or {}), "crime": crime.reference, "statement": locked.reference},
                also_set={"erased_at": now},
            )
        if name:
            transaction.on_commit(lambda: remove_erased_statement_pdf(locked.pk, name), robust=True)
    statement.erased_at = locked.erased_at
    return counts


def remove_erased_statement_pdf(statement_id: int, name: str) -> bool:
    """Delete an erased statement's PDF from storage; empty ``pdf`` once the storage no longer has it."""
    return _remove_stored(Statement, statement_id, "pdf", name, done="erased_at", what="PDF of erased statement")


# --- unfinished uploads ---------------------------------------------------------------------------

def staging_max_age() -> timedelta:
    return timedelta(hours=getattr(settings, "EVIDENCE_STAGING_MAX_AGE_HOURS", 24))


@dataclass
class SweptFile:
    name: str
    size: int
    why: str


@dataclass
class StagingSweep:
    """What a sweep of the staging storage removed, and what it left because it was in use."""

    removed: list[SweptFile]
    in_use: int = 0

    @property
    def freed(self) -> int:
        return sum(item.size for item in self.removed)


def _last_touched(staging, name: str, created_at: datetime | None) -> datetime | None:
    """When the staged file last changed (its modification time), or None if it is not there.

    A storage that cannot tell a file's modification time falls back on when the upload began.
    """
    try:
        return staging.get_modified_time(name)
    except FileNotFoundError:
        return None
    except NotImplementedError:
        return created_at if staging.exists(name) else None


def abandoned_uploads(now: datetime, max_age: timedelta):
    """Uploads that never became exhibits and can no longer do so, or have lain untouched for ``max_age``.

    Candidates only: ``sweep_staging`` checks each again under its row lock, and looks at the staged
    file's modification time, before removing anything.
    """
    from django.db.models import Q

    return (Upload.objects.filter(exhibit__isnull=True)
            .filter(Q(created_at__lt=now - max_age) | Q(link__expires_at__lte=now) | Q(link__used_at__isnull=False))
            .order_by("created_at"))


def _sweep_upload(upload_id: uuid.UUID, *, now: datetime, max_age: timedelta, dry_run: bool) -> SweptFile | None | bool:
    """Remove one abandoned upload and its staged file; False when it is in use (locked, or touched lately)."""
    staging = staging_storage()
    with transaction.atomic():
        # skip_locked: an upload whose chunk is being written, or whose file is being moved into
        # storage, holds this lock; it is in use and is left for the next sweep.
        upload = Upload.objects.select_for_update(skip_locked=True).filter(pk=upload_id).first()
        if upload is None:
            return False if Upload.objects.filter(pk=upload_id).exists() else None
        if Exhibit.objects.filter(upload=upload).exists():
            return None
        link = upload.link
        link_dead = link is not None and not link.usable(now)
        touched = _last_touched(staging, upload.staging_name, upload.created_at)
        if not link_dead and touched is not None and touched >= now - max_age:
            return False
        if link_dead and touched is not None and touched >= now - timedelta(minutes=5):
            return False  # a chunk arrived moments ago: leave it a little
        size = staging.size(upload.staging_name) if touched is not None else 0
        why = ("link expired" if link is not None and link.expires_at <= now else "link used") if link_dead else (
            "finished, never received" if upload.complete else "never finished")
        if not dry_run:
            if touched is not None:
                staging.delete(upload.staging_name)
            upload.delete()
    if not dry_run:
        _forget_hash(upload_id)
    return SweptFile(name=upload.staging_name, size=size, why=why)


def _stray_files(staging, now: datetime, max_age: timedelta) -> Iterator[str]:
    """Staged files that no upload names (an upload refused half-way, a crash), untouched for ``max_age``."""
    try:
        _, names = staging.listdir("")
    except (NotImplementedError, FileNotFoundError):
        return
    for start in range(0, len(names), 500):
        batch = names[start:start + 500]
        known = set(Upload.objects.filter(staging_name__in=batch).values_list("staging_name", flat=True))
        for name in batch:
            if name in known:
                continue
            touched = _last_touched(staging, name, None)
            if touched is not None and touched < now - max_age:
                yield name


def sweep_staging(*, now: datetime | None = None, max_age: timedelta | None = None, dry_run: bool = False,
                  progress=None) -> StagingSweep:
    """Remove the staged files of uploads that were never finished or never received, safely.

    An upload is removed when it is not an exhibit and either its upload link has expired or been
    used (nobody can send or submit through it again) or neither the upload nor its staged file
    has changed for ``max_age`` (default ``EVIDENCE_STAGING_MAX_AGE_HOURS``, 24). Never a file in
    use: each upload is removed under its row lock, taken with SKIP LOCKED, and the chunk writer
    and ``receive_file`` hold that lock while they touch the file; a file touched within the age
    (or, for a dead link, within five minutes) is left. Stray files that no upload names are
    removed once untouched for ``max_age``. ``progress`` wraps the list of candidates (a bar).
    """
    now = now or timezone.now()
    max_age = max_age or staging_max_age()
    result = StagingSweep(removed=[])
    candidates = list(abandoned_uploads(now, max_age).values_list("pk", flat=True))
    for upload_id in progress(candidates) if progress else candidates:
        swept = _sweep_upload(upload_id, now=now, max_age=max_age, dry_run=dry_run)
        if swept is False:
            result.in_use += 1
        elif swept is not None:
            result.removed.append(swept)
    staging = staging_storage()
    for name in list(_stray_files(staging, now, max_age)):
        size = staging.size(name)
        if not dry_run:
            staging.delete(name)
        result.removed.append(SweptFile(name=name, size=size, why="no upload names it"))
    return result


# --- upload links ---------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class IssuedLink:
    link: UploadLink
    token: str
    url: str


def issue_upload_link(
    *,
    actor: Any,
    recipient_name: str,
    channel: str,
    base_url: str,
    crime=None,
    contact=None,
    recipient_email: str = "",
    recipient_phone: str = "",
    purpose: str = UploadLink.Purpose.EVIDENCE,
    days: int | None = None,
    form_token: str | None = None,
) -> IssuedLink:
    """Send a victim or business a single-use link to upload evidence, valid for ``days`` (default 7).

    Only the SHA-256 of the token is stored. The message goes through the notifications outbox
    (template ``upload_link``). A repeated submission with the same ``form_token`` sends nothing twice.
    """
    if crime is None and contact is None:
        raise ValidationError(NO_OWNER)
    recipient_name = (recipient_name or "").strip()
    if not recipient_name:
        raise ValidationError({"recipient_name": "Enter the name of the person or business."})
    if channel not in UploadLink.Channel.values:
        raise ValidationError({"channel": CHANNEL_UNKNOWN})
    to = (recipient_email if channel == UploadLink.Channel.EMAIL else recipient_phone).strip()
    if not to:
        raise ValidationError({"recipient_email" if channel == "email" else "recipient_phone": RECIPIENT_CONTACT})
    days = link_days_default() if days is None else days
    if not 1 <= days <= 28:
        raise ValidationError({"days": EXPIRY_RANGE})
    if form_token:
        existing = UploadLink.objects.filter(form_token=form_token).first()
        if existing is not None:
            # The token itself is not kept, so a repeat cannot show the link again: it was sent already.
            return IssuedLink(link=existing, token="", url="")
    token = secrets.token_urlsafe(32)
    url = f"{base_url.rstrip('/')}/upload/{token}/"
    with transaction.atomic():
        link = UploadLink.objects.create(
            token_hash=hash_token(token), crime=crime, contact=contact, recipient_name=recipient_name[:120],
            recipient_email=recipient_email.strip() if channel == "email" else "",
            recipient_phone=recipient_phone.strip() if channel == "sms" else "", channel=channel, purpose=purpose,
            created_by=actor, expires_at=timezone.now() + timedelta(days=days), form_token=form_token or None,
        )
        owner = crime.reference if crime is not None else contact.reference
        person_id = _owner_person_id(crime=crime, contact=contact)
        record_entry(
            actor=actor, action=Action.DISCLOSURE, subject_type="evidence.uploadlink", subject_id=link.pk,
            person_id=person_id, reason=f"Asking for evidence for {owner}", recipients=[recipient_name],
            detail={"event": "upload-link-sent", "channel": channel, "purpose": purpose, "days": days},
        )
        from notifications.services import queue_message

        try:
            queue_message(
                channel=channel, to=to, template="upload_link",
                personalisation={
                    "name": recipient_name, "reference": owner,
                    "expires": timezone.localtime(link.expires_at).strftime("%-d %B %Y at %H:%M"),
                    "force": getattr(settings, "FORCE_NAME", ""),
                },
                # The outbox keeps the link only until it is sent, and never shows it.
                secret_personalisation={"link": url},
                reference=f"upload-link-{link.pk}", person_id=person_id, actor=actor,
                reason=f"Sending an evidence upload link for {owner}",
            )
        except ValidationError as error:
            # The outbox names its own field ("to"); the sender typed it as the e-mail or the mobile number.
            field = "recipient_email" if channel == "email" else "recipient_phone"
            problems = error.message_dict.get("to") if hasattr(error, "error_dict") else None
            if problems:
                raise ValidationError({field: problems}) from None
            raise
    return IssuedLink(link=link, token=token, url=url)


def link_for_token(token: str) -> UploadLink | None:
    """The usable link a token opens, or None (used, expired or unknown look the same to the public)."""
    if not token or len(token) > 100:
        return None
    link = UploadLink.objects.select_related("crime", "contact").filter(token_hash=hash_token(token)).first()
    if link is None or not link.usable():
        return None
    return link


def submit_through_link(
    *,
    link: UploadLink,
    uploads: list[Upload],
    description: str,
    cctv: CctvDetails | None = None,
    form_token: str | None = None,
) -> list[Exhibit]:
    """The public's submission through a link: each completed upload becomes an exhibit; the link is then spent."""
    with transaction.atomic():
        # Lock the link: two submissions racing (a double click) must not both use it.
        locked = UploadLink.objects.select_for_update().get(pk=link.pk)
        if not locked.usable():
            if form_token and locked.form_token == form_token:
                return list(locked.exhibits.all())
            raise ValidationError(LINK_UNUSABLE)
        if not uploads:
            raise ValidationError({"file": "Choose a file to upload."})
        exhibits = [
            receive_file(
                actor=None, actor_label=f"public:{link.recipient_name}"[:150], description=description,
                produced_by=link.recipient_name, upload=upload, crime=link.crime, contact=link.contact, link=link,
                cctv=cctv,
            )
            for upload in uploads
        ]
        locked.used_at = timezone.now()
        locked.form_token = form_token or None
        locked.save(update_fields=["used_at", "form_token"])
    return exhibits


# --- statements -----------------------------------------------------------------------------------

def _render_pdf(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)


@dataclass
class StatementDetails:
    maker_name: str
    body: str
    signature: str
    declaration_accepted: bool
    maker_age: int | None = None
    maker_occupation: str = ""


def take_statement(*, crime, details: StatementDetails, actor: Any, form_token: str | None = None) -> Statement:
    """Record a written statement with its signed declaration (CJA 1967 s.9) and render it to PDF.

    The PDF, its page count and its SHA-256 are kept; the statement is numbered S1, S2… per crime.
    """
    if form_token:
        existing = Statement.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    name = details.maker_name.strip()
    errors = {}
    if not name:
        errors["maker_name"] = "Enter the name of the person making the statement."
    if not details.body.strip():
        errors["body"] = "Enter the statement."
    if not details.declaration_accepted:
        errors["declaration"] = DECLARATION_REQUIRED
    if name and " ".join(details.signature.split()).casefold() != " ".join(name.split()).casefold():
        errors["signature"] = SIGNATURE_MISMATCH.format(name=name)
    if errors:
        raise ValidationError(errors)
    signed_at = timezone.now()
    with transaction.atomic():
        type(crime).objects.select_for_update().filter(pk=crime.pk).first()
        number = (Statement.objects.filter(crime=crime).order_by("-number").values_list("number", flat=True).first() or 0) + 1
        statement = Statement(
            crime=crime, number=number, maker_name=name, maker_over_18=details.maker_age is None,
            maker_age=details.maker_age, maker_occupation=details.maker_occupation.strip(), body=details.body.strip(),
            signature=details.signature.strip(), signed_at=signed_at, taken_by=actor, form_token=form_token or None,
        )
        # Two passes: the declaration states the page count, which is known only once laid out.
        pdf, pages = _render_pdf(_statement_html(statement, pages=1))
        if pages != 1:
            pdf, pages = _render_pdf(_statement_html(statement, pages=pages))
        statement.pages = pages
        statement.sha256 = hashlib.sha256(pdf).hexdigest()
        statement.pdf.save(f"{crime.reference}-S{number}.pdf", File(io.BytesIO(pdf)), save=False)
        statement.save()
        record_custody(
            event=CustodyEvent.Event.RECEIVED, actor=actor, statement=statement, sha256=statement.sha256, pages=pages
        )
    return statement


def _statement_html(statement: Statement, *, pages: int) -> str:
    return render_to_string(
        "evidence/pdf/statement.html",
        {"statement": statement, "declaration": DECLARATION.format(pages=pages), "crime": statement.crime},
    )


def open_statement(*, statement: Statement, actor: Any) -> IO[bytes]:
    """Open a statement's PDF, logged as a download in its custody. An erased statement is refused."""
    if statement.erased:
        raise ValidationError({"statement": STATEMENT_ERASED.format(
            reference=statement.reference, when=f"{timezone.localtime(statement.erased_at):%-d %B %Y}")})
    record_custody(event=CustodyEvent.Event.DOWNLOADED, actor=actor, statement=statement)
    return default_storage.open(statement.pdf.name, "rb")


# --- evidential package ---------------------------------------------------------------------------

@dataclass
class TimelineEntry:
    at: datetime
    what: str


def _timeline(crime, exhibits: list[Exhibit], statements: list[Statement]) -> list[TimelineEntry]:
    """The case's own timeline (cases.selectors.case_timeline) with the receipt of each item added."""
    from cases.selectors import case_timeline

    entries = [
        TimelineEntry(event.when, f"{event.what}{f' ({event.who})' if event.who else ''}")
        for event in case_timeline(crime)
    ]
    entries += [TimelineEntry(e.received_at, f"Exhibit {e.reference} received from {e.produced_by}") for e in exhibits]
    entries += [TimelineEntry(s.signed_at, f"Statement {s.reference} signed by {s.maker_name}") for s in statements]
    return sorted(entries, key=lambda entry: entry.at)


def produce_evidential_package(
    *, crime, recipient: str, reason: str, actor: Any, form_token: str | None = None
) -> EvidentialPackage:
    """Build the evidential package PDF (summary, index with SHA-256, timeline, statements) for a named recipient.

    Producing it is a disclosure (DPA 2018 s.62(1)(d)) of every item in it: logged with the
    reason and the recipient, and a ``disclosed`` link added to each item's custody.
    """
    if form_token:
        existing = EvidentialPackage.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    recipient, reason = (recipient or "").strip(), (reason or "").strip()
    errors = {}
    if not recipient:
        errors["recipient"] = RECIPIENT_REQUIRED
    if not reason:
        errors["reason"] = REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    # A destroyed exhibit has no file left to disclose.
    exhibits = list(Exhibit.objects.filter(crime=crime, destroyed_at__isnull=True).order_by("received_at", "id"))
    statements = list(Statement.objects.filter(crime=crime, erased_at__isnull=True).order_by("number"))
    if not exhibits and not statements:
        raise ValidationError(NOTHING_TO_DISCLOSE)
    produced_at = timezone.now()
    html = render_to_string(
        "evidence/pdf/package.html",
        {
            "crime": crime, "exhibits": exhibits, "statements": statements, "recipient": recipient,
            "reason": reason, "produced_at": produced_at, "produced_by": actor,
            "timeline": _timeline(crime, exhibits, statements), "force_name": getattr(settings, "FORCE_NAME", ""),
        },
    )
    pdf = _with_statements(_render_pdf(html)[0], statements)
    with transaction.atomic():
        package = EvidentialPackage(
            crime=crime, recipient=recipient[:200], reason=reason, produced_by=actor, produced_at=produced_at,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(), form_token=form_token or None,
        )
        package.pdf.save(f"{crime.reference}-package-{produced_at:%Y%m%d%H%M%S}.pdf", File(io.BytesIO(pdf)), save=False)
        package.save()
        package.exhibits.set(exhibits)
        package.statements.set(statements)
        record_custody(
            event=CustodyEvent.Event.DISCLOSED, actor=actor, package=package, reason=reason, recipients=[recipient],
            exhibits=len(exhibits), statements=len(statements), sha256=package.pdf_sha256,
        )
        for exhibit in exhibits:
            CustodyEvent.objects.create(
                exhibit=exhibit, event=CustodyEvent.Event.DISCLOSED, actor=actor, actor_label=_label(actor),
                reason=reason, recipients=[recipient], detail={"package": package.pk},
            )
        for statement in statements:
            CustodyEvent.objects.create(
                statement=statement, event=CustodyEvent.Event.DISCLOSED, actor=actor, actor_label=_label(actor),
                reason=reason, recipients=[recipient], detail={"package": package.pk},
            )
    return package


def _with_statements(front: bytes, statements: list[Statement]) -> bytes:
    """The package's own pages followed by each statement's signed PDF, page for page.

    The statements go in as the very PDFs whose SHA-256 the index lists, rather than laid out
    again: what the recipient reads is what was signed, and it saves WeasyPrint laying out every
    statement a second time (most of the package's build time).
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)))
    for statement in statements:
        with default_storage.open(statement.pdf.name, "rb") as stored:
            writer.append(PdfReader(io.BytesIO(stored.read())))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Sink:
    """A write-only stream zipfile writes into; what it holds is handed out and dropped as it comes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def package_zip_stream(*, package: EvidentialPackage, actor: Any) -> Iterator[bytes]:
    """Stream a zip of the package's exhibits, statements and PDF with a SHA256SUMS manifest.

    zipfile writes to a stream it cannot seek (data descriptors after each member), so the zip
    is produced a block at a time and never held whole. The manifest is ``sha256sum -c``-ready.
    """
    import zipfile

    record_custody(event=CustodyEvent.Event.DOWNLOADED, actor=actor, package=package, what="zip")
    members: list[tuple[str, str, str]] = []  # (name in zip, storage name, expected sha256)
    members.append((f"{package.crime.reference}-evidential-package.pdf", package.pdf.name, package.pdf_sha256))
    destroyed = []
    for statement in package.statements.order_by("number"):
        if statement.erased:
            destroyed.append(f"{statement.sha256}  statement {statement.reference} erased "
                             f"{statement.erased_at:%Y-%m-%d}\n")
            continue
        members.append((f"statements/{statement.reference}.pdf", statement.pdf.name, statement.sha256))
    for exhibit in package.exhibits.order_by("received_at", "id"):
        if exhibit.destroyed:
            destroyed.append(f"{exhibit.sha256}  {exhibit.reference} destroyed {exhibit.destroyed_at:%Y-%m-%d}\n")
            continue
        safe = exhibit.reference.replace("/", "-")
        members.append((f"exhibits/{safe}{_extension(exhibit.content_type)}", exhibit.file.name, exhibit.sha256))

    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        manifest = []
        for arcname, stored, expected in members:
            with default_storage.open(stored, "rb") as source, archive.open(arcname, "w", force_zip64=True) as target:
                while block := source.read(READ_BLOCK):
                    target.write(block)
                    yield sink.take()
            manifest.append(f"{expected}  {arcname}\n")
            yield sink.take()
        archive.writestr("SHA256SUMS", "".join(manifest))
        if destroyed:
            # Exhibits destroyed since the package was made: their hashes, for the record; no file.
            archive.writestr("DESTROYED", "".join(destroyed))
    yield sink.take()
