"""The citizen portal's pages (mounted at /portal/)."""

from django.urls import path

from civicflow.portal import (
    _accounts,
    _apply,
    _citizen_pages,
    _cosign_pages,
    _evidence_pages,
    _help,
    _notices,
    _oidc,
    _party_pages,
    _supply,
    _transparency,
    _transparency_audit,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("status/", views.lookup, name="lookup"),
    path("resume/<uuid:draft_id>/<str:token>/", views.resume, name="resume"),
    path("sign-in/", _accounts.sign_in, name="sign-in"),
    path("sign-in/sent/", _accounts.sign_in_sent, name="sign-in-sent"),
    # before the link pattern below: "eid" would read as a link token
    path("sign-in/eid/", _oidc.oidc_start, name="oidc-start"),
    path("sign-in/eid/callback/", _oidc.oidc_callback, name="oidc-callback"),
    path("sign-in/<str:token>/", _accounts.sign_in_link, name="sign-in-link"),
    path("sign-out/", _accounts.sign_out, name="sign-out"),
    path("my/", _citizen_pages.my_applications, name="my"),
    path("me/", _party_pages.me, name="me"),
    path("me/consents/<uuid:consent_id>/withdraw/", _party_pages.withdraw, name="withdraw-consent"),
    path("co-sign/<uuid:request_id>/", _cosign_pages.waiting, name="co-sign-waiting"),
    path("co-sign/<uuid:request_id>/<str:token>/", _cosign_pages.co_sign, name="co-sign"),
    path("applications/<str:reference>/", views.application, name="application"),
    path("applications/<str:reference>/submitted/", views.submitted, name="submitted"),
    path("applications/<str:reference>/uploads/<uuid:document_id>/", _supply.upload, name="upload"),
    path("applications/<str:reference>/send-documents/", _supply.supply, name="supply"),
    path("applications/<str:reference>/requests/<int:task_id>/", views.answer, name="answer"),
    path("applications/<str:reference>/documents/<int:document_id>/", _citizen_pages.document, name="document"),
    path("applications/<str:reference>/satisfaction/", _citizen_pages.satisfaction, name="satisfaction"),
    # the transparency page and its open data: before the catch-all service slug below
    path("transparency/", _transparency.index, name="transparency"),
    path("transparency/catalog.jsonld", _transparency.catalogue, name="transparency-catalogue"),
    path("transparency/csv-metadata.json", _transparency.csv_metadata, name="transparency-csv-metadata"),
    path("transparency/schema/kpis.json", _transparency.schema, name="transparency-schema"),
    path("transparency/audit/", _transparency_audit.page, name="transparency-audit"),
    path("transparency/audit/checkpoints.json", _transparency_audit.checkpoints_json, name="transparency-audit-json"),
    path("transparency/<slug:service_id>.csv", _transparency.csv_file, name="transparency-csv"),
    path("transparency/<slug:service_id>.json", _transparency.json_file, name="transparency-json"),
    path("transparency/<slug:service_id>/", _transparency.service_page, name="transparency-service"),
    path("help/", _help.help_index, name="help"),
    path("<slug:service_id>/", views.service_start, name="start"),
    path("<slug:service_id>/help/", _help.help_service, name="help-service"),
    path("<slug:service_id>/apply/", _apply.apply, name="apply"),
    path("<slug:service_id>/apply/<int:page>/", _apply.apply, name="apply-page"),
    path("<slug:service_id>/check/", _apply.check, name="check"),
    path("<slug:service_id>/consent/", _evidence_pages.consent, name="evidence-consent"),
    path("<slug:service_id>/save/", views.save, name="save"),
    path("<slug:service_id>/saved/", views.saved, name="saved"),
    path("<slug:service_id>/privacy/", _notices.privacy, name="privacy"),
    path("<slug:service_id>/accessibility/", _notices.accessibility, name="accessibility"),
]
