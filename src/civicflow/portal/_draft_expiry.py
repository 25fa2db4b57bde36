"""Drafts past their expiry lose what is personal in them (storage limitation, GDPR Art. 5(1)(e)).

A draft saved for later holds the citizen's answers (personal ones sealed under ``draft:<id>``),
their address and the hash of their resume link, for ``DRAFT_DAYS``. After that nobody can resume
it, so keeping the answers would only keep personal data without a purpose. The worker empties
expired drafts every hour the way an erasure does: the answers, the address and the link go, and
the draft's key is shredded (copies in backups stay unreadable); its uploads go with the hourly
sweep of files nobody can reach (``sweep_uploads``). The dates and the service stay:
the KPIs count abandoned drafts (docs/kpis.md). A draft still held for a co-signer whose link is
still valid waits for that request (a pending request past its time cannot be confirmed any more,
even if nobody has opened it to mark it expired), and one under a legal hold is left as it is.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from civicflow.portal.models import CoSignRequest, CoSignState, Draft
from civicflow.security import keys

__all__ = ["expire_drafts"]

log = logging.getLogger(__name__)
_BATCH = 500


def expire_drafts(now: datetime | None = None) -> int:
    """Empty the drafts that expired before ``now`` (a worker step, hourly); how many were emptied."""
    now = now or timezone.now()
    waiting = CoSignRequest.objects.filter(state=CoSignState.PENDING, expires__gt=now)
    expired = (
        Draft.objects.filter(expires__lt=now)
        .exclude(email_index="", token_hash="", data={})
        # a co-signer may still confirm while their link is valid (a resent link outlives the draft);
        # no NULL in the list: NOT IN (..., NULL) would exclude every draft
        .exclude(pk__in=waiting.filter(draft__isnull=False).values("draft_id"))
        .order_by("expires")
        .values_list("pk", flat=True)[:_BATCH]
    )
    emptied = 0
    for pk in list(expired):
        try:
            with transaction.atomic():
                keys.shred(f"draft:{pk}")
                emptied += Draft.objects.filter(pk=pk).update(
                    data={},
                    email_sealed="",
                    email_index="",
                    token_hash="",  # a hash emptied  # nosec B106
                )
        except keys.LegalHoldError:
            log.info("draft %s expired but is under a legal hold: kept", pk)
    return emptied
