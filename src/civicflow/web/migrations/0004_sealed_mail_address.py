# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""Queued mail's address sealed with a blind index (docs/security.md, "Personal data at rest").

Rows already queued are sealed under their own subject ``mail:<key>``; those already sent keep
only the index (sending would have shredded that key). 0005 drops the clear column.
"""

from typing import Any

from django.db import migrations, models


def seal(apps: Any, schema_editor: Any) -> None:
    from civicflow.security.addresses import index, seal_address

    mail = apps.get_model("civicflow_web", "QueuedMail")
    for row in mail.objects.exclude(to="").iterator():
        sealed = "" if row.status == "sent" else seal_address(f"mail:{row.key}", row.to)
        mail.objects.filter(pk=row.pk).update(to_sealed=sealed, to_index=index(row.to), own_key=True)


def unseal(apps: Any, schema_editor: Any) -> None:
    from civicflow.security.addresses import open_address

    mail = apps.get_model("civicflow_web", "QueuedMail")
    for row in mail.objects.exclude(to_sealed="").iterator():
        mail.objects.filter(pk=row.pk).update(to=open_address(row.to_sealed) or "")


class Migration(migrations.Migration):
    dependencies = [
        ("civicflow_web", "0003_rate_count"),
        ("security", "0003_oidc_identity"),
    ]

    operations = [
        migrations.AddField(model_name="queuedmail", name="to_sealed", field=models.TextField(blank=True, default="")),
        migrations.AddField(
            model_name="queuedmail",
            name="to_index",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
        migrations.AddField(model_name="queuedmail", name="own_key", field=models.BooleanField(default=False)),
        migrations.AlterField(
            model_name="queuedmail", name="to", field=models.EmailField(blank=True, default="", max_length=254)
        ),
        migrations.RunPython(seal, unseal),
    ]
