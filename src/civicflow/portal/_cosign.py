"""Co-signing: an application held until a second person confirms it (docs/portal.md, "Co-signing").

A service asks for a co-signer with a start-form field whose custom property says
``"civicflow:coSigner": "email"``. When the citizen sends an application with an address there,
no case is started: the answers wait in a :class:`Draft` (personal ones sealed), a
:class:`CoSignRequest` holds the co-signer's sealed address and the hash of a single-use link,
and the link is mailed to the co-signer. Confirming starts the case exactly as a normal
submission would (:func:`civicflow.portal.views.start_application`); declining tells the
applicant, whose answers come back with a link to change them and send again.

The invitation and the decline notice carry secret links, so they are sent at once and never
stored in the mail queue (whose bodies are kept in clear); the notices without a link are queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from civicflow.forms import Form, validate
from civicflow.portal import _notify, _secrets
from civicflow.portal._guides import Guide
from civicflow.portal._personal import open_answers, seal_answers
from civicflow.portal._uploads import described
from civicflow.portal.models import Application, CitizenAccount, CoSignRequest, CoSignState, Document, Draft
from civicflow.portal.views import start_application
from civicflow.security import addresses, audit, keys
from civicflow.web.mail import queue_mail

__all__ = [
    "CO_SIGNER_PROPERTY",
    "HOLD_DAYS",
    "MAX_INVITATIONS",
    "CoSignError",
    "co_signer_field",
    "confirm",
    "decline",
    "expire_if_due",
    "hold",
    "mask",
    "resend",
    "same_person",
    "withdraw",
]

CO_SIGNER_PROPERTY = "civicflow:coSigner"
HOLD_DAYS = 14
DRAFT_DAYS = 30  # the held answers outlive the link: a decline or an expiry still lets the applicant send again
MAX_INVITATIONS = 3  # the first and two more: a link cannot be used to mail someone again and again
logger = logging.getLogger(__name__)


class CoSignError(Exception):
    """A co-signing step refused: ``status`` for the page, ``message`` for the citizen."""

    def __init__(self, *, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def co_signer_field(form: Form) -> str | None:
    """The key of the start form's co-signer address field (``civicflow:coSigner`` = ``email``), if any."""
    for component in form.walk():
        if (component.property(CO_SIGNER_PROPERTY) or "").strip().lower() == "email" and component.key:
            return component.key
    return None


def mask(address: str | None) -> str:
    """An address as shown back: ``j***@example.org`` (enough to recognise it, not to learn it)."""
    if not address or "@" not in address:
        return "***"
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def applicant_address(guide: Guide, account: CitizenAccount | None, answers: dict[str, Any]) -> str:
    """Where the applicant hears back: a signed-in citizen's verified address, else the form's."""
    if account is not None:
        return account.email or ""
    return str(answers.get(_notify.email_variable(guide.applicant_variable)) or "").strip()


def hold(
    guide: Guide,
    answers: dict[str, Any],
    documents: list[Document],
    *,
    co_signer: str,
    account: CitizenAccount | None,
    language: str,
    link: Callable[[str], str],
) -> tuple[CoSignRequest, str]:
    """Hold the application for ``co_signer`` and mail them the link; the request and the status secret.

    ``link``: builds the absolute link from a path (the request's ``build_absolute_uri``).
    Raises :class:`CoSignError` (nothing kept) when the mail server refuses.
    """
    now = timezone.now()
    secret = _secrets.new_secret()
    with transaction.atomic():
        draft = Draft(
            service=guide.service.id,
            token_hash=_secrets.digest(_secrets.new_token()),  # no resume link until one is mailed
            language=language,
            created=now,
            expires=now + timedelta(days=DRAFT_DAYS),
        )
        draft.data = seal_answers(guide.service, str(draft.id), answers)
        draft.set_email(applicant_address(guide, account, answers))
        draft.save(force_insert=True)
        Document.objects.filter(pk__in=[d.pk for d in documents]).update(draft=draft)
        row = CoSignRequest(
            service=guide.service.id,
            draft=draft,
            account=account,
            token_hash="",
            secret_hash=_secrets.digest(secret),
            language=language,
            created=now,
            expires=now + timedelta(days=HOLD_DAYS),
        )
        row.set_co_signer(co_signer)
        token = _new_link(row, now)
        row.save(force_insert=True)
        details = {"service": guide.service.id, "co_signer": row.co_signer_index}
        audit.record(actor=_actor(account), action="CoSignRequested", obj=("co-sign", str(row.id)), details=details)
        _invite(row, guide, answers, link(reverse("portal:co-sign", args=[row.id, token])))
    return row, secret


def _new_link(row: CoSignRequest, now: datetime) -> str:
    token = _secrets.new_token()
    row.token_hash = _secrets.digest(token)
    row.invitations += 1
    row.last_sent = now
    row.expires = now + timedelta(days=HOLD_DAYS)
    return token


