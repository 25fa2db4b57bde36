"""Lifecycle events on a real NATS JetStream: once per id across a restart; inbound correlation."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import nats
import pytest

from civicflow.connectors._nats import STREAM, JetStreamBus
from civicflow.connectors.cloudevents import CloudEvent
from civicflow.connectors.inbound import Consumer, InboundMapping
from civicflow.connectors.outbox import OutboxPublisher, PublisherOptions
from civicflow.connectors.ports import BusMessage
from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.models import Outbox
from support.nats import NATS_URL, ensure_nats, restart_nats, stop_nats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def bus() -> Iterator[JetStreamBus]:
    reason = ensure_nats()
    if reason is not None:
        pytest.skip(f"NATS JetStream unavailable: {reason}")
    made = JetStreamBus(NATS_URL, timeout=2.0)
    yield made
    made.close()


def stored(prefix: str) -> list[dict[str, object]]:
    """Every CloudEvent stored in the stream under ``prefix.>``, read with an ordered consumer."""

    async def go() -> list[dict[str, object]]:
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        sub = await js.subscribe(f"{prefix}.>", stream=STREAM, ordered_consumer=True)
        found = []
        try:
            while True:
                msg = await sub.next_msg(timeout=1.0)
                found.append(json.loads(msg.data))
        except nats.errors.TimeoutError:
            pass
        await nc.close()
        return found

    return asyncio.run(go())


def test_outbox_events_published_once_per_id_across_a_nats_restart(clock: VirtualClock, bus: JetStreamBus) -> None:
    from support.loopback import service_model

    prefix = f"civicflow.test{uuid.uuid4().hex[:8]}"
    publisher = OutboxPublisher(bus, PublisherOptions(subject_prefix=prefix, source="civicflow-test"))
    services.deploy([("ev.bpmn", service_model("ev", "noop", {}))])
    first = services.start_instance("ev")
    assert publisher.publish_pending() == 1  # InstanceStarted

    stop_nats()
    try:
        second = services.start_instance("ev")
        assert publisher.publish_pending() == 0  # the bus is down: nothing lost, nothing marked
        assert Outbox.objects.filter(published_at__isnull=True).count() == 1
    finally:
        restart_nats()
    assert publisher.publish_pending() == 1

    # a publisher that died after the ack and before its commit publishes the same rows again:
    # JetStream drops them by Nats-Msg-Id, even after the restart
    Outbox.objects.update(published_at=None)
    assert publisher.publish_pending() == 2
    restart_nats()
    Outbox.objects.update(published_at=None)
    assert publisher.publish_pending() == 2

    events = stored(prefix)
    assert sorted(str(e["subject"]) for e in events) == sorted([str(first.pk), str(second.pk)])
    assert len({e["id"] for e in events}) == len(events) == 2
    assert {e["type"] for e in events} == {"org.civicflow.instance.started"}
    assert all(e["specversion"] == "1.0" and e["source"] == "civicflow-test" for e in events)
    assert not Outbox.objects.filter(published_at__isnull=True).exists()


MESSAGE_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://civicflow.example/in">
  <bpmn:message id="m" name="PaymentReceived">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_inbound_cloudevent_correlates_a_waiting_instance(clock: VirtualClock, bus: JetStreamBus) -> None:
    services.deploy([("pay.bpmn", MESSAGE_MODEL)])
    instance = services.start_instance("pay", variables={"caseId": "C-42"})
    subject = f"civicflow.inbound{uuid.uuid4().hex[:8]}.payments"
    consumer = Consumer(bus, subject, InboundMapping(types={"org.example.payment.received": "PaymentReceived"}))
    assert consumer.poll(wait=0.2) == 0  # creates the durable consumer
    run = uuid.uuid4().hex[:8]  # ids unique per run: JetStream remembers them for its duplicate window
    event = CloudEvent(
        id=f"pay-{run}", source="bank", type="org.example.payment.received", subject="C-42", data={"amount": 120}
    )
    bus.publish(BusMessage(subject=subject, data=event.to_json(), msg_id=f"pay-{run}"))
    bus.publish(BusMessage(subject=subject, data=b"not a cloudevent", msg_id=f"junk-{run}"))
    outcomes: list[str] = []
    for _ in range(10):
        outcomes += [consumer.handle(d) for d in bus.fetch(subject, consumer.durable, wait=0.5)]
        if len(outcomes) >= 2:
            break
    assert sorted(outcomes) == ["ack", "term"]
    assert consumer.correlated == 1
    assert services.get_instance(instance.pk).status == "completed"
    assert services.variables(instance.pk)["amount"] == 120
    assert consumer.poll(wait=0.5) == 0  # acked (and the junk terminated): nothing comes back
