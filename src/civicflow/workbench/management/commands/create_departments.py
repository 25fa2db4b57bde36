"""``django-admin create_departments``: the reference services' departments as groups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from civicflow.workbench._departments import create_reference_departments


class Command(BaseCommand):
    help = "Create a group per department and role of the reference services (existing ones are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = create_reference_departments(Group)
        self.stdout.write(f"created {len(created)} group(s): {', '.join(created) or '-'}")
