"""WSGI entry point for gunicorn (``civicflow serve``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicflow.site.settings")
application = get_wsgi_application()
# Load the URLconf (the API views, DRF, drf-spectacular: about a second of imports) now, not on
# each worker's first request: otherwise the first requests after a start or a worker restart
# wait behind those imports, and with ``--preload`` the work is done once, before the fork.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect (the imports)
# Everything loaded so far lives as long as the process: move it out of the garbage collector's
# sight. Otherwise each full collection walks those hundreds of thousands of objects (tens of
# milliseconds, a latency spike for every request in flight), and with ``--preload`` the forked
# workers keep sharing these pages instead of copying them when the collector touches them.
gc.freeze()
