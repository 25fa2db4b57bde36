"""URLs of the staff workbench (mounted at /workbench/)."""

from __future__ import annotations

from django.urls import path

from civicflow.workbench import views
from civicflow.workbench.views._auth import sign_in_code, two_factor
from civicflow.workbench.views._documents import document
from civicflow.workbench.views._oidc import oidc_callback, oidc_start
from civicflow.workbench.views._parties import party, party_search

app_name = "workbench"

urlpatterns = [
    path("", views.inbox, name="index"),
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-in/code", sign_in_code, name="sign_in_code"),
    path("sign-in/oidc", oidc_start, name="oidc_start"),
    path("sign-in/oidc/callback", oidc_callback, name="oidc_callback"),
    path("sign-out", views.SignOutView.as_view(), name="logout"),
    path("account/two-factor", two_factor, name="two_factor"),
    path("tasks/<int:task_id>", views.task, name="task"),
    path("tasks/<int:task_id>/claim", views.claim, name="claim"),
    path("tasks/<int:task_id>/unclaim", views.unclaim, name="unclaim"),
    path("tasks/<int:task_id>/delegate", views.delegate, name="delegate"),
    path("cases/<uuid:instance_id>", views.case, name="case"),
    path("cases/<uuid:instance_id>/comments", views.add_comment, name="comment"),
    path("cases/<uuid:instance_id>/documents/<uuid:document_id>", document, name="document"),
    path("parties/", party_search, name="parties"),
    path("parties/<uuid:party_id>/", party, name="party"),
    path("incidents", views.incidents, name="incidents"),
    path("incidents/<int:incident_id>/retry", views.retry, name="retry"),
    path("deploy", views.deploy, name="deploy"),
    path("notifications", views.work_notifications, name="notifications"),
    path("alerts", views.alerts, name="alerts"),
    path("assess/", views.assess, name="assess"),
    path("assess/upload", views.assess_upload, name="assess_upload"),
    path("assess/simulate/", views.simulate, name="simulate"),
    path("assess/simulate/fit", views.simulate_fit, name="simulate_fit"),
    path("assess/<slug:source>/<str:ref>/", views.assess_log, name="assess_log"),
    path("assess/<slug:source>/<str:ref>/conformance", views.assess_conformance, name="assess_conformance"),
    path("assess/<slug:source>/<str:ref>/<slug:figure>.svg", views.assess_figure, name="assess_figure"),
    path("kpi/", views.kpi_overview, name="kpi"),
    path("kpi/<slug:service_id>/", views.kpi_service, name="kpi_service"),
    path("kpi/<slug:service_id>/export.<slug:fmt>", views.kpi_export, name="kpi_export"),
    path("pilots/", views.pilots_list, name="pilots"),
    path("pilots/start", views.pilot_start, name="pilot_start"),
    path("pilots/<int:pilot_id>/", views.pilot, name="pilot"),
    path("pilots/<int:pilot_id>/adopt", views.pilot_adopt, name="pilot_adopt"),
    path("pilots/<int:pilot_id>/stop", views.pilot_stop, name="pilot_stop"),
]
