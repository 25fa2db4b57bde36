# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes
"""Applications held until a co-signer confirms them (docs/portal.md, "Co-signing")."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_drop_clear_addresses"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoSignRequest",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("service", models.CharField(max_length=100)),
                ("co_signer_sealed", models.TextField(blank=True, default="")),
                ("co_signer_index", models.CharField(blank=True, db_index=True, default="", max_length=64)),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("secret_hash", models.CharField(max_length=64)),
                ("language", models.CharField(default="en", max_length=10)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("confirmed", "Confirmed"),
                            ("declined", "Declined"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("created", models.DateTimeField()),
                ("expires", models.DateTimeField(db_index=True)),
                ("invitations", models.PositiveSmallIntegerField(default=0)),
                ("last_sent", models.DateTimeField(blank=True, null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("reference", models.CharField(blank=True, default="", max_length=32)),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="co_sign_requests",
                        to="portal.citizenaccount",
                    ),
                ),
                (
                    "co_signer_account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="co_signed",
                        to="portal.citizenaccount",
                    ),
                ),
                (
                    "draft",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="co_signs",
                        to="portal.draft",
                    ),
                ),
            ],
        ),
    ]
