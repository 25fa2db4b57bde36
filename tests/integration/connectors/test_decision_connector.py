"""The ``decision`` connector against the runtime's decision port (latest deployed DMN version)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.connectors._decision import DecisionPlugin
from civicflow.connectors._plugin import Call
from civicflow.runtime import services
from civicflow.services import service

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_decision_connector_puts_the_decision_value_in_its_result_variable(db: Any) -> None:
    from civicflow.runtime.definitions import clear_caches

    clear_caches()
    services.deploy(service("building_permit").files(), name="reference:building_permit")
    variables = {"buildingType": "extension", "floorArea": 40, "heritageZone": False}
    call = Call(
        instance_id="i",
        element_id="fee",
        element_instance=3,
        attempt=1,
        retries=3,
        variables=variables,
        options={"decisionId": "building_permit_fee", "resultVariable": "fee"},
    )
    plugin = DecisionPlugin()
    result = plugin.run(call, plugin.options(call))
    assert result is not None
    assert set(result) == {"fee"}
    assert isinstance(result["fee"], int | float | Decimal)  # the value itself, not the port's outcome
