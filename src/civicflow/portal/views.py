"""The citizen portal: catalogue, apply as a guest, drafts, confirmation and "where is my application?".

Every lookup of someone's application needs its reference number and secret (or the session that
submitted it); anything else answers 404, never 403, so nobody learns which references exist.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from civicflow.forms import error_summary, render_model, validate
from civicflow.portal import _accounts, _documents, _notify, _party_link, _satisfaction, _secrets
from civicflow.portal._document_requests import pending, uploads_of
from civicflow.portal._files import file_pickers, take_files, view_hidden
from civicflow.portal._forms import posted_data, revealed, visible_names
from civicflow.portal._guides import GUIDES, Guide, duration_days
from civicflow.portal._personal import open_answers, seal_answers
from civicflow.portal._uploads import (
    attach_to_application,
    files_key,
    ids_by_field,
    keep_with_draft,
    owned,
    restore_from_draft,
    stored_files,
)
from civicflow.portal.models import Application, CitizenAccount, Draft
from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError
from civicflow.runtime.forms import form_for_key
from civicflow.runtime.models import TaskState
from civicflow.security import audit, policy

DRAFT_DAYS = 30
logger = logging.getLogger(__name__)
_ACCESS = "portal:access"  # references this session may see (it submitted them or gave the secret)
_CONFIRMED = "portal:confirmed"  # {reference: secret} shown once on the confirmation page


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _guide(service_id: str) -> Guide:
    found = GUIDES.get(service_id)
    if found is None:
        raise Http404
    return found


def _data_key(service_id: str) -> str:
    return f"portal:{service_id}:data"


def _processing_time(guide: Guide) -> str:
    days = duration_days(guide.service.kpis.processing_time)
    if days is None:
        return guide.service.kpis.processing_time
    if days % 7 == 0:
        weeks = days // 7
        return ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def _card(guide: Guide) -> dict[str, Any]:
    language = _language()
    return {
        "id": guide.service.id,
        "title": guide.service.title.get(language),
        "summary": guide.service.summary.get(language),
        "who": guide.who.get(language),
        "documents": [item.get(language) for item in guide.documents],
        "fee": guide.fee.get(language),
        "steps": [step.get(language) for step in guide.steps],
        "processing_time": _processing_time(guide),
    }


def index(request: HttpRequest) -> HttpResponse:
    """The service catalogue."""
    return render(request, "portal/index.html", {"services": [_card(guide) for guide in GUIDES.values()]})


def service_start(request: HttpRequest, service_id: str) -> HttpResponse:
    """A service's start page: what it is, who can apply, what you need, how long, what it costs."""
    return render(request, "portal/start.html", {"service": _card(_guide(service_id))})


def _submit(request: HttpRequest, guide: Guide, values: dict[str, Any], language: str) -> tuple[str, str]:
    secret = _secrets.new_secret()
    application = start_application(
        guide, values, language=language, account=_accounts.citizen(request), secret_hash=_secrets.digest(secret)
    )
    draft_id = request.session.pop(f"portal:{guide.service.id}:draft", None)
    if draft_id:
        Draft.objects.filter(pk=draft_id).delete()
    return application.reference, secret


def start_application(
    guide: Guide,
    values: dict[str, Any],
    *,
    language: str,
    account: CitizenAccount | None,
    secret_hash: str,
    variables: dict[str, Any] | None = None,
) -> Application:
    """Store the application and start its instance, in one transaction, with the confirmation mail queued.

    ``account``: the applicant's, if signed in; ``variables``: more process variables (a co-signature).
    """
    now = timezone.now()
    for _attempt in range(20):
        reference = _secrets.new_reference(guide.prefix, now.year)
        if not Application.objects.filter(reference=reference).exists():
            break
    else:  # pragma: no cover - a million numbers a year; twenty misses in a row means something is wrong
        raise RuntimeError("no free reference number")
    # a signed-in citizen's verified address, else the one the form asked for (if any)
    email = (
        (account.email or "") if account else str(values.get(_notify.email_variable(guide.applicant_variable)) or "")
    )
    application = Application(
        reference=reference,
        service=guide.service.id,
        secret_hash=secret_hash,
        language=language,
        created=now,
        account=account,
    )
    application.set_email(email if _valid_email(email) else "")
    application.watching = bool(application.email_index)
    process_variables = {
        **values,
        **(variables or {}),
        guide.case_variable: reference,
        guide.applicant_variable: _accounts.applicant_id(application),
        "language": language,
    }
    with transaction.atomic():
        instance = services.start_instance(
            guide.service.process_id, business_key=reference, variables=process_variables
        )
        application.instance_id = instance.pk
        application.save()
        _party_link.at_submit(application, account, now)  # first: the confirmation goes in the party's record
        _notify.queue_confirmation(application)
        actor = f"citizen:{account.pk}" if account else "citizen:anonymous"
        details = {"service": guide.service.id, "instance": str(instance.pk)}
        audit.record(actor=actor, action="ApplicationSubmitted", obj=("application", reference), details=details)
    return application


