"""Co-signing pages: the applicant's "waiting for the co-signer" page and the co-signer's confirm page.

The applicant's page belongs to the session that sent the application (404 for any other). The
co-signer's page is reached with the emailed link: GET shows the application and two buttons,
only a POST decides, so a mail scanner that fetches links neither confirms nor spends anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from civicflow.forms import FieldView, Form, render_model
from civicflow.portal import _accounts, _cosign, _notify, _secrets, _uploads
from civicflow.portal._files import file_rows
from civicflow.portal._forms import AnswerRow, start_form
from civicflow.portal._guides import GUIDES, Guide
from civicflow.portal._personal import open_answers
from civicflow.portal.models import CoSignRequest, CoSignState, Document, Draft
from civicflow.portal.views import _CONFIRMED, _card, _data_key, _grant, _language

__all__ = ["co_sign", "send_for_co_signing", "waiting"]

_HELD = "portal:co-sign"  # the co-sign requests this session sent
_SECRETS = "portal:co-sign:secrets"  # {request id: status secret}, shown until the case starts


def send_for_co_signing(
    request: HttpRequest, guide: Guide, form: Form, answers: dict[str, Any], co_signer: str
) -> HttpResponse | str:
    """Hold the checked answers for ``co_signer``: the waiting page, or an error for the check page."""
    account = _accounts.citizen(request)
    if _cosign.same_person(guide, account, answers, co_signer):
        return gettext("The person who confirms must be someone else: enter their email address, not yours.")
    files = _uploads.ids_by_field(request.session.get(_uploads.files_key(guide.service.id)))
    documents = _uploads.owned(request, [i for ids in files.values() for i in ids])
    try:
        row, secret = _cosign.hold(
            guide,
            answers,
            documents,
            co_signer=co_signer,
            account=account,
            language=_language(),
            link=request.build_absolute_uri,
        )
    except _cosign.CoSignError as error:
        return error.message
    request.session.pop(_data_key(guide.service.id), None)
    request.session.pop(_uploads.files_key(guide.service.id), None)
    earlier = request.session.pop(f"portal:{guide.service.id}:draft", None)
    if earlier:  # the draft this session resumed (saved, or sent back after a decline)
        Draft.objects.filter(pk=earlier).delete()
    held = [i for i in request.session.get(_HELD, []) if i != str(row.id)][-19:]
    request.session[_HELD] = [*held, str(row.id)]
    request.session[_SECRETS] = {**request.session.get(_SECRETS, {}), str(row.id): secret}
    return redirect("portal:co-sign-waiting", request_id=row.id)


def _held(request: HttpRequest, request_id: uuid.UUID) -> tuple[CoSignRequest, Guide]:
    if str(request_id) not in request.session.get(_HELD, []):
        raise Http404
    row = CoSignRequest.objects.select_related("draft").filter(pk=request_id).first()
    if row is None or row.service not in GUIDES:
        raise Http404
    return _cosign.expire_if_due(row), GUIDES[row.service]


@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The applicant's page while the co-signer decides: send the link again, or take it back to change it."""
    row, guide = _held(request, request_id)
    error = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "resend":
                _cosign.resend(row, guide, link=request.build_absolute_uri)
                return redirect(reverse("portal:co-sign-waiting", args=[row.id]) + "?sent=1")
            if action == "change":
                answers = _cosign.withdraw(row)
                assert row.draft is not None  # withdraw refuses a request without its answers
                request.session[_data_key(row.service)] = answers
                request.session[_uploads.files_key(row.service)] = _uploads.restore_from_draft(request, row.draft)
                request.session[f"portal:{row.service}:draft"] = str(row.draft.pk)
                return redirect("portal:check", service_id=row.service)
        except _cosign.CoSignError as refused:
            error, status = refused.message, refused.status
        row.refresh_from_db()
    secret = request.session.get(_SECRETS, {}).get(str(row.id))
    if row.state == CoSignState.CONFIRMED and row.reference:
        _grant(request, row.reference)
        if secret:  # the confirmation page shows the reference and the secret, once
            request.session[_CONFIRMED] = {row.reference: secret}
            request.session[_SECRETS] = {k: v for k, v in request.session[_SECRETS].items() if k != str(row.id)}
    context = {
        "service": _card(guide),
        "row": row,
        "co_signer": _cosign.mask(row.co_signer),
        "secret": secret,
        "error": error,
        "sent": request.GET.get("sent") == "1" and error is None,
        "can_resend": row.state in (CoSignState.PENDING, CoSignState.EXPIRED)
        and row.invitations < _cosign.MAX_INVITATIONS,
        "can_change": row.state in (CoSignState.PENDING, CoSignState.EXPIRED, CoSignState.DECLINED)
        and row.draft_id is not None,
    }
    return render(request, "portal/cosign_waiting.html", context, status=status)


def _summary(form: Form, guide: Guide, row: CoSignRequest, language: str) -> list[AnswerRow]:
    """What the applicant filled in, as the co-signer sees it: no email addresses (not needed to confirm)."""
    assert row.draft is not None
    answers = open_answers(row.draft.data)
    views = render_model(form, answers, (), language)
    hidden = {_notify.email_variable(guide.applicant_variable), _cosign.co_signer_field(form) or ""}
    documents: dict[str, list[Document]] = {}
    for document in Document.objects.filter(draft=row.draft, application__isnull=True).order_by("created", "id"):
        documents.setdefault(document.field, []).append(document)
    left_out = {view.id for view in _walk(views) if view.name in hidden}
    return [r for r in file_rows(views, documents) if r.field_id not in left_out]


def _walk(views: Iterable[FieldView]) -> Iterable[FieldView]:
    for view in views:
        yield view
        yield from _walk(view.children)


def _invalid(request: HttpRequest, row: CoSignRequest | None, status: int, message: str = "") -> HttpResponse:
    context = {"row": row, "message": message, "service": _card(GUIDES[row.service]) if row else None}
    return render(request, "portal/cosign_invalid.html", context, status=status)


@require_http_methods(["GET", "POST"])
def co_sign(request: HttpRequest, request_id: uuid.UUID, token: str) -> HttpResponse:
    """The co-signer's link: the application read-only and "confirm" / "decline" (POST)."""
    row = CoSignRequest.objects.select_related("draft").filter(pk=request_id).first()
    if row is None or row.service not in GUIDES or not _secrets.matches(token[:100], row.token_hash):
        return _invalid(request, None, 404)
    row = _cosign.expire_if_due(row)
    if row.state != CoSignState.PENDING or row.draft is None:
        return _invalid(request, row, 410)
    guide = GUIDES[row.service]
    form = start_form(guide.service)
    language = _language()
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "confirm":
                application = _cosign.confirm(row, token, guide, form, co_signer_account=_accounts.citizen(request))
                context = {"service": _card(guide), "confirmed": True, "reference": application.reference}
                return render(request, "portal/cosign_done.html", context)
            if decision == "decline":
                _cosign.decline(row, token, guide, link=request.build_absolute_uri)
                return render(request, "portal/cosign_done.html", {"service": _card(guide), "confirmed": False})
        except _cosign.CoSignError as refused:
            return _invalid(request, row, refused.status, refused.message)
    answers = open_answers(row.draft.data)
    context = {
        "service": _card(guide),
        "row": row,
        "token": token,
        "name": str(answers.get(guide.applicant_variable.removesuffix("Id") + "Name") or ""),
        "rows": _summary(form, guide, row, language),
        "error": request.method == "POST",  # a post without a decision
    }
    return render(request, "portal/cosign.html", context, status=400 if request.method == "POST" else 200)
