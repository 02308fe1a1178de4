from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    """The operations DPA 2018 Part 3 s.62 requires to be logged."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"


class SealingManager(models.Manager):
    """Reads of the log that first chain whatever is waiting in the staging table.

    Entries are written to ``StagedEntry`` in the caller's transaction and chained moments
    later (see ``audit.services.seal_pending``). Reading through this manager seals first,
    so a reader always sees every entry committed before it looked, in the chain.
    """

    def get_queryset(self) -> models.QuerySet:
        from .services import seal_pending

        seal_pending()
        return super().get_queryset()


class AuditEntry(models.Model):
    """One logged operation on personal data. Append-only and hash-chained (see ``audit.chain``).

    Rows are never updated or deleted: on PostgreSQL a trigger refuses it, and
    ``verify_audit`` detects it anywhere. ``detail`` holds metadata (which fields
    changed, counts, merge partners), never the personal data itself, so that an
    erasure leaves nothing of the erased content in the log.
    """

    seq = models.BigIntegerField(unique=True, help_text="Position in the chain: 1, 2, 3… with no gaps.")
    occurred_at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # No database constraint: deleting or renaming a user must never touch the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="Who, as they were known at the time.")
    subject_type = models.CharField(max_length=60, help_text="Which kind of record, e.g. people.person.")
    subject_id = models.CharField(max_length=64)
    person_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="Whose personal data.")
    reason = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="web")
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    # Exactly what is chained now, without sealing first: for verification and the sealer itself.
    chained = models.Manager()
    objects = SealingManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["actor", "occurred_at"]),
            # The DPO searches by username; a deleted or renamed user is found only by this label.
            models.Index(fields=["actor_label"], name="audit_entry_actor_label_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id} by {self.actor_label}"


class StagedEntry(models.Model):
    """An audit entry written by its transaction and waiting to be chained.

    Writers insert here, in their own transaction, and take no lock, so concurrent requests do
    not queue behind one another's commits. ``audit.services.seal_pending`` moves committed
    rows into the chain in batches under the chain-head lock and deletes them in the same
    transaction. On PostgreSQL a trigger refuses UPDATE, and DELETE outside the sealer.
    """

    occurred_at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    person_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="web")
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "staged audit entries"

    def __str__(self) -> str:
        return f"staged {self.action} {self.subject_type}:{self.subject_id} by {self.actor_label}"


class ChainHead(models.Model):
    """The single row that writers lock to append to the chain in order (id is always 1)."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain head at entry {self.seq}"


class VerificationRun(models.Model):
    """The result of each ``verify_audit`` run, shown to the data protection officer."""

    finished_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    checked = models.BigIntegerField()
    first_bad_seq = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        outcome = "intact" if self.ok else f"broken at entry {self.first_bad_seq}"
        return f"verification of {self.checked} entries: {outcome}"