def _grant(request: HttpRequest, reference: str) -> None:
    allowed = list(request.session.get(_ACCESS, []))
    if reference not in allowed:
        allowed = [*allowed[-19:], reference]
    request.session[_ACCESS] = allowed


def _visitor(request: HttpRequest, *, signed_in: bool = True) -> policy.Visitor:
    """This session as the authorization policy sees it: its citizen account (unless ``signed_in``
    is False: the question cannot depend on it) and the references it proved."""
    account = _accounts.citizen(request) if signed_in else None
    return policy.Visitor(
        account_id=account.pk if account is not None else None,
        references=frozenset(request.session.get(_ACCESS, [])),
    )


def _application(request: HttpRequest, reference: str) -> Application:
    """The application this session may see (the policy's "view_application": its own, or its
    signed-in citizen's); 404 for anything else."""
    found = Application.objects.filter(reference=reference).first()
    if found is None or found.service not in GUIDES:
        raise Http404
    # a guest's application has no account to match: no need to read the session's
    if not policy.can(_visitor(request, signed_in=found.account_id is not None), "view_application", found):
        raise Http404
    return found


def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation page with the reference number and the secret (shown once, in this session)."""
    application = _application(request, reference)
    secret = request.session.get(_CONFIRMED, {}).get(reference)
    if secret is None:
        return redirect("portal:application", reference=reference)
    context = {
        "service": _card(GUIDES[application.service]),
        "reference": reference,
        "secret": secret,
        "satisfaction": _satisfaction.question(application),
    }
    return render(request, "portal/submitted.html", context)


@require_http_methods(["GET", "POST"])
def save(request: HttpRequest, service_id: str) -> HttpResponse:
    """Save and come back later: ask for an email address and send a link to the draft."""
    guide = _guide(service_id)
    error = None
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        if not _valid_email(email):
            error = gettext("Enter an email address in the right format, like name@example.com")
        elif _save_draft(request, guide, email):
            return redirect("portal:saved", service_id=service_id)
        else:
            error = gettext("We could not send the email just now. Try again later.")
    context = {"service": _card(guide), "email": email, "error": error, "days": DRAFT_DAYS}
    return render(request, "portal/save.html", context)


def _valid_email(email: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _save_draft(request: HttpRequest, guide: Guide, email: str) -> bool:
    """Store the draft and email its link; False (and no draft) when the mail server refuses."""
    token = _secrets.new_token()
    now = timezone.now()
    language = _language()
    data = request.session.get(_data_key(guide.service.id), {})
    draft_id = uuid.uuid4()
    draft = Draft(
        id=draft_id,
        service=guide.service.id,
        data=seal_answers(guide.service, str(draft_id), data if isinstance(data, dict) else {}),
        token_hash=_secrets.digest(token),
        language=language,
        created=now,
        expires=now + timedelta(days=DRAFT_DAYS),
    )
    draft.set_email(email)
    draft.save(force_insert=True)
    uploaded = ids_by_field(request.session.get(files_key(guide.service.id)))
    keep_with_draft(request, [i for ids in uploaded.values() for i in ids], draft)
    link = request.build_absolute_uri(reverse("portal:resume", kwargs={"draft_id": draft.pk, "token": token}))
    context = {
        "service": guide.service.title.get(language),
        "link": link,
        "days": DRAFT_DAYS,
        "expires": draft.expires,
    }
    subject = gettext("Your saved application: %(service)s") % {"service": context["service"]}
    body = render_to_string("portal/email/draft_link.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    except OSError:  # smtplib's errors are OSErrors, as is a refused connection
        logger.warning("draft link not sent", exc_info=True)
        draft.delete()
        return False
    return True


def saved(request: HttpRequest, service_id: str) -> HttpResponse:
    return render(request, "portal/saved.html", {"service": _card(_guide(service_id)), "days": DRAFT_DAYS})


def resume(request: HttpRequest, draft_id: str, token: str) -> HttpResponse:
    """The magic link: restore the saved answers and continue the form."""
    draft = Draft.objects.filter(pk=draft_id, expires__gt=timezone.now()).first()
    if draft is None or draft.service not in GUIDES or not _secrets.matches(token, draft.token_hash):
        raise Http404
    request.session[_data_key(draft.service)] = open_answers(draft.data)
    request.session[files_key(draft.service)] = restore_from_draft(request, draft)
    request.session[f"portal:{draft.service}:draft"] = str(draft.pk)
    return redirect("portal:apply", service_id=draft.service)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Where is my application? Asks for the reference number and the secret."""
    reference = request.POST.get("reference", "").strip().upper()[:32]
    secret = _secrets.normalise_secret(request.POST.get("secret", ""))
    if request.method == "POST":
        found = Application.objects.filter(reference=reference).first()
        if found is not None and _secrets.matches(secret, found.secret_hash):
            _grant(request, found.reference)
            return redirect("portal:application", reference=found.reference)
        # the same answer for an unknown reference and a wrong secret, and a 404 status
        error = gettext("No application matches this reference number and secret. Check both and try again.")
        return render(request, "portal/lookup.html", {"reference": reference, "error": error}, status=404)
    return render(request, "portal/lookup.html", {"reference": "", "error": None})


