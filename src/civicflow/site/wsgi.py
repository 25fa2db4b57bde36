"""WSGI entry point for gunicorn (``civicflow serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicflow.site.settings")
application = get_wsgi_application()
