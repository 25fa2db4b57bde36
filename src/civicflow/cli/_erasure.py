"""Erasure of a data subject (GDPR Art. 17) by crypto-shredding, within the exceptions of Art. 17(3).

It lives in the cli layer because it reads the portal (applications, accounts, drafts), the runtime
(when a case ended, at which end event) and the security layer (keys, audit), and none of those may
import the others. ``civicflow gdpr erase`` and the retention step (``_retention_step``) call it.

What erasure does (docs/security.md, "Erasure and retention"): every key the subject's values are
sealed under is shredded, so those values cannot be decrypted anywhere (backups too); what cannot be
sealed is removed or emptied (the account with its email address, sign-in links, drafts' answers,
uploaded files, issued documents, satisfaction comments, queued mail); the anonymous facts stay
(history events, durations, KPI read models, satisfaction scores, drafts' dates), so statistics and
KPIs are the same before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from civicflow.errors import CivicFlowError

if TYPE_CHECKING:
    from civicflow.portal.models import Application

__all__ = [
    "Blocker",
    "ErasureError",
    "Removed",
    "Subject",
    "blockers",
    "case_hold_identities",
    "case_identities",
    "erasable_from",
    "erase_subject",
    "find_subject",
    "neutralise_cases",
    "shred_all",
]

_COMPLETIONS = ("ElementCompleted", "ElementPassed")
_REASON_MAX = 200


class ErasureError(CivicFlowError):
    """The subject is unknown, or named in a form that is neither an email address nor an account id."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """A data subject as the portal knows them, and every identity their values may be sealed under."""

    email: str
    account_id: int | None
    applications: tuple[Application, ...]
    draft_ids: tuple[str, ...]
    party_ids: tuple[str, ...] = ()  # their parties (civicflow.parties, see cli._gdpr_parties)
    co_sign_ids: tuple[str, ...] = ()  # co-signing requests that asked them to co-sign (their address)

    @property
    def identities(self) -> tuple[str, ...]:
        """The identities their values are sealed under: the account's citizen id, each applicant id,
        each saved draft's own (``draft:<id>``, see ``portal._personal``) and each party's (``party:<id>``)."""
        found = [f"citizen:{self.account_id}"] if self.account_id is not None else []
        for application in self.applications:
            found += case_identities(application)
        found += [f"draft:{draft_id}" for draft_id in self.draft_ids]
        found += [f"party:{party_id}" for party_id in self.party_ids]
        return tuple(dict.fromkeys(found))

    @property
    def holds_data(self) -> bool:
        """Whether anything is held about them: an account, an application, a draft, a party, or their
        address as someone's co-signer."""
        return bool(
            self.account_id is not None or self.applications or self.draft_ids or self.party_ids or self.co_sign_ids
        )

    @property
    def hold_identities(self) -> tuple[str, ...]:
        """Where a legal hold is set and looked for: the identities and the address itself, so a hold on
        someone with only a draft, or on applications made after the hold, is still found. The address
        is never shredded: the same person may come back as a new applicant."""
        return (*self.identities, self.identity)

    @property
    def identity(self) -> str:
        """The one identity the subject's audit entries name (as its keyed hash)."""
        if self.email:
            return f"email:{self.email}"
        if self.account_id is None and self.party_ids:  # a party without an account or an address
            return f"party:{self.party_ids[0]}"
        return f"citizen:{self.account_id}"

    @property
    def references(self) -> list[str]:
        return [application.reference for application in self.applications]


@dataclass(frozen=True, slots=True, kw_only=True)
class Blocker:
    """Why a subject or case may not be erased now (Art. 17(3)); ``until`` is when it may, if known."""

    reference: str | None
    reason: str  # "legal_hold" | "open" | "kept_permanently" | "retention"
    message: str
    until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        until = None if self.until is None else self.until.date().isoformat()
        return {"case": self.reference, "reason": self.reason, "erasable_from": until, "message": self.message}


