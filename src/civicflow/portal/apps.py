from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "civicflow.portal"
    label = "portal"
    verbose_name = "Citizen portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the building permit's issue-document step renders and stores the permit (after the
        # runtime's metadata-only handler registered: this app comes later in INSTALLED_APPS)
        from civicflow.portal import _documents  # noqa: F401
        from civicflow.portal._kpi_rows import portal_rows
        from civicflow.web.kpis import add_row_source

        add_row_source(portal_rows)