def _actor(account: CitizenAccount | None) -> str:
    return f"citizen:{account.pk}" if account is not None else "citizen:anonymous"


def _invite(row: CoSignRequest, guide: Guide, answers: dict[str, Any], url: str) -> None:
    """Mail the co-signer their link (in the applicant's language); CoSignError when refused."""
    address = row.co_signer
    if not address:
        raise CoSignError(status=410, message=gettext("This request can no longer be sent."))
    name = str(answers.get(guide.applicant_variable.removesuffix("Id") + "Name") or "").strip()
    context = {"name": name, "link": url, "days": HOLD_DAYS, "expires": row.expires}
    subject = gettext_noop("Please confirm an application: %(service)s")
    if not _mail_link(address, guide, row.language, subject=subject, template="cosign_invitation", context=context):
        message = gettext("We could not send the email just now. Try again later.")
        raise CoSignError(status=503, message=message)


def _mail_link(
    address: str, guide: Guide, language: str, *, subject: str, template: str, context: dict[str, Any]
) -> bool:
    """Send a mail with a secret link now, in ``language`` (never queued: the queue keeps bodies in clear).

    ``subject`` is an untranslated msgid with ``%(service)s``; False when the mail server refuses.
    """
    with translation.override(language):
        service = guide.service.title.get(language)
        body = render_to_string(f"portal/email/{template}.txt", {**context, "service": service})
        title = gettext(subject) % {"service": service}
    try:
        send_mail(title, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError:  # smtplib's errors are OSErrors, as is a refused connection
        logger.warning("co-sign mail not sent", exc_info=True, extra={"template": template})
        return False
    return True


def expire_if_due(row: CoSignRequest, now: datetime | None = None) -> CoSignRequest:
    """Mark a pending request whose link ran out as expired (read lazily: no sweep needed)."""
    now = now or timezone.now()
    if row.state == CoSignState.PENDING and row.expires <= now:
        CoSignRequest.objects.filter(pk=row.pk, state=CoSignState.PENDING).update(state=CoSignState.EXPIRED)
        row.state = CoSignState.EXPIRED
    return row


def resend(row: CoSignRequest, guide: Guide, *, link: Callable[[str], str]) -> None:
    """A new link to the co-signer (the old one stops working) and 14 more days; limited per request."""
    now = timezone.now()
    if row.state not in (CoSignState.PENDING, CoSignState.EXPIRED) or row.draft is None:
        raise CoSignError(status=409, message=gettext("This request is no longer waiting for a confirmation."))
    if row.invitations >= MAX_INVITATIONS:
        raise CoSignError(
            status=429,
            message=gettext("You sent this request %(count)d times. Change your application and send it again.")
            % {"count": row.invitations},
        )
    with transaction.atomic():
        token = _new_link(row, now)
        row.state = CoSignState.PENDING
        row.save(update_fields=["token_hash", "invitations", "last_sent", "expires", "state"])
        audit.record(
            actor=_actor(row.account),
            action="CoSignResent",
            obj=("co-sign", str(row.id)),
            details={"invitations": row.invitations},
        )
        _invite(row, guide, open_answers(row.draft.data), link(reverse("portal:co-sign", args=[row.id, token])))


def withdraw(row: CoSignRequest) -> dict[str, Any]:
    """The applicant takes the application back to change it: the answers, the request cancelled.

    The draft stays (its documents go back to the applicant's session); the caller restores it.
    """
    if row.state in (CoSignState.CONFIRMED, CoSignState.CANCELLED) or row.draft is None:
        raise CoSignError(status=409, message=gettext("This request can no longer be changed."))
    with transaction.atomic():
        if row.state in (CoSignState.PENDING, CoSignState.EXPIRED):
            CoSignRequest.objects.filter(pk=row.pk).update(state=CoSignState.CANCELLED, decided_at=timezone.now())
            audit.record(actor=_actor(row.account), action="CoSignCancelled", obj=("co-sign", str(row.id)), details={})
        answers: dict[str, Any] = open_answers(row.draft.data)
    return answers


def _spend(row: CoSignRequest, token: str, state: CoSignState, now: datetime) -> bool:
    """Move a pending request to ``state`` with its token, once (two tabs racing decide once)."""
    return bool(
        CoSignRequest.objects.filter(
            pk=row.pk, token_hash=_secrets.digest(token), state=CoSignState.PENDING, expires__gt=now
        ).update(state=state, decided_at=now)
    )


def confirm(
    row: CoSignRequest, token: str, guide: Guide, form: Form, *, co_signer_account: CitizenAccount | None
) -> Application:
    """The co-signer confirms: the application is submitted as a normal one, with the co-signature recorded."""
    now = timezone.now()
    draft = row.draft
    if draft is None:
        raise CoSignError(status=410, message=gettext("This link has already been used or has expired."))
    answers = open_answers(draft.data)
    documents = list(Document.objects.filter(draft=draft, application__isnull=True).order_by("created", "id"))
    files: dict[str, list[Any]] = {}
    for document in documents:
        files.setdefault(document.field, []).append(document)
    result = validate(form, answers, files={k: described(v) for k, v in files.items()}, language=row.language)
    if result.errors:  # the form changed since the applicant sent it: they must check it again
        message = gettext("The form changed since the application was sent: the applicant must check it again.")
        raise CoSignError(status=409, message=message)
    with transaction.atomic():
        if not _spend(row, token, CoSignState.CONFIRMED, now):
            raise CoSignError(status=410, message=gettext("This link has already been used or has expired."))
        signer = f"citizen:{co_signer_account.pk}" if co_signer_account is not None else "email"
        co_signature = {"coSignedAt": now.isoformat(), "coSignedBy": signer, "coSignRequest": str(row.id)}
        application = start_application(
            guide,
            dict(result.values),
            language=row.language,
            account=row.account,
            secret_hash=row.secret_hash,
            variables=co_signature,
        )
        Document.objects.filter(pk__in=[d.pk for d in documents]).update(
            application=application, uploader_hash="", draft=None
        )
        CoSignRequest.objects.filter(pk=row.pk).update(
            reference=application.reference, co_signer_account=co_signer_account, draft=None
        )
        draft.delete()
        keys.shred(f"draft:{draft.id}")  # the answers now live (sealed) with the case
        details = {"request": str(row.id), "co_signer": row.co_signer_index, "by": signer, "at": now.isoformat()}
        audit.record(
            actor=signer if co_signer_account is not None else f"co-signer:{row.co_signer_index[:16]}",
            action="CoSignConfirmed",
            obj=("application", application.reference),
            details=details,
        )
        _queue_confirmed(row, guide, application)
        _record_party(co_signer_account, application, now)
    return application


def _queue_confirmed(row: CoSignRequest, guide: Guide, application: Application) -> None:
    """The co-signer's own receipt: what they confirmed and its reference (no link: nothing secret in it)."""
    address = row.co_signer
    if not address:
        return
    with translation.override(row.language):
        service = guide.service.title.get(row.language)
        subject = gettext("You confirmed the application %(reference)s") % {"reference": application.reference}
        body = render_to_string(
            "portal/email/cosign_confirmed.txt", {"service": service, "reference": application.reference}
        )
    queue_mail(
        key=f"portal:{application.reference}:co-signed",
        to=address,
        owner=row.subject,
        subject=subject,
        body=body,
        language=row.language,
        now=timezone.now(),
    )


def _record_party(account: CitizenAccount | None, application: Application, now: datetime) -> None:
    """The co-signer's party record gets the case (role ``co-signer``) when they were signed in with one."""
    if account is None:
        return
    # imported here: the parties service lands separately (issue #13, P1), and a guest confirm never needs it
    from civicflow.parties import party_for_account, record_case

    party = party_for_account(account.pk)
    if party is not None:
        record_case(
            party,
            instance_id=application.instance_id,
            service=application.service,
            reference=application.reference,
            role="co-signer",
            now=now,
        )


def decline(row: CoSignRequest, token: str, guide: Guide, *, link: Callable[[str], str]) -> None:
    """The co-signer declines: the applicant is told by email, with a link to change the answers and send again."""
    now = timezone.now()
    draft = row.draft
    with transaction.atomic():
        if draft is None or not _spend(row, token, CoSignState.DECLINED, now):
            raise CoSignError(status=410, message=gettext("This link has already been used or has expired."))
        resume = _secrets.new_token()
        Draft.objects.filter(pk=draft.pk).update(
            token_hash=_secrets.digest(resume), expires=now + timedelta(days=DRAFT_DAYS)
        )
        audit.record(
            actor=f"co-signer:{row.co_signer_index[:16]}",
            action="CoSignDeclined",
            obj=("co-sign", str(row.id)),
            details={"service": row.service, "co_signer": row.co_signer_index},
        )
    address = draft.email
    if address:  # a refused mail leaves the decline standing: the waiting page shows it too
        context = {
            "co_signer": mask(row.co_signer),
            "link": link(reverse("portal:resume", kwargs={"draft_id": draft.pk, "token": resume})),
            "days": DRAFT_DAYS,
        }
        subject = gettext_noop("Your application was not confirmed: %(service)s")
        _mail_link(address, guide, row.language, subject=subject, template="cosign_declined", context=context)


def same_person(guide: Guide, account: CitizenAccount | None, answers: dict[str, Any], co_signer: str) -> bool:
    """Whether the co-signer's address is the applicant's own (a co-signature must come from someone else)."""
    return addresses.index(co_signer) == addresses.index(applicant_address(guide, account, answers))