@dataclass(slots=True)
class Removed:
    """What an erasure removed or emptied, by kind (the figures of the report and the audit entry)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        if count:
            self.counts[kind] = self.counts.get(kind, 0) + count


def case_identities(application: Application) -> list[str]:
    """The identities an application's values are sealed under: its applicant id (citizen or guest)."""
    found = [f"guest:{application.reference}"]
    if application.account_id is not None:
        found.insert(0, f"citizen:{application.account_id}")
    return found


def case_hold_identities(application: Application) -> list[str]:
    """Where a legal hold on the application's subject may be set: its identities and the addresses."""
    addresses = {application.email.lower()} if application.email else set()
    account_address = application.account.email if application.account is not None else None
    if account_address:
        addresses.add(account_address)
    return [*case_identities(application), *(f"email:{address}" for address in sorted(addresses))]


def find_subject(text: str) -> Subject:
    """The subject named by an email address (any case), a portal account id or a party (``party:<id>``,
    ``national-id:<number>``, ``company-number:<number>``)."""
    from django.db.models import Q

    from civicflow.cli._gdpr_parties import SCHEMES, named_party, subject_parties
    from civicflow.portal.models import Application, CitizenAccount, CoSignRequest, Draft
    from civicflow.security.addresses import index

    key = text.strip()
    party = None
    if key.startswith(SCHEMES):
        try:
            party = named_party(key)
        except ValueError:
            raise ErasureError(f"{key.partition(':')[0]}: needs a party id (a UUID)") from None
        if party is None:
            raise ErasureError(f"no party {key}")
        account = None if party.account_id is None else CitizenAccount.objects.filter(pk=party.account_id).first()
        email = (account.email if account is not None else None) or party.email or ""
    elif key.isdigit():
        account = CitizenAccount.objects.filter(pk=int(key)).first()
        if account is None:
            raise ErasureError(f"no citizen account {key}")
        email = account.email or ""  # an eID account may have no address
    elif "@" in key and len(key) <= 254:
        email = key.lower()
        account = CitizenAccount.objects.filter(email_index=index(email)).first()
    else:
        raise ErasureError(
            "SUBJECT must be a citizen's email address, account id, party:<id>, national-id:<n> or company-number:<n>"
        )
    # addresses are sealed: rows are found by their blind index (civicflow.security.addresses)
    mine = Q(account=account) if account is not None else Q(pk__in=[])
    drafts: tuple[str, ...] = ()
    co_signs: tuple[str, ...] = ()
    if email:  # never match the rows whose address is empty
        found = index(email)
        mine |= Q(email_index=found)
        drafts = tuple(str(pk) for pk in Draft.objects.filter(email_index=found).values_list("pk", flat=True))
        asked = CoSignRequest.objects.filter(co_signer_index=found).order_by("created")
        co_signs = tuple(str(pk) for pk in asked.values_list("pk", flat=True))
    applications = tuple(Application.objects.filter(mine).order_by("created", "reference"))
    account_id = None if account is None else account.pk
    return Subject(
        email=email,
        account_id=account_id,
        applications=applications,
        draft_ids=drafts,
        party_ids=subject_parties(account_id=account_id, email=email, named=party),
        co_sign_ids=co_signs,
    )


def case_end(application: Application) -> tuple[bool, datetime | None]:
    """(ended, when) of an application's case; (True, None) when the runtime no longer holds it.

    History cleanup removes instances long ended (the operator's own retention of runtime history),
    so a case the runtime has forgotten counts as ended at an unknown time.
    """
    from civicflow.runtime.models import KpiCase, ProcessInstance

    row = ProcessInstance.objects.filter(pk=application.instance_id).values_list("status", "ended").first()
    if row is not None:
        return row[0] != "active", row[1]
    ended = KpiCase.objects.filter(instance_id=application.instance_id).values_list("ended", flat=True).first()
    return True, ended


