"""Django admin for comments (departments are groups, managed in the admin's auth section)."""

from __future__ import annotations

from django.contrib import admin

from civicflow.workbench.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("instance_id", "author_name", "created")
    search_fields = ("instance_id", "author_name")
    readonly_fields = ("instance_id", "author", "author_name", "created")
