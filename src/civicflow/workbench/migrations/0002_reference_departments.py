# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""Create the reference services' departments as groups (idempotent; existing groups are kept)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from civicflow.workbench._departments import create_reference_departments

    create_reference_departments(apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [("civicflow_workbench", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