def _kept_permanently(application: Application, kept_at: Sequence[str]) -> bool:
    from civicflow.runtime.models import HistoryEvent

    if not kept_at:
        return False
    return HistoryEvent.objects.filter(
        instance_id=application.instance_id, type__in=_COMPLETIONS, element_id__in=kept_at
    ).exists()


def erasable_from(application: Application) -> Blocker | datetime | None:
    """When the case may be erased under its service's retention schedule: a date, None for "now", or why not.

    A case still running is not erased (Art. 17(3)(b): the public task it serves is not done).
    """
    from civicflow.services import service

    ended, at = case_end(application)
    ref = application.reference
    if not ended:
        message = f"case {ref} is still open: it can be erased once it has ended and its retention period is over"
        return Blocker(reference=ref, reason="open", message=message)
    try:
        retention = service(application.service).retention
    except KeyError:
        retention = None
    if retention is None:
        return None
    if _kept_permanently(application, retention.kept_at):
        message = f"case {ref} is kept permanently ({retention.legal_basis.en})"
        return Blocker(reference=ref, reason="kept_permanently", message=message)
    return None if at is None else at + timedelta(days=retention.after_days)


def blockers(subject: Subject, now: datetime) -> list[Blocker]:
    """Everything that stops erasing the subject now: a legal hold, open cases, cases inside retention."""
    from civicflow.cli._gdpr_parties import open_cases
    from civicflow.security import keys

    found: list[Blocker] = []
    if any(keys.on_hold(identity) for identity in subject.hold_identities):
        message = "the subject's data is under a legal hold (GDPR Art. 17(3)): lift it with `civicflow gdpr hold --off`"
        found.append(Blocker(reference=None, reason="legal_hold", message=message))
    known = {application.instance_id for application in subject.applications}
    for case in open_cases(subject.party_ids, known):
        message = f"case {case} is still open: it can be erased once it has ended and its retention period is over"
        found.append(Blocker(reference=case, reason="open", message=message))
    for application in subject.applications:
        when = erasable_from(application)
        if isinstance(when, Blocker):
            found.append(when)
        elif when is not None and when > now:
            message = (
                f"case {application.reference} must be kept under its service's retention schedule: "
                f"it can be erased from {when.date().isoformat()}"
            )
            found.append(Blocker(reference=application.reference, reason="retention", until=when, message=message))
    return found


def _delete_files_after_commit(names: list[str]) -> None:
    """Uploaded bytes go once the rows are gone for good (a rolled-back erasure keeps both)."""
    from django.db import transaction

    from civicflow.web.attachments import document_storage

    def delete() -> None:
        storage = document_storage()
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def neutralise_cases(applications: Sequence[Application], *, delete_rows: bool, removed: Removed) -> None:
    """Remove what cannot be sealed from these applications (call inside a transaction).

    Uploaded files and issued documents are deleted, satisfaction comments emptied (the score stays:
    it is an anonymous fact the KPIs count), the notice address cleared. ``delete_rows`` deletes the
    application rows too (retention "erase"); otherwise they stay with their reference, service and
    case, so the case still counts as submitted online and its status page says "erased".
    """
    from civicflow.portal.models import Application, Document, IssuedDocument, SatisfactionResponse

    ids = [application.pk for application in applications]
    refs = [application.reference for application in applications]
    documents = Document.objects.filter(application_id__in=ids)
    names = list(documents.values_list("storage_name", flat=True))
    removed.add("uploaded_files", documents.delete()[0])
    _delete_files_after_commit(names)
    removed.add("issued_documents", IssuedDocument.objects.filter(reference__in=refs).delete()[0])
    emptied = SatisfactionResponse.objects.filter(reference__in=refs).exclude(comment="").update(comment="")
    removed.add("satisfaction_comments", emptied)
    if delete_rows:
        removed.add("applications", Application.objects.filter(pk__in=ids).delete()[0])
    else:
        cleared = (
            Application.objects.filter(pk__in=ids)
            .exclude(email_index="")
            .update(email_sealed="", email_index="", watching=False)
        )
        removed.add("notice_addresses", cleared)


