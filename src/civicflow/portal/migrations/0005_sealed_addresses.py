# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""Email addresses sealed with a blind index (docs/security.md, "Personal data at rest").

The new columns are added and every stored address sealed under the subject the code seals it
under now; 0006 drops the clear columns (in its own transaction: PostgreSQL refuses to alter a
table with row updates pending in the same one).
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations, models

# model name -> the subject its row's address is sealed under (as portal.models names it)
_SUBJECTS: dict[str, Callable[[Any], str]] = {
    "Draft": lambda row: f"draft:{row.pk}",
    "CitizenAccount": lambda row: f"citizen:{row.pk}",
    "SignInToken": lambda row: f"sign-in:{row.token_hash}",
    "Application": lambda row: f"citizen:{row.account_id}" if row.account_id is not None else f"guest:{row.reference}",
}


def seal(apps: Any, schema_editor: Any) -> None:
    from civicflow.security.addresses import index, seal_address

    for name, subject in _SUBJECTS.items():
        model = apps.get_model("portal", name)
        for row in model.objects.exclude(email__isnull=True).exclude(email="").iterator():
            address = row.email.lower() if name == "CitizenAccount" else row.email
            model.objects.filter(pk=row.pk).update(
                email_sealed=seal_address(subject(row), address), email_index=index(address)
            )


def unseal(apps: Any, schema_editor: Any) -> None:
    from civicflow.security.addresses import open_address

    for name in _SUBJECTS:
        model = apps.get_model("portal", name)
        for row in model.objects.exclude(email_sealed="").iterator():
            address = open_address(row.email_sealed) or ""
            model.objects.filter(pk=row.pk).update(email=address or (None if name == "CitizenAccount" else ""))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_oidc_identity"),
        ("security", "0003_oidc_identity"),
    ]

    operations = [
        *(
            operation
            for model in ("draft", "signintoken", "application")
            for operation in (
                migrations.AddField(
                    model_name=model, name="email_sealed", field=models.TextField(blank=True, default="")
                ),
                migrations.AddField(
                    model_name=model,
                    name="email_index",
                    field=models.CharField(blank=True, db_index=True, default="", max_length=64),
                ),
            )
        ),
        migrations.AddField(
            model_name="citizenaccount", name="email_sealed", field=models.TextField(blank=True, default="")
        ),
        migrations.AddField(
            model_name="citizenaccount",
            name="email_index",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        # blank allowed: reversed, an address whose key was shredded comes back empty
        migrations.AlterField(
            model_name="draft", name="email", field=models.EmailField(blank=True, default="", max_length=254)
        ),
        migrations.AlterField(
            model_name="signintoken",
            name="email",
            field=models.EmailField(blank=True, db_index=True, default="", max_length=254),
        ),
        migrations.RunPython(seal, unseal),
    ]
