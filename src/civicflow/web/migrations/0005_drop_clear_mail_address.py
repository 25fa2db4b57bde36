# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""The clear address column goes once 0004 sealed it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("civicflow_web", "0004_sealed_mail_address"),
    ]

    operations = [
        migrations.RemoveField(model_name="queuedmail", name="to"),
    ]
