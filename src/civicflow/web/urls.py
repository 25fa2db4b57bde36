"""URLs of the web foundation (mounted at the site root)."""

from __future__ import annotations

from django.urls import path

from civicflow.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("privacy", views.privacy, name="privacy"),
    path("theme.css", views.theme, name="theme"),
]
