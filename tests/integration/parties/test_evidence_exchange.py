"""Evidence exchange between two CivicFlow installations over the real NATS at 127.0.0.1:4222.

The provider (the municipality that issues building permits) is a separate process,
``civicflow evidence serve --agency municipality``, with its own SQLite database seeded with a
party and the permit it was issued; the requester (the tax office) is this test process.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civicflow.connectors._nats import JetStreamBus
from civicflow.parties import give_consent, party_for_identity, withdraw_consent
from civicflow.parties.evidence import (
    ConsentRequiredError,
    ExchangeSettings,
    case_evidence,
    evidence_variable,
    request_evidence,
)
from civicflow.parties.evidence_protocol import (
    EvidenceRequest,
    parse_answer,
    request_subject,
    signed,
)
from civicflow.parties.models import EvidenceExchange, Party
from civicflow.runtime import services
from civicflow.security.models import AuditEntry
from civicflow.services import service
from support.nats import NATS_URL, ensure_nats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

NATIONAL_ID = "999990019"
PERMIT = "BP-2026-000042"
SECRET = "shared-between-the-two-agencies"
PURPOSE = "evidence:building-permit"

SEED = f"""
import hashlib, uuid
from datetime import UTC, datetime
from civicflow.parties import party_for_identity, record_case
from civicflow.portal.models import IssuedDocument
now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
party = party_for_identity(scheme="national-id", identifier="{NATIONAL_ID}", now=now)
permit_case = uuid.uuid4()
record_case(party, instance_id=permit_case, service="building_permit", reference="{PERMIT}", now=now)
content = b"%PDF-1.4 permit {PERMIT}"
IssuedDocument.objects.create(
    instance_id=permit_case, reference="{PERMIT}", kind="permit", name="Building permit {PERMIT}.pdf",
    media_type="application/pdf", content=content, sha256=hashlib.sha256(content).hexdigest(), issued=now,
)
other = party_for_identity(scheme="national-id", identifier="111222333", now=now)
print(party.id)
"""

RECORDS = """
import json
from civicflow.parties.models import EvidenceExchange
from civicflow.security.models import AuditEntry
print(json.dumps({
    "exchanges": [
        {"state": e.state, "requester": e.requester, "provider": e.provider, "request": e.request_event_id,
         "party": str(e.party_id), "answer": e.answer, "reason": e.reason}
        for e in EvidenceExchange.objects.order_by("requested_at", "id")
    ],
    "audit": [
        {"actor": a.actor, "action": a.action, "object": [a.object_type, a.object_ref], "details": a.details}
        for a in AuditEntry.objects.filter(action__startswith="Evidence").order_by("seq")
    ],
}))
"""


@dataclass(frozen=True, slots=True)
class Provider:
    folder: Path
    env: dict[str, str]
    prefix: str
    party_id: str

    def django(self, script: str) -> str:
        code = f"import django\ndjango.setup()\n{script}"
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def records(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.django(RECORDS))
        return found


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The municipality's installation: its own database and keys, answering on the bus."""
    reason = ensure_nats()
    if reason is not None:
        pytest.skip(f"NATS unavailable: {reason}")
    folder = tmp_path_factory.mktemp("municipality")
    prefix = f"exchange-test-{uuid.uuid4().hex[:8]}"  # runs side by side never answer each other
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="civicflow.site.settings",
        CIVICFLOW_DATABASE_URL=f"sqlite:///{folder / 'municipality.sqlite3'}",
        CIVICFLOW_INSTANCE_DIR=str(folder / "instance"),
        CIVICFLOW_NATS_URL=NATS_URL,
        CIVICFLOW_EVIDENCE_AGENCY="municipality",
        CIVICFLOW_EVIDENCE_PREFIX=prefix,
        CIVICFLOW_EVIDENCE_SECRET=SECRET,
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input"],
        check=False,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    made = Provider(folder=folder, env=env, prefix=prefix, party_id="")
    party_id = made.django(SEED).strip()
    civicflow = Path(sys.executable).with_name("civicflow")
    process = subprocess.Popen(
        [str(civicflow), "evidence", "serve", "--agency", "municipality"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output = process.stdout
    assert output is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in output], daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=60)
    except queue.Empty:
        process.kill()
        process.wait(timeout=30)
        output.close()
        pytest.fail("civicflow evidence serve said nothing within 60 s")
    assert first.startswith("answering evidence requests for municipality on "), first
    assert "building-permit" in first
    try:
        yield Provider(folder=folder, env=env, prefix=prefix, party_id=party_id)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        reader.join(5)
        output.close()
        assert code == 0, "".join(lines.queue)


