"""Under real concurrency (PostgreSQL): one message, many senders, exactly one delivery."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.clock import using_clock
from civicflow.runtime.errors import MessageNotCorrelatedError
from civicflow.runtime.models import BufferedMessage, HistoryEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_twenty_concurrent_correlations_advance_the_instance_once(models: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs several connections at once (runs in the PostgreSQL pass)")
    from civicflow.runtime.definitions import clear_caches

    clear_caches()
    clock = VirtualClock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    with using_clock(clock):
        services.deploy([models / "documents.bpmn"])
        instance = services.start_instance("documents", variables={"caseId": "K-1"})
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def send(n: int) -> None:
        try:
            with using_clock(clock):
                barrier.wait()
                result = services.correlate_message("Documents", "K-1", {"sender": n})
            outcomes.append("delivered" if result.instance is not None else "buffered")
        except MessageNotCorrelatedError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["delivered"] + ["refused"] * 19
    assert services.get_instance(instance.pk).status == "completed"
    assert HistoryEvent.objects.filter(instance_id=instance.pk, type="MessageCorrelated").count() == 1
    assert not BufferedMessage.objects.exists()
    clear_caches()
