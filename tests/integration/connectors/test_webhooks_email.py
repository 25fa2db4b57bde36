"""Webhook subscriptions against a real receiver that goes down; the email connector against aiosmtpd."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from civicflow.connectors import EmailPlugin, SmtpTransport
from civicflow.connectors._handlers import handler_for
from civicflow.connectors._httpx import HttpxTransport
from civicflow.connectors.deliveries import DeliveryOptions, deliver_due
from civicflow.connectors.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from civicflow.connectors.outbox import OutboxPublisher
from civicflow.connectors.signing import verify
from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.worker import claim, run_batch
from support.loopback import Receiver, service_model

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The issue asks for 60 s of receiver downtime; CIVICFLOW_TEST_WEBHOOK_DOWNTIME shortens it locally.
DOWNTIME = float(os.environ.get("CIVICFLOW_TEST_WEBHOOK_DOWNTIME", "60"))


@pytest.mark.slow
def test_webhook_receiver_down_for_a_while_loses_nothing_and_verifies_signatures(
    clock: VirtualClock, receiver: Callable[..., Receiver]
) -> None:
    verified: list[bool] = []

    def respond(request: dict[str, Any]) -> tuple[int, bytes]:
        verified.append(verify("topsecret", request["headers"], request["body"], now=int(time.time())))
        return 204, b""

    server = receiver(respond)
    WebhookSubscription.objects.create(
        name="registry", url=f"{server.url}/hook", secret="topsecret", event_types=["org.civicflow.instance.started"]
    )
    services.deploy([("wh.bpmn", service_model("wh", "noop", {}))])
    publisher = OutboxPublisher(None)
    transport = HttpxTransport()
    options = DeliveryOptions(base=0.5, cap=4.0, timeout=2.0, max_attempts=100)

    server.down = True
    started = [services.start_instance("wh") for _ in range(5)]
    assert publisher.publish_pending() == 5
    assert WebhookDelivery.objects.count() == 5  # only the subscribed type
    deadline = time.monotonic() + DOWNTIME
    while time.monotonic() < deadline:
        assert deliver_due(transport, options) == 0
        time.sleep(0.5)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 5
    assert min(WebhookDelivery.objects.values_list("attempts", flat=True)) >= 3

    server.down = False
    recovery = time.monotonic() + 30
    while WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists() and time.monotonic() < recovery:
        deliver_due(transport, options)
        time.sleep(0.2)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 5
    assert len(server.requests) == 5
    assert all(verified)
    subjects = sorted(json.loads(r["body"])["subject"] for r in server.requests)
    assert subjects == sorted(str(i.pk) for i in started)
    assert {r["headers"]["Idempotency-Key"] for r in server.requests} == {
        json.loads(r["body"])["id"] for r in server.requests
    }
    transport.close()


def test_webhook_deliveries_become_dead_letters_after_their_attempts(
    clock: VirtualClock, receiver: Callable[..., Receiver]
) -> None:
    server = receiver(lambda _r: (500, b""))
    WebhookSubscription.objects.create(name="down", url=server.url, secret="k")
    services.deploy([("dl.bpmn", service_model("dl", "noop", {}))])
    services.start_instance("dl")
    OutboxPublisher(None).publish_pending()
    options = DeliveryOptions(base=0.0, cap=0.0, max_attempts=3)
    for _ in range(5):
        deliver_due(HttpxTransport(), options)
    [dead] = WebhookDelivery.objects.all()
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 3)
    assert "500" in dead.last_error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_email_connector_sends_through_a_real_smtp_server(clock: VirtualClock) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    port = _free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    saved = jobs.HANDLERS.get("email")
    jobs.HANDLERS["email"] = handler_for(EmailPlugin(SmtpTransport("127.0.0.1", port, timeout=5)))
    try:
        model = service_model(
            "mail",
            "email",
            {
                "to": "=applicant",
                "subject": "Your permit ${caseId}",
                "subject.nl": "Uw vergunning ${caseId}",
                "body": "Dear ${name}, decided.",
                "body.nl": "Beste ${name}, besloten.",
            },
        )
        services.deploy([("mail.bpmn", model)])
        instance = services.start_instance(
            "mail", variables={"applicant": "an@example.org", "caseId": "P-7", "name": "An", "language": "nl"}
        )
        claimed = claim("mail-test", 10, clock.now(), timedelta(minutes=5))
        run_batch(claimed)
    finally:
        controller.stop()
        if saved is not None:
            jobs.HANDLERS["email"] = saved
    assert services.get_instance(instance.pk).status == "completed"
    [mail] = received
    assert mail["To"] == "an@example.org"
    assert mail["Subject"] == "Uw vergunning P-7"
    assert mail.get_payload().strip() == "Beste An, besloten."
    assert mail["Idempotency-Key"]