@pytest.fixture
def bus() -> Iterator[JetStreamBus]:
    made = JetStreamBus(NATS_URL, timeout=2.0)
    yield made
    made.close()


def settings(provider: Provider, *, secret: str = SECRET) -> ExchangeSettings:
    return ExchangeSettings(agency="tax-office", prefix=provider.prefix, secret=secret, timeout=5.0, nats_url=NATS_URL)


def claim() -> uuid.UUID:
    """A running tax refund claim: the case the evidence is for."""
    tax_refund = service("tax_refund")
    services.deploy(tax_refund.files(), name="reference:tax_refund")
    variables = {
        "claimId": "TR-2026-000007",
        "claimantId": "citizen:7",
        "claimantName": "A. de Vries",
        "claimantEmail": "a.devries@example.org",
        "residentStatus": "resident",
        "taxYear": 2025,
        "taxableIncome": 41000,
        "taxPaid": 14000,
        "deductions": 2500,
        "iban": "NL91ABNA0417164300",
        "language": "en",
    }
    instance = services.start_instance(tax_refund.process_id, business_key="TR-2026-000007", variables=variables)
    assert instance.status == "active"
    return instance.pk


def citizen(now: datetime) -> Party:
    return party_for_identity(scheme="national-id", identifier=NATIONAL_ID, now=now)


def consent(party: Party, now: datetime, provider: str = "municipality") -> Any:
    return give_consent(
        party, purpose=PURPOSE, service="tax_refund", provider=provider, text_version="tr-permit-1", now=now
    )


def ask(
    provider: Provider,
    bus: Any,
    party: Party,
    *,
    agency: str = "municipality",
    instance_id: uuid.UUID | None = None,
    secret: str = SECRET,
) -> EvidenceExchange:
    return request_evidence(
        party,
        evidence_type="building-permit",
        provider=agency,
        instance_id=instance_id,
        bus=bus,
        settings=settings(provider, secret=secret),
    )


