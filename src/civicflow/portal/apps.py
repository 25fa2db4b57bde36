from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "civicflow.portal"
    label = "portal"
    verbose_name = "Citizen portal"
    default_auto_field = "django.db.models.BigAutoField"