def _neutralise_subject(subject: Subject, removed: Removed) -> None:
    """The subject's own rows: account, sign-in links, drafts' answers and files, queued mail."""
    from civicflow.cli._gdpr_parties import erase_parties
    from civicflow.portal.models import CitizenAccount, Document, Draft, SignInToken
    from civicflow.security.addresses import index
    from civicflow.web.models import QueuedMail

    drafts = Draft.objects.filter(pk__in=subject.draft_ids)
    documents = Document.objects.filter(draft__in=drafts)
    names = list(documents.values_list("storage_name", flat=True))
    removed.add("uploaded_files", documents.delete()[0])
    _delete_files_after_commit(names)
    # a draft's dates stay (the KPIs count abandoned drafts); its answers, address and link go
    emptied = drafts.exclude(email_index="").update(
        data={},
        email_sealed="",
        email_index="",
        token_hash="",  # a hash emptied  # nosec B106
    )
    removed.add("drafts", emptied)
    if subject.email:
        found = index(subject.email)
        links = SignInToken.objects.filter(email_index=found)
        shred_all(f"sign-in:{digest}" for digest in links.values_list("token_hash", flat=True))
        removed.add("sign_in_links", links.delete()[0])
        removed.add("queued_mail", QueuedMail.objects.filter(to_index=found).delete()[0])
    if subject.account_id is not None:
        removed.add("accounts", CitizenAccount.objects.filter(pk=subject.account_id).delete()[0])
    removed.add("parties", erase_parties(subject.party_ids))
    _forget_co_signs(subject, removed)


def _forget_co_signs(subject: Subject, removed: Removed) -> None:
    """Co-signing (docs/portal.md): a request held on the subject's answers stops (they are emptied
    above), and the subject's address as someone's co-signer goes with its key."""
    from civicflow.portal.models import CoSignRequest, CoSignState
    from civicflow.security.addresses import index

    pending = (CoSignState.PENDING, CoSignState.EXPIRED)
    held = CoSignRequest.objects.filter(draft_id__in=subject.draft_ids, state__in=pending)
    removed.add("co_sign_requests", held.update(state=CoSignState.CANCELLED))
    if subject.email:
        asked = CoSignRequest.objects.filter(co_signer_index=index(subject.email))
        shred_all(f"cosign:{pk}" for pk in asked.values_list("pk", flat=True))
        asked.filter(state__in=pending).update(state=CoSignState.CANCELLED)
        removed.add("co_signer_addresses", asked.update(co_signer_sealed="", co_signer_index=""))


def shred_all(identities: Iterable[str]) -> int:
    """Shred every key (those never made get a shredded row); how many changed. A legal hold raises."""
    from civicflow.security import keys

    return sum(keys.shred(identity) for identity in identities)


def erase_subject(subject: Subject, *, reason: str, actor: str) -> dict[str, int]:
    """Erase the subject in one transaction (the caller checked :func:`blockers`); what went, by kind.

    Idempotent: a second run shreds nothing new and finds nothing left to remove.
    """
    from django.db import transaction

    from civicflow.security import audit, keys

    removed = Removed()
    with transaction.atomic():
        removed.add("keys_shredded", shred_all(subject.identities))
        neutralise_cases(subject.applications, delete_rows=False, removed=removed)
        _neutralise_subject(subject, removed)
        details: dict[str, Any] = {"applications": subject.references, "removed": dict(removed.counts)}
        if reason:
            details["reason"] = reason[:_REASON_MAX]
        subject_obj = ("subject", keys.reference(subject.identity))
        audit.record(actor=actor, action="SubjectErased", obj=subject_obj, details=details)
    return dict(removed.counts)
