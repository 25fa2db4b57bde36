"""Staff accounts from the organisation's identity provider: found by (issuer, subject), groups from a claim.

The account is the one linked to the ID token's ``(iss, sub)`` (a :class:`StaffIdentity`), or a new
one (username ``oidc-<n>``, staff flag on, no usable password: it signs in only through the
provider). On every sign-in its Django groups become exactly the known groups the groups claim
names, so a move between departments at the provider is a move here at the next sign-in. A group
is known when the authorization policy gives it meaning: the role groups (``process-admins``,
``auditors``), a group an administrator made, or a department some task was ever offered to
(a candidate group of the runtime, ``<department>-head`` included). Other names are ignored: a
claim cannot invent a department. An account left with no known group signs in with the role
"staff without a role", which the policy refuses everywhere.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from civicflow.security.models import StaffIdentity
from civicflow.security.oidc import Identity, ProviderConfig
from civicflow.security.policy import AUDITORS, PROCESS_ADMINS

__all__ = ["claimed_groups", "known_groups", "staff_user"]

_MAX_GROUPS = 100
_MAX_NAME = 150  # django.contrib.auth's Group.name


def claimed_groups(claims: dict[str, Any] | Any, claim: str) -> list[str]:
    """The group names in ``claims[claim]``: a list of strings, or one space- or comma-separated string."""
    value = claims.get(claim) if claim else None
    if isinstance(value, str):
        names: Iterable[Any] = value.replace(",", " ").split()
    elif isinstance(value, list):
        names = value
    else:
        return []
    return sorted({str(n).strip() for n in names if isinstance(n, str) and 0 < len(n.strip()) <= _MAX_NAME})[
        :_MAX_GROUPS
    ]


def known_groups(names: Iterable[str]) -> set[str]:
    """Which of ``names`` the policy knows: role groups, existing groups, departments tasks were offered to."""
    wanted = set(names)
    known = wanted & {PROCESS_ADMINS, AUDITORS}
    known |= set(Group.objects.filter(name__in=wanted).values_list("name", flat=True))
    # runtime and security are one layer (pyproject's import contract): the model is looked up
    candidate = apps.get_model("runtime", "TaskCandidate")
    offered = candidate.objects.filter(kind=candidate.GROUP, name__in=wanted).values_list("name", flat=True)
    return known | set(offered)


def staff_user(identity: Identity, config: ProviderConfig) -> Any:
    """The active staff account of ``identity``, made on first sign-in, its groups synced from the claim."""
    user_model = get_user_model()
    now = timezone.now()
    groups = known_groups(claimed_groups(dict(identity.claims), config.groups_claim))
    with transaction.atomic():
        link = (
            StaffIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=identity.issuer, subject=identity.subject)
            .first()
        )
        if link is None:
            user = user_model.objects.create_user(username=f"oidc-pending-{secrets.token_hex(8)}", is_staff=True)
            user.username = f"oidc-{user.pk}"  # the subject may be personal data: the username is not
            user.set_unusable_password()
            link = StaffIdentity.objects.create(
                issuer=identity.issuer, subject=identity.subject, user=user, created=now, last_sign_in=now
            )
        else:
            user = link.user
            link.last_sign_in = now
            link.save(update_fields=["last_sign_in"])
        user.is_staff = True
        _copy_profile(user, identity.claims)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in sorted(groups)])
    return user


def _copy_profile(user: Any, claims: Any) -> None:
    """Name and address from the provider, for the workbench's header and work notifications."""
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and len(email) <= 254:
        user.email = email
    for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
        value = claims.get(claim)
        if isinstance(value, str):
            setattr(user, field, value[:150])
    if not claims.get("given_name") and isinstance(claims.get("name"), str):
        user.first_name = str(claims["name"])[:150]