def case_audit(instance_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(object_type="instance", object_ref=str(instance_id))
    return [(row.action, row.details.get("state", "")) for row in rows.order_by("seq") if "Evidence" in row.action]


def test_with_consent_the_provider_gives_the_permit_and_both_sides_record_it(provider: Provider, bus: Any) -> None:
    now = timezone.now()
    party = citizen(now)
    given = consent(party, now)
    instance_id = claim()

    exchange = ask(provider, bus, party, instance_id=instance_id)

    assert exchange.state == "provided", exchange.reason
    [permit] = exchange.answer["permits"]
    assert permit["reference"] == PERMIT
    assert permit["mediaType"] == "application/pdf"
    assert exchange.consent_id == given.pk
    assert exchange.response_event_id
    assert PERMIT not in exchange.answer_sealed  # sealed at rest under the party
    # on the case: the audit trail and a variable the caseworker sees with the case's data
    assert case_audit(instance_id) == [("EvidenceRequested", "requested"), ("EvidenceProvided", "provided")]
    variable = services.variables(instance_id)[evidence_variable("building-permit")]
    assert variable["state"] == "provided"
    assert variable["evidence"]["permits"][0]["reference"] == PERMIT
    assert variable["consentId"] == str(given.pk)
    given.refresh_from_db()
    assert given.instance_id == instance_id  # the consent now names the case it served
    [shown] = case_evidence(instance_id)  # the case page's "Evidence from other agencies"
    assert shown.state == "provided"
    assert shown.items == (f"{PERMIT}, Building permit {PERMIT}.pdf, {permit['issued']}",)
    assert shown.consent_text_version == "tr-permit-1"
    # in the party record
    assert list(party.evidence_exchanges.values_list("state", flat=True)) == ["provided"]

    # the provider recorded what it gave, to whom, under which consent
    records = provider.records()
    theirs = [e for e in records["exchanges"] if e["request"] == exchange.request_event_id]
    assert theirs == [
        {
            "state": "provided",
            "requester": "tax-office",
            "provider": "municipality",
            "request": exchange.request_event_id,
            "party": provider.party_id,
            "answer": {"permits": [permit]},
            "reason": "",
        }
    ]
    [entry] = [a for a in records["audit"] if a["details"]["request"] == exchange.request_event_id]
    assert entry["actor"] == "agency:tax-office"
    assert entry["action"] == "EvidenceProvided"
    assert entry["object"] == ["party", provider.party_id]
    assert entry["details"]["consent"] == str(given.pk)
    assert entry["details"]["consent_text_version"] == "tr-permit-1"


def test_without_consent_the_requester_refuses_before_sending(provider: Provider, bus: Any) -> None:
    party = citizen(timezone.now())
    before = len(provider.records()["audit"])

    with pytest.raises(ConsentRequiredError, match="no active consent"):
        ask(provider, bus, party)

    assert not EvidenceExchange.objects.exists()
    assert len(provider.records()["audit"]) == before  # the municipality never heard of it


def test_a_withdrawn_consent_is_no_consent(provider: Provider, bus: Any) -> None:
    now = timezone.now()
    party = citizen(now)
    withdraw_consent(consent(party, now), now=now)
    # a consent for another provider does not cover this one either
    consent(party, now, provider="chamber-of-commerce")

    with pytest.raises(ConsentRequiredError):
        ask(provider, bus, party)
    assert not EvidenceExchange.objects.exists()


def forged(provider: Provider, bus: Any, *, consent_id: str = "", secret: str = SECRET) -> Any:
    """A request put straight on the bus, past the requester's checks."""
    request = EvidenceRequest(
        id=str(uuid.uuid4()),
        requester="tax-office",
        provider="municipality",
        evidence_type="building-permit",
        scheme="national-id",
        identifier=NATIONAL_ID,
        purpose=PURPOSE,
        consent_id=consent_id,
        consent_given_at=datetime(2026, 3, 1, tzinfo=UTC) if consent_id else None,
        consent_text_version="tr-permit-1" if consent_id else "",
        reply_to=f"_INBOX.forged.{uuid.uuid4().hex}",
        time=timezone.now(),
    )
    body = request.to_event().to_json()
    delivery = bus.request(
        request_subject(provider.prefix, "municipality"),
        body,
        reply_to=request.reply_to,
        headers=signed(secret, body, now=int(datetime.now(UTC).timestamp())),
        timeout=5.0,
    )
    answer = parse_answer(delivery.data)
    assert answer.request_id == request.id
    return answer


def test_the_provider_refuses_a_forged_request_without_consent(provider: Provider, bus: Any) -> None:
    answer = forged(provider, bus)  # signed with the shared secret, but no consent

    assert not answer.provided
    assert answer.reason.startswith("no consent")
    assert answer.evidence == {}
    records = provider.records()
    [entry] = [a for a in records["audit"] if a["details"]["request"] == answer.request_id]
    assert entry["action"] == "EvidenceRefused"
    assert entry["details"]["consent"] is None
    # the refusal is in the subject's record at the municipality too
    [theirs] = [e for e in records["exchanges"] if e["request"] == answer.request_id]
    assert theirs["state"] == "refused"
    assert theirs["answer"] is None


def test_the_provider_refuses_a_request_not_signed_with_the_shared_secret(provider: Provider, bus: Any) -> None:
    answer = forged(provider, bus, consent_id=str(uuid.uuid4()), secret="guessed")

    assert not answer.provided
    assert answer.reason == "the request's signature is not valid"
    records = provider.records()
    assert not [e for e in records["exchanges"] if e["request"] == answer.request_id]  # nothing in anyone's record


def test_the_requester_refuses_an_answer_without_the_shared_signature(provider: Provider, bus: Any) -> None:
    now = timezone.now()
    party = citizen(now)
    consent(party, now)

    exchange = ask(provider, bus, party, secret="not-the-shared-one")

    # the provider refused the request (bad signature) and signed its refusal, which we cannot verify
    assert exchange.state == "failed"
    assert exchange.reason == "the answer's signature is not valid"
    assert exchange.answer is None


def test_no_provider_on_the_bus_fails_the_exchange_in_bounded_time(provider: Provider, bus: Any) -> None:
    now = timezone.now()
    party = citizen(now)
    consent(party, now, provider="land-registry")
    instance_id = claim()
    started = datetime.now(UTC)

    exchange = ask(provider, bus, party, agency="land-registry", instance_id=instance_id)

    assert (datetime.now(UTC) - started).total_seconds() < 10
    assert exchange.state == "failed"
    assert "land-registry.evidence.requested" in exchange.reason
    assert case_audit(instance_id) == [("EvidenceRequested", "requested"), ("EvidenceFailed", "failed")]
    assert services.variables(instance_id)[evidence_variable("building-permit")]["state"] == "failed"


def test_serve_refuses_a_bad_agency_name_in_one_line(provider: Provider) -> None:
    civicflow = Path(sys.executable).with_name("civicflow")
    done = subprocess.run(
        [str(civicflow), "evidence", "serve", "--agency", "Town Hall"],
        check=False,
        cwd=provider.folder,
        env=provider.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == ("civicflow: error: agency name 'Town Hall': use lower-case letters, digits and hyphens\n")
