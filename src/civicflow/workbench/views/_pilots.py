"""Pilots: a candidate process version on a share of new cases (issue #14, docs/pilots.md).

The list page shows every pilot and, for those who may manage pilots, the form to start one; the
dashboard shows both versions side by side with the significance of each difference, and the
forms to adopt the candidate or stop the pilot. Everything works without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from civicflow.pilots import service as pilots
from civicflow.pilots.models import Pilot, PilotStatus
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import ProcessDefinition
from civicflow.security import policy
from civicflow.workbench._access import requires
from civicflow.workbench.views._pilot_dashboard import rates_chart, rows

__all__ = ["pilot", "pilot_adopt", "pilot_start", "pilot_stop", "pilots_list"]

_FIELDS = ("process", "candidate", "current", "share", "rule", "note")
_MAX_TEXT = 2000


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"  # as the other workbench actions record it


def _who(actor: str) -> str:
    """An audit actor as a person: the account's user name for ``user:<id>``."""
    kind, _sep, key = actor.partition(":")
    if kind == "user" and key.isdigit():
        found = get_user_model().objects.filter(pk=int(key)).first()
        if found is not None:
            return str(found.get_username())
    return actor


def _status(pilot: Pilot) -> str:
    return {
        PilotStatus.RUNNING: _("running"),
        PilotStatus.ADOPTED: _("adopted"),
        PilotStatus.STOPPED: _("stopped"),
    }[PilotStatus(pilot.status)]


def _share(value: float | None) -> str:
    return "–" if value is None else f"{number_format(100 * value, 1)}%"


def _split(pilot: Pilot) -> str:
    share = f"{number_format(100 * pilot.share, 1)}%"
    if pilot.rule:
        return _("%(share)s of the cases where %(rule)s") % {"share": share, "rule": pilot.rule}
    return share


def _listed(pilot: Pilot) -> dict[str, Any]:
    counts = pilots.summary(pilot)
    return {
        "pilot": pilot,
        "status": _status(pilot),
        "split": _split(pilot),
        "counts": counts,
        "actual": _share(counts.candidate_share),
    }


def _list_page(
    request: HttpRequest, *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> HttpResponse:
    errors = errors or {}
    found = Pilot.objects.select_related("current", "candidate")[:100]
    processes = sorted(set(ProcessDefinition.objects.values_list("process_id", flat=True)))
    context = {
        "pilots": [_listed(p) for p in found],
        "processes": processes,
        "form": form or {},
        "errors": errors,
        "error_summary": [{"href": f"#{field}", "text": text} for field, text in errors.items()],
    }
    return render(request, "workbench/pilots.html", context, status=400 if errors else 200)


@require_safe
@requires("view_pilots")
def pilots_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _checked(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The start form's values for pilots.start, and the errors of its fields."""
    errors: dict[str, str] = {}
    if not form["process"]:
        errors["process"] = _("Choose a process")
    candidate = _whole(form["candidate"])
    if candidate is None or candidate < 1:
        errors["candidate"] = _("Enter the candidate version as a whole number, for example 2")
    current = _whole(form["current"]) if form["current"] else None
    if form["current"] and (current is None or current < 1):
        errors["current"] = _("Enter the current version as a whole number, or leave it empty")
    try:
        percent = Decimal(form["share"].replace(",", ".").rstrip("%").strip())
    except InvalidOperation:
        percent = Decimal(-1)
    # a pilot stores its share to four decimals: below 0.01% it would round to no share at all
    if not percent.is_finite() or not Decimal("0.01") <= percent <= Decimal(100):
        errors["share"] = _("Enter the share of new cases as a percentage from 0.01 to 100, for example 30")
    for field in ("rule", "note"):
        if len(form[field]) > _MAX_TEXT:
            errors[field] = _("Enter at most %(count)s characters") % {"count": _MAX_TEXT}
    values = {
        "candidate": candidate,
        "current": current,
        "share": percent / 100 if "share" not in errors else None,
        "rule": form["rule"],
        "note": form["note"],
    }
    return values, errors


@require_POST
@requires("manage_pilots")
def pilot_start(request: HttpRequest) -> HttpResponse:
    form = {field: request.POST.get(field, "").strip() for field in _FIELDS}
    values, errors = _checked(form)
    if errors:
        return _list_page(request, form=form, errors=errors)
    try:
        started = pilots.start(form["process"], actor=_actor(request), **values)
    except (pilots.PilotRefusedError, NotFoundError) as error:
        return _list_page(request, form=form, errors={"start": str(error)})
    messages.success(request, _("The pilot has started: new cases are split from now on."))
    return redirect(reverse("workbench:pilot", args=[started.pk]))


def _found(pilot_id: int) -> Pilot:
    try:
        return pilots.get(pilot_id)
    except NotFoundError:
        raise Http404 from None


@require_safe
@requires("view_pilots")
def pilot(request: HttpRequest, pilot_id: int) -> HttpResponse:
    found = _found(pilot_id)
    comparison = pilots.compare(found)
    context = {
        "listed": _listed(found),
        "pilot": found,
        "started_by": _who(found.started_by),
        "ended_by": _who(found.ended_by) if found.ended_by else "",
        "running": found.status == PilotStatus.RUNNING,
        "may_manage": policy.can(request.user, "manage_pilots"),
        "rows": rows(comparison) if comparison is not None else None,
        "chart": rates_chart(comparison) if comparison is not None else None,
    }
    return render(request, "workbench/pilot.html", context)


@require_POST
@requires("manage_pilots")
def pilot_adopt(request: HttpRequest, pilot_id: int) -> HttpResponse:
    found = _found(pilot_id)
    migrate: dict[str, str] | None = {} if request.POST.get("migrate") == "yes" else None
    try:
        _adopted, moved = pilots.adopt(found.pk, actor=_actor(request), migrate=migrate)
    except pilots.PilotRefusedError as error:
        messages.error(request, _("The candidate was not adopted: %(reason)s") % {"reason": error})
    else:
        text = _("The candidate is adopted: every new case runs version %(version)s.") % {
            "version": found.candidate.version
        }
        if migrate is not None:
            text += " " + _("%(count)s running cases moved to it.") % {"count": len(moved)}
        messages.success(request, text)
    return redirect(reverse("workbench:pilot", args=[found.pk]))


@require_POST
@requires("manage_pilots")
def pilot_stop(request: HttpRequest, pilot_id: int) -> HttpResponse:
    found = _found(pilot_id)
    try:
        pilots.stop(found.pk, actor=_actor(request))
    except pilots.PilotRefusedError as error:
        messages.error(request, _("The pilot was not stopped: %(reason)s") % {"reason": error})
    else:
        messages.success(request, _("The pilot has stopped: new cases run the current version again."))
    return redirect(reverse("workbench:pilot", args=[found.pk]))
