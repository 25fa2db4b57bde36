"""Staff see webhook subscriptions and every delivery; dead letters can be sent again from here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from civicflow.connectors.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

__all__ = ["WebhookDeliveryAdmin", "WebhookSubscriptionAdmin"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "url", "active", "created")
    list_filter = ("active",)
    search_fields = ("name", "url")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "event_type", "event_id", "url", "status", "attempts", "last_status", "created")
    list_filter = ("status", "event_type", "subscription")
    search_fields = ("event_id", "url", "last_error")
    readonly_fields = ("event_id", "event_type", "body", "created", "delivered_at", "last_error", "last_status")
    actions = ("retry",)

    @admin.action(description="Send again (dead letters and pending deliveries)")
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        # a service task's dead letter has no subscription (and so no secret): it is retried
        # by retrying the job's incident, not from here
        count = (
            queryset.filter(subscription__isnull=False)
            .exclude(status=DeliveryStatus.DELIVERED)
            .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
        )
        self.message_user(request, f"{count} deliveries queued again.")
