"""gunicorn settings shared by ``civicflow serve``, the container image and the compose file.

The access log records the path without its query string and without the referrer: query strings
carry what a citizen typed into the portal's help assistant (``/portal/help/?q=...``) and one-time
codes (the OpenID Connect callback), and none of that belongs in a log (docs/assistant.md).
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