def application(request: HttpRequest, reference: str) -> HttpResponse:
    """The status of an application: milestones reached, current stage, requests for the citizen."""
    found = _application(request, reference)
    guide = GUIDES[found.service]
    language = _language()
    try:
        instance = services.get_instance(found.instance_id)
        records = services.element_instances(found.instance_id)
    except RuntimeServiceError as error:
        raise Http404 from error
    labels = {milestone.element: milestone.label.get(language) for milestone in guide.service.milestones}
    reached = [r for r in records if r.state == "completed" and r.element_id in labels]
    reached.sort(key=lambda r: r.ended or r.started)
    timeline = [{"label": labels[r.element_id], "date": r.ended} for r in reached]
    stages = {stage.element: stage.label.get(language) for stage in guide.service.kpis.stages}
    current = [stages[r.element_id] for r in records if r.state == "active" and r.element_id in stages]
    requests = services.tasks(instance_id=found.instance_id, assignee=_accounts.applicant_id(found))
    context = {
        "service": _card(guide),
        "reference": reference,
        "timeline": timeline,
        "current": current,
        "finished": instance.status != "active",
        "uploads": uploads_of(found),
        "supply": pending(found, records),
        "requests": [
            {"id": task.pk, "title": _task_title(task.form_key, language), "due": task.due} for task in requests
        ],
        "documents": _documents.documents_of(found),
        # asked once the case is finished; the thanks also after an answer given on the confirmation
        "satisfaction": _satisfaction.question(found)
        if instance.status != "active" or _satisfaction.answered(found)
        else None,
    }
    return render(request, "portal/application.html", context)


def _task_title(form_key: str | None, language: str) -> str:
    titles = {
        "rt-consent": gettext("Give your consent"),
    }
    return titles.get(form_key or "", gettext("Answer our request"))


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, reference: str, task_id: int) -> HttpResponse:
    """A request for more information assigned to the citizen, answered with its form."""
    found = _application(request, reference)
    me = _accounts.applicant_id(found)
    task = services.tasks(instance_id=found.instance_id, assignee=me).filter(pk=task_id).first()
    if task is None or task.state != TaskState.CREATED:
        raise Http404
    form = form_for_key(task.form_key)
    if form is None:
        raise Http404
    language = _language()
    variables = services.variables(found.instance_id)
    errors: list[Any] = []
    data: dict[str, Any] = {}
    files_at = f"portal:task:{task.pk}:files"
    files = ids_by_field(request.session.get(files_at))
    if request.method == "POST":
        data = posted_data(request)
        views = render_model(form, data, (), language, variables=variables)
        pickers = [p for p in file_pickers(form.components) if not view_hidden(views, p.name)]
        errors = take_files(
            request, form, None, pickers, answers=data, files=files, service_id=found.service, language=language
        )
        request.session[files_at] = files
        result = validate(form, data, files=stored_files(request, files), language=language, variables=variables)
        failed = {error.name for error in errors}
        errors += [error for error in result.errors if error.name not in failed]
        if not errors and "_remove_file" not in request.POST and not revealed(views, request.POST.get("_shown")):
            with transaction.atomic():
                attach_to_application(request, [i for ids in files.values() for i in ids], found)
                services.complete_task(task.pk, dict(result.values), user=me)
            request.session.pop(files_at, None)
            return redirect("portal:application", reference=reference)
    fields = render_model(form, data, errors, language, variables=variables)
    context = {
        "service": _card(GUIDES[found.service]),
        "reference": reference,
        "request_id": task.pk,
        "title": _task_title(task.form_key, language),
        "fields": fields,
        "shown": " ".join(sorted(visible_names(fields))),
        "errors": error_summary(errors),
        "uploaded": {name: owned(request, ids) for name, ids in files.items()},
    }
    return render(request, "portal/answer.html", context)
