"""Prefill plugins against real sources: the party record, earlier applications, a register on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from civicflow import parties
from civicflow.forms import PrefillRequest, PrefillSource
from civicflow.parties.models import Party
from civicflow.parties.prefill import (
    BasePrefillPlugin,
    PrefillContext,
    PrefillError,
    PrefillRegistry,
    PrefillValue,
    builtin_registry,
    find_values,
    plugins_for,
)
from civicflow.parties.prefill_applications import ApplicationsOptions, ApplicationsPrefill
from civicflow.parties.prefill_party import PartyOptions, PartyPrefill
from civicflow.parties.prefill_registry import RegistryOptions, RegistryPrefill, resolve_pointer
from civicflow.runtime import services
from civicflow.services import service
from support.registry import FakeRegister, running_register

pytestmark = pytest.mark.django_db

NESTED = {"name": "/name", "address": "/address", "postcode": "/residence/postcode", "birthDate": "/birth/date"}


@pytest.fixture(scope="module")
def register() -> Iterator[FakeRegister]:
    with running_register(slow_seconds=2.0) as running:
        yield running


def _party(identifier: str = "999990019", scheme: str = "national-id") -> Party:
    return parties.party_for_identity(scheme=scheme, identifier=identifier, now=timezone.now())


def _context(party: Party, service_id: str = "tax_refund") -> PrefillContext:
    return PrefillContext(party=party, service=service_id)


def _registry(register: FakeRegister, **options: object) -> RegistryPrefill:
    options.setdefault("timeout", 20.0)  # a loaded test machine answers slowly even on loopback
    return RegistryPrefill(RegistryOptions(url=register.template, **options))  # type: ignore[arg-type]


def test_the_party_plugin_gives_the_record_s_contact_details() -> None:
    party = _party()
    party.set_name("Jan de Boer")
    party.set_phone("+31 6 12345678")
    party.save()
    found = PartyPrefill(PartyOptions()).fetch(_context(party), frozenset({"name", "phone", "email"}))
    assert {a: v.value for a, v in found.items()} == {"name": "Jan de Boer", "phone": "+31 6 12345678"}
    assert found["name"].source == "party"


def test_the_applications_plugin_takes_the_newest_application_s_answer_per_attribute() -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    party = _party()
    now = timezone.now()
    older = services.start_instance(
        permit.process_id,
        business_key="BP-2026-000001",
        variables={"applicantName": "J. de Boer", "applicantEmail": "jan@example.org", "address": "Oud 1"},
    )
    newer = services.start_instance(
        permit.process_id, business_key="BP-2026-000002", variables={"applicantName": "Jan de Boer", "address": ""}
    )
    stranger = services.start_instance(permit.process_id, business_key="BP-2026-000003", variables={"address": "X"})
    parties.record_case(party, instance_id=older.pk, service="building_permit", reference="BP-2026-000001", now=now)
    later = now + timedelta(minutes=5)
    parties.record_case(party, instance_id=newer.pk, service="building_permit", reference="BP-2026-000002", now=later)
    parties.record_case(_party("111111110"), instance_id=stranger.pk, service="building_permit", now=later)
    plugin = ApplicationsPrefill(ApplicationsOptions())
    found = plugin.fetch(_context(party), frozenset({"name", "address", "email", "phone"}))
    assert {a: (v.value, v.reference) for a, v in found.items()} == {
        "name": ("Jan de Boer", "BP-2026-000002"),  # the newest
        "address": ("Oud 1", "BP-2026-000001"),  # the newest has none: the one before
        "email": ("jan@example.org", "BP-2026-000001"),
    }
    assert plugin.source_detail("BP-2026-000002") == "application BP-2026-000002"
    # a mapping of the options decides which variable holds what
    mapped = ApplicationsPrefill(ApplicationsOptions(fields={"building_permit": {"name": "address"}}))
    assert mapped.fetch(_context(party), frozenset({"name"}))["name"].value == "Oud 1"


def test_the_registry_plugin_reads_the_answer_through_json_pointers(register: FakeRegister) -> None:
    plugin = _registry(register, mapping=NESTED)
    found = plugin.fetch(_context(_party()), frozenset({"name", "postcode", "birthDate", "city"}))
    assert {a: v.value for a, v in found.items()} == {
        "name": "Jan de Boer",
        "postcode": "1234 AB",
        "birthDate": "1980-02-29",
    }
    assert register.requests[-1] == "/people/national-id/999990019"


def test_the_identifier_is_url_encoded_into_the_template(register: FakeRegister) -> None:
    party = _party("jan+test/../x@example.org", scheme="email")
    assert _registry(register).fetch(_context(party), frozenset({"name"})) == {}  # unknown: 404
    assert register.requests[-1] == "/people/email/jan%2Btest%2F..%2Fx%40example.org"


@pytest.mark.parametrize(
    ("identifier", "timeout", "message"),
    [
        ("broken", 20.0, "answered HTTP 500"),
        ("slow", 0.5, "no answer within 0.5 s"),
        ("dripping", 0.5, "no answer within 0.5 s"),
        ("huge", 20.0, "larger than 65536 bytes"),
        ("garbage", 20.0, "not JSON"),
    ],
)
def test_a_failing_registry_raises_a_prefill_error(
    register: FakeRegister, identifier: str, timeout: float, message: str
) -> None:
    plugin = _registry(register, timeout=timeout)
    with pytest.raises(PrefillError, match=message):
        plugin.fetch(_context(_party(identifier)), frozenset({"name"}))


def test_an_unknown_person_or_an_unreachable_registry(register: FakeRegister) -> None:
    assert _registry(register).fetch(_context(_party("123")), frozenset({"name"})) == {}
    stopped = FakeRegister()  # made, never started: its port refuses connections
    stopped.stop()
    with pytest.raises(PrefillError, match=r"unavailable \(ConnectError\)"):
        _registry(stopped).fetch(_context(_party()), frozenset({"name"}))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": "ftp://x/{identifier}"}, "must be http"),
        ({"url": "http://x/people"}, "contain {identifier}"),
        ({"url": "http://x/{identifier}/{other}"}, "malformed"),
        ({"url": "http://x/{identifier}", "timeout": 0}, "timeout"),
        ({"url": "http://x/{identifier}", "mapping": {"shoeSize": "/x"}}, "unknown attribute"),
        ({"url": "http://x/{identifier}", "mapping": {"name": "name"}}, "JSON pointer"),
    ],
)
def test_malformed_registry_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(PrefillError, match=message):
        RegistryOptions(**options)  # type: ignore[arg-type]


def test_json_pointers_follow_rfc_6901() -> None:
    document = {"a/b": {"m~n": [10, 20]}, "": 1}
    assert resolve_pointer(document, "/a~1b/m~0n/1") == 20
    assert resolve_pointer(document, "/") == 1
    assert resolve_pointer(document, "/a~1b/m~0n/2") is None
    assert resolve_pointer(document, "/missing/x") is None


def _requests(*declared: tuple[str, str]) -> tuple[PrefillRequest, ...]:
    made = []
    for key, sources in declared:
        parsed = tuple(PrefillSource(source=s.split(".")[0], attribute=s.split(".")[1]) for s in sources.split(","))
        made.append(PrefillRequest(path=(key,), sources=parsed))
    return tuple(made)


def test_the_first_source_with_a_value_wins_and_a_failing_source_only_logs(
    register: FakeRegister, caplog: pytest.LogCaptureFixture
) -> None:
    party = _party("broken")
    party.set_address("Kade 2, Utrecht")
    party.save()
    requests = _requests(("homeAddress", "registry.address,party.address"), ("name", "registry.name,party.name"))
    plugins = {"registry": _registry(register), "party": PartyPrefill(PartyOptions())}
    with caplog.at_level(logging.WARNING, logger="civicflow.parties.prefill"):
        values = find_values(_context(party), requests, plugins=plugins)
    assert values == {("homeAddress",): PrefillValue(attribute="address", value="Kade 2, Utrecht", source="party")}
    assert "prefill source 'registry' gave nothing" in caplog.text
    assert "broken" not in caplog.text  # the identifier is not logged
    # a working registry comes first
    values = find_values(_context(_party()), requests, plugins=plugins)
    assert values[("homeAddress",)].value == "Dorpsstraat 1, 1234 AB Ons Dorp"
    assert values[("homeAddress",)].source == "registry"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Fixed:
    value: str


class _FixedPlugin(BasePrefillPlugin[_Fixed]):
    attributes = frozenset({"name"})

    @classmethod
    def default_options(cls) -> _Fixed:
        return _Fixed(value="from the settings")

    def purpose(self) -> str:
        return "testing"

    def describe(self, reference: str) -> str:
        return "a test"

    def source_detail(self, reference: str) -> str:
        return "test"

    def fetch(self, context: PrefillContext, attributes: frozenset[str]) -> Mapping[str, PrefillValue]:
        return {"name": PrefillValue(attribute="name", value=self.options.value, source=self.name)}


def test_a_registry_of_its_own_with_typed_options() -> None:
    registry = PrefillRegistry()
    registry.register("fixed")(_FixedPlugin)
    assert list(registry) == ["fixed"]
    assert "party" not in registry
    requests = _requests(("name", "fixed.name"), ("other", "unknown.name"))
    plugins = plugins_for(requests, registry)
    assert plugins["fixed"].options == _Fixed(value="from the settings")
    assert registry.create("fixed", _Fixed(value="given")).options == _Fixed(value="given")
    values = find_values(_context(_party()), requests, plugins=plugins)
    assert {path: v.value for path, v in values.items()} == {("name",): "from the settings"}
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("fixed")(PartyPrefill)
    assert {"party", "applications", "registry"} <= set(builtin_registry())


def test_a_misconfigured_registry_setting_leaves_the_plugin_out(
    settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CIVICFLOW_PREFILL_REGISTRY_URL = "http://registry.example/people"  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="civicflow.parties.prefill"):
        plugins = plugins_for(_requests(("homeAddress", "registry.address,party.address")))
    assert set(plugins) == {"party"}
    assert "prefill source 'registry' is misconfigured" in caplog.text
