"""The satisfaction question at the end: "How satisfied are you with this service?".

One answer per application, kept in ``SatisfactionResponse`` (the KPI issue computes CSAT from
it). It is asked on the application's page once the case is finished, for every service: no
process waits for it, so a citizen who does not answer adds nothing to the processing time.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from civicflow.portal.models import Application, SatisfactionResponse

__all__ = [
    "COMMENT_MAX",
    "answered",
    "choices",
    "question",
    "read_answer",
    "record",
]

COMMENT_MAX = 1200


def choices() -> list[tuple[int, str]]:
    """The five answers, most satisfied first (GOV.UK feedback order)."""
    return [
        (5, gettext("Very satisfied")),
        (4, gettext("Satisfied")),
        (3, gettext("Neither satisfied nor dissatisfied")),
        (2, gettext("Dissatisfied")),
        (1, gettext("Very dissatisfied")),
    ]


def answered(application: Application) -> bool:
    return SatisfactionResponse.objects.filter(reference=application.reference).exists()


def question(
    application: Application,
    score: int | None = None,
    comment: str = "",
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """What the satisfaction question's template needs (``answered``: show the thanks instead)."""
    return {
        "answered": answered(application),
        "action": reverse("portal:satisfaction", kwargs={"reference": application.reference}),
        "choices": choices(),
        "score": score,
        "comment": comment,
        "max": COMMENT_MAX,
        "errors": errors or [],
        "error_for": {item["href"].lstrip("#"): item["text"] for item in errors or []},
    }


def read_answer(post: QueryDict) -> tuple[int | None, str, list[dict[str, str]]]:
    """The score, the comment and the error summary items of a posted answer."""
    errors: list[dict[str, str]] = []
    raw = post.get("score", "")
    score = int(raw) if raw in {"1", "2", "3", "4", "5"} else None
    if score is None:
        errors.append({"href": "#score", "text": gettext("Select how satisfied you are with this service")})
    comment = post.get("comment", "").strip()
    if len(comment) > COMMENT_MAX:
        text = gettext("Your comment must be %(max)d characters or fewer") % {"max": COMMENT_MAX}
        errors.append({"href": "#comment", "text": text})
    return score, comment, errors


def record(application: Application, score: int, comment: str, language: str) -> bool:
    """Store the answer; False when the application was answered already (the first answer stays)."""
    try:
        with transaction.atomic():
            SatisfactionResponse.objects.create(
                service=application.service,
                reference=application.reference,
                score=score,
                comment=comment[:COMMENT_MAX],
                language=language,
                answered_at=timezone.now(),
            )
    except IntegrityError:
        return False
    return True
