"""Workbench test helpers: staff accounts, signed-in clients, the building-permit case data."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.test import Client

PASSWORD = "a long enough password 42"

APPLICATION = {
    "caseNumber": "BP-1",
    "applicantId": "citizen-1",
    "typeOfWork": "extension",
    "floorArea": 40,
    "heritageZone": False,
    "commercial": False,
}


def staff(username: str, *groups: str, is_staff: bool = True) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=is_staff)
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


def signed_in(user: User, language: str = "en", *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.cookies["django_language"] = language
    client.force_login(user)
    return client
