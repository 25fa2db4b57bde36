"""Pilots on the reference building-permit service (issue #14): the split, the dashboard's figures,
adopt and stop, and their audit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicflow.kpi import Measure
from civicflow.pilots import service as pilots
from civicflow.pilots._split import in_candidate_share
from civicflow.pilots.models import Pilot, PilotAssignment, PilotStatus
from civicflow.runtime import services
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.models import ProcessInstance
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security.models import AuditEntry
from civicflow.services import service

pytestmark = pytest.mark.django_db

PROCESS = "building_permit"


def _deploy_candidate() -> None:
    """Version 2: the same model with one more comment, so a new version (its content hash differs)."""
    bpmn = service("building_permit").folder / "building_permit.bpmn"
    text = bpmn.read_text(encoding="utf-8").replace("?>", "?>\n<!-- candidate: reviews in parallel -->", 1)
    services.deploy([("building_permit.bpmn", text)], name="candidate")


@pytest.fixture
def versions() -> None:
    deploy_reference_services()
    _deploy_candidate()
    assert services.definition_for(PROCESS).version == 2


def _versions_of(keys: list[str]) -> dict[str, int]:
    rows = ProcessInstance.objects.filter(business_key__in=keys).values_list("business_key", "definition__version")
    return dict(rows)


def test_split_is_deterministic_and_uniform() -> None:
    keys = [f"BP-{i:05d}" for i in range(20_000)]
    first = [in_candidate_share("salt-a", key, Decimal("0.3")) for key in keys]
    assert first == [in_candidate_share("salt-a", key, Decimal("0.3")) for key in keys]
    assert 0.29 < sum(first) / len(keys) < 0.31
    other = [in_candidate_share("salt-b", key, Decimal("0.3")) for key in keys]
    assert other != first  # each pilot's split is its own


def test_thirty_percent_of_two_thousand_new_instances_go_to_the_candidate(versions: None) -> None:
    pilot = pilots.start(PROCESS, candidate=2, share="0.3", actor="user:analyst")
    assert (pilot.current.version, pilot.candidate.version) == (1, 2)
    # A fixed salt makes the split of these keys fixed: 614 of 2,000 (30.7%). With a random salt one
    # pilot in about 200 falls outside +-3% by chance (measured: 9 of 2,000 salts), a flaky test.
    Pilot.objects.filter(pk=pilot.pk).update(salt="pilot-test-salt")
    pilot.refresh_from_db()
    keys = [f"PILOT-{i:04d}" for i in range(2000)]
    for key in keys:
        services.start_instance(PROCESS, business_key=key)
    found = _versions_of(keys)
    candidate = sum(1 for v in found.values() if v == 2)
    assert candidate == 614  # within 30% +- 3% (540..660)
    assert sum(1 for v in found.values() if v == 1) == 2000 - candidate
    # recorded on each instance, and the record agrees with the version it runs
    recorded = dict(PilotAssignment.objects.filter(pilot=pilot).values_list("instance__business_key", "candidate"))
    assert len(recorded) == 2000
    assert all(recorded[key] == (found[key] == 2) for key in keys)
    # deterministic per business key: the same keys in this pilot land the same way
    assert all(in_candidate_share(pilot.salt, key, pilot.share) == recorded[key] for key in keys)
    summary = pilots.summary(pilot)
    assert (summary.candidate, summary.current) == (candidate, 2000 - candidate)
    assert summary.candidate_share == pytest.approx(candidate / 2000)
    # a caller naming a version is not routed
    explicit = services.start_instance(PROCESS, business_key="EXPLICIT", version=1)
    assert not PilotAssignment.objects.filter(instance=explicit).exists()


def test_a_feel_rule_limits_the_pilot_to_matching_instances(versions: None) -> None:
    pilots.start(PROCESS, candidate=2, share="1", rule='district = "north"', actor="user:analyst")
    north = services.start_instance(PROCESS, business_key="N-1", variables={"district": "north"})
    south = services.start_instance(PROCESS, business_key="S-1", variables={"district": "south"})
    unknown = services.start_instance(PROCESS, business_key="U-1")
    assert (north.definition.version, south.definition.version, unknown.definition.version) == (2, 1, 1)


def test_stop_sends_new_instances_to_the_current_version_and_lets_pilot_cases_finish(versions: None) -> None:
    pilot = pilots.start(PROCESS, candidate=2, share="1", actor="user:analyst")
    during = services.start_instance(PROCESS, business_key="D-1")
    assert during.definition.version == 2
    stopped = pilots.stop(pilot.pk, actor="user:head")
    assert stopped.status == PilotStatus.STOPPED
    after = services.start_instance(PROCESS, business_key="A-1")
    assert after.definition.version == 1
    during.refresh_from_db()
    assert (during.definition.version, during.status) == (2, "active")  # finishes on its version
    with pytest.raises(pilots.PilotRefusedError, match="already stopped"):
        pilots.adopt(pilot.pk, actor="user:head")
    actions = list(AuditEntry.objects.filter(object_type="pilot").values_list("action", "actor"))
    assert actions == [("PilotStarted", "user:analyst"), ("PilotStopped", "user:head")]


def test_adopt_sends_every_new_instance_to_the_candidate_and_can_migrate_running_ones(versions: None) -> None:
    pilot = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    for i in range(40):
        services.start_instance(PROCESS, business_key=f"R-{i}")
    on_current = list(
        ProcessInstance.objects.filter(definition__version=1, status="active").values_list("pk", flat=True)
    )
    assert on_current  # half of 40 stay on version 1
    adopted, moved = pilots.adopt(pilot.pk, actor="user:head", migrate={})
    assert adopted.status == PilotStatus.ADOPTED
    assert sorted(moved) == sorted(str(pk) for pk in on_current)
    assert not ProcessInstance.objects.filter(definition__version=1, status="active").exists()
    after = [services.start_instance(PROCESS, business_key=f"NEW-{i}") for i in range(10)]
    assert {instance.definition.version for instance in after} == {2}
    entry = AuditEntry.objects.get(action="PilotAdopted")
    assert entry.details == {"migrated": len(on_current)}
    # a version deployed after the pilot's candidate takes over again, as without pilots
    bpmn = service("building_permit").folder / "building_permit.bpmn"
    text = bpmn.read_text(encoding="utf-8").replace("?>", "?>\n<!-- version 3 -->", 1)
    services.deploy([("building_permit.bpmn", text)], name="v3")
    assert services.start_instance(PROCESS, business_key="V3-1").definition.version == 3


def test_refusals_are_clear_and_change_nothing(versions: None) -> None:
    with pytest.raises(pilots.PilotRefusedError, match=r"not in \(0, 1\]"):
        pilots.start(PROCESS, candidate=2, share="1.5", actor="user:a")
    with pytest.raises(pilots.PilotRefusedError, match="not FEEL"):
        pilots.start(PROCESS, candidate=2, share="0.3", rule='district = "north', actor="user:a")
    with pytest.raises(pilots.PilotRefusedError, match="same"):
        pilots.start(PROCESS, candidate=2, current=2, share="0.3", actor="user:a")
    with pytest.raises(NotFoundError, match="version 9"):
        pilots.start(PROCESS, candidate=9, share="0.3", actor="user:a")
    pilots.start(PROCESS, candidate=2, share="0.3", actor="user:a")
    with pytest.raises(pilots.PilotRefusedError, match="already running"):
        pilots.start(PROCESS, candidate=2, share="0.3", actor="user:a")


def test_the_comparison_shows_both_versions_kpis(versions: None) -> None:
    pilot = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    started = [services.start_instance(PROCESS, business_key=f"K-{i}") for i in range(30)]
    for instance in started[:20]:
        services.cancel_instance(instance.pk)
    catch_up()
    found = pilots.compare(pilot, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert found is not None
    arms = dict(PilotAssignment.objects.filter(pilot=pilot).values_list("instance_id", "candidate"))
    expected_candidate = sum(1 for c in arms.values() if c)
    assert (found.candidate.started, found.current.started) == (expected_candidate, 30 - expected_candidate)
    cancelled = {i.pk for i in started[:20]}
    assert found.candidate.terminated == sum(1 for pk, c in arms.items() if c and pk in cancelled)
    assert found.current.terminated == sum(1 for pk, c in arms.items() if not c and pk in cancelled)
    measures = {m.measure for m in found.measures}
    assert {Measure.PROCESSING, Measure.SLA, Measure.REWORK, Measure.INCIDENTS, Measure.SATISFACTION} <= measures
