# ruff: noqa: RUF012 - Django migration classes declare their operations as class attributes

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("civicflow_web", "0002_kpi_snapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100, unique=True)),
                ("count", models.PositiveIntegerField(default=0)),
                ("window_start", models.DateTimeField()),
            ],
        ),
    ]
