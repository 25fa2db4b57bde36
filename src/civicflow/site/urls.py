"""Top-level URL configuration."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from civicflow.site.health import healthz
from civicflow.site.metrics import metrics
from civicflow.workbench.views._auth import admin_sign_in

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    # staff sign in through the workbench (lockout, TOTP), never through the admin's own form
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("civicflow.api.urls")),
    # Django's set_language view: the language switch posts here with `next` (keeps the place)
    path("i18n/", include("django.conf.urls.i18n")),
    path("workbench/", include("civicflow.workbench.urls")),
    path("portal/", include("civicflow.portal.urls")),
    path("", include("civicflow.web.urls")),
]

# error pages in the design system (Django's plain ones stay for /api/)
handler400 = "civicflow.web.views.bad_request"
handler403 = "civicflow.web.views.permission_denied"
handler404 = "civicflow.web.views.page_not_found"
handler500 = "civicflow.web.views.server_error"
