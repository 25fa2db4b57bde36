"""Citizen sign-in by email link (eID sign-in with OpenID Connect is ``_oidc``; both end in ``start_session``).

"Sign in: we email you a link": the link carries a single-use token (256 bits, 15 minutes, kept
as a SHA-256 hash). Opening it shows a button; only the POST spends the token, so a mail
scanner that fetches links does not sign anyone in or burn the link. The account is created
when a link is used: the address is then verified. Every request gets the same answer whether
or not an account exists, so the page reveals nothing about who has one. Requests are limited
per address and per client (a hash of its IP address, never stored in clear).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicflow.portal import _party_link, _secrets
from civicflow.portal.models import Application, CitizenAccount, SignInToken
from civicflow.security import addresses, keys
from civicflow.web.ratelimit import client_key

__all__ = [
    "LINK_MINUTES",
    "PER_ADDRESS_PER_HOUR",
    "PER_CLIENT_PER_HOUR",
    "applicant_id",
    "citizen",
    "citizen_id",
    "sign_in",
    "sign_in_link",
    "sign_in_sent",
    "sign_out",
    "start_session",
]

LINK_MINUTES = 15
PER_ADDRESS_PER_HOUR = 5
PER_CLIENT_PER_HOUR = 20
_SESSION = "portal_citizen"  # no colon: the page template reads it (request.session.portal_citizen)
_SENT = "portal:sign-in-sent"
logger = logging.getLogger(__name__)


def citizen(request: HttpRequest) -> CitizenAccount | None:
    """The signed-in citizen of this session, if any."""
    account_id = request.session.get(_SESSION)
    if account_id is None:
        return None
    return CitizenAccount.objects.filter(pk=account_id).first()


def applicant_id(application: Application) -> str:
    """The identity citizen tasks of ``application`` are assigned to (``applicantId`` and friends)."""
    if application.account_id is not None:
        return citizen_id(application.account_id)
    return f"guest:{application.reference}"


def citizen_id(account_id: int) -> str:
    """A citizen account's identity in process variables and task assignments."""
    return f"citizen:{account_id}"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("portal:my")


def _limited(email: str, client: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = SignInToken.objects.filter(created__gte=since)
    return (
        recent.filter(email_index=addresses.index(email)).count() >= PER_ADDRESS_PER_HOUR
        or recent.filter(client=client).count() >= PER_CLIENT_PER_HOUR
    )


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for an email address and send a sign-in link to it."""
    if citizen(request) is not None:
        return redirect(_next(request))
    email = ""
    error = None
    status = 200
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        try:
            validate_email(email)
        except ValidationError:
            error = gettext("Enter an email address in the right format, like name@example.com")
        else:
            outcome = _send_link(request, email.lower())
            if outcome is None:
                return redirect("portal:sign-in-sent")
            error, status = outcome
    context = {"email": email, "error": error, "minutes": LINK_MINUTES, "next": request.GET.get("next", "")}
    return render(request, "portal/sign_in.html", context, status=status)


def _send_link(request: HttpRequest, email: str) -> tuple[str, int] | None:
    """Store a token and mail its link; an error and status when refused (the same for any address)."""
    client = client_key(request)
    if _limited(email, client):
        return gettext("You asked for too many sign-in links. Wait an hour and try again."), 429
    token = _secrets.new_token()
    now = timezone.now()
    # links are refused after 15 minutes and counted for an hour: older rows only take space
    _forget(SignInToken.objects.filter(created__lt=now - timedelta(days=1)))
    row = SignInToken(
        token_hash=_secrets.digest(token),
        client=client,
        created=now,
        expires=now + timedelta(minutes=LINK_MINUTES),
    )
    row.set_email(email)
    row.save()
    link = request.build_absolute_uri(reverse("portal:sign-in-link", kwargs={"token": token}))
    target = _next(request)
    if target != reverse("portal:my"):
        link += "?" + urlencode({"next": target})
    body = render_to_string("portal/email/sign_in_link.txt", {"link": link, "minutes": LINK_MINUTES})
    try:
        send_mail(gettext("Your sign-in link"), body, settings.DEFAULT_FROM_EMAIL, [email])
    except OSError:  # smtplib's errors are OSErrors, as is a refused connection
        logger.warning("sign-in link not sent", exc_info=True)
        _forget(SignInToken.objects.filter(pk=row.pk))
        return gettext("We could not send the email just now. Try again later."), 503
    request.session[_SENT] = row.pk  # the link's row, not the address: sessions are stored in clear
    return None


def sign_in_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(_SENT)
    row = SignInToken.objects.filter(pk=sent).first() if isinstance(sent, int) else None
    email = row.email if row is not None else None
    if not email:
        return redirect("portal:sign-in")
    return render(request, "portal/sign_in_sent.html", {"email": email, "minutes": LINK_MINUTES})


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET shows a button, POST spends the token and signs in. Bad links are 404."""
    digest = _secrets.digest(token[:100])
    now = timezone.now()
    if request.method == "GET":
        if not SignInToken.objects.filter(token_hash=digest, used__isnull=True, expires__gt=now).exists():
            raise Http404
        return render(request, "portal/sign_in_link.html", {"token": token, "next": request.GET.get("next", "")})
    with transaction.atomic():
        # spend it in one conditional update: two tabs racing on the same link sign in once
        spent = SignInToken.objects.filter(token_hash=digest, used__isnull=True, expires__gt=now).update(used=now)
        row = SignInToken.objects.filter(token_hash=digest).first() if spent else None
        if row is None:
            raise Http404
        account = CitizenAccount.objects.filter(email_index=row.email_index).first()
        address = row.email
        if account is None:
            if address is None:  # its key was shredded (erasure) between sending and spending
                raise Http404
            account = CitizenAccount.for_address(address, now)
        CitizenAccount.objects.filter(pk=account.pk).update(last_sign_in=now)
        if address is not None:
            _party_link.at_email_sign_in(account, address, now)
        keys.shred(row.subject)  # spent: the address it held is not needed any more
    start_session(request, account)
    return redirect(_next(request))


def _forget(tokens: QuerySet[SignInToken]) -> None:
    """Delete sign-in links with their addresses' keys (a backup keeps the rows, not the keys)."""
    for subject in [f"sign-in:{digest}" for digest in tokens.values_list("token_hash", flat=True)]:
        keys.shred(subject)
    tokens.delete()


def start_session(request: HttpRequest, account: CitizenAccount) -> None:
    """Sign ``account`` in on this session: the email link and the eID sign-in (``_oidc``) both end here."""
    request.session.cycle_key()  # a new session id at sign-in: no fixation
    request.session[_SESSION] = account.pk
    request.session.pop(_SENT, None)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    # Everything goes, not just the account: the answers of a form in progress (prefilled from the
    # party record), secrets and uploads belong to the person who leaves a shared computer.
    request.session.flush()
    return redirect("portal:index")
