"""API tokens in the Django admin: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from civicflow.api.models import ApiToken
from civicflow.api.tokens import InvalidScopeError, check_scopes, create_token, forget_verified


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes_text = forms.CharField(
        label="Scopes", help_text="space-separated: read, start, admin, work:<topic> (work:* for every topic)"
    )

    class Meta:
        model = ApiToken
        fields = ("name",)

    def clean_scopes_text(self) -> list[str]:
        try:
            return check_scopes(self.cleaned_data["scopes_text"].split())
        except InvalidScopeError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "prefix", "scope_list", "created", "last_used", "revoked")
    readonly_fields = ("prefix", "scopes", "created", "last_used", "revoked")
    actions = ("revoke",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("name", "scopes_text")
        return ("name", "prefix", "scopes", "created", "last_used", "revoked")

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiToken) -> str:
        return " ".join(obj.scopes)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = create_token(form.cleaned_data["name"], form.cleaned_data["scopes_text"])
        obj.pk = issued.token.pk
        obj.prefix = issued.token.prefix
        # the only time the secret is visible: it is stored as a hash
        messages.warning(request, f"Copy the token now, it is not shown again: {issued.plaintext}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        forget_verified()  # this process's token cache; other processes expire theirs within seconds
        self.message_user(request, f"{count} token(s) revoked")
