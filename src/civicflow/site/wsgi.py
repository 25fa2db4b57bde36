"""WSGI entry point for gunicorn (``civicflow serve``)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicflow.site.settings")
application = get_wsgi_application()
# Load the URLconf (the API views, DRF, drf-spectacular: about a second of imports) now, not on
# each worker's first request: otherwise the first requests after a start or a worker restart
# wait behind those imports, and with ``--preload`` the work is done once, before the fork.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect (the imports)
