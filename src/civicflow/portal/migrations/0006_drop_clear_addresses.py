# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""The clear address columns go once 0005 sealed them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_sealed_addresses"),
    ]

    operations = [
        migrations.RemoveField(model_name="draft", name="email"),
        migrations.RemoveField(model_name="citizenaccount", name="email"),
        migrations.RemoveField(model_name="signintoken", name="email"),
        migrations.RemoveField(model_name="application", name="email"),
    ]
