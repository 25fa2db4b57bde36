"""The world the authorization matrix requests URLs in (issue #11), built once per test module.

Two departments' worth of people (intake is department A, fire safety department B), the
reference building permit with a case at Intake's task, an incident, an external task of topic
``registry-lookup``, API tokens of every scope (one revoked), and two citizens: Anna owns an
application whose case waits for her documents and asks her a question; Bert owns none of it.
Accounts get no password: hashing one costs far more than the requests the matrix makes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from civicflow.api.auth import TokenPrincipal
from civicflow.api.models import ApiToken
from civicflow.api.tokens import create_token, revoke_token
from civicflow.portal import _secrets
from civicflow.portal.models import Application, CitizenAccount, Document, IssuedDocument
from civicflow.runtime import services
from civicflow.runtime.definitions import clear_caches
from civicflow.runtime.models import Incident, Job, JobKind, ProcessInstance, UserTask
from civicflow.security import policy
from civicflow.services import service
from civicflow.web.attachments import document_storage
from support.workbench import APPLICATION

__all__ = ["ACCOUNTS", "TOKENS", "World", "build_world", "world_in_a_transaction"]

API_MODELS = Path(__file__).parent.parent / "integration" / "api" / "models"

# role -> (username, groups, is_staff); "system-admin" is a superuser
ACCOUNTS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "citizen": ("carla", (), False),
    "staff-without-role": ("nobody", (), True),
    "caseworker-a": ("ingrid", ("intake",), True),
    "head-a": ("hanna", ("intake", "intake-head"), True),
    "caseworker-b": ("frank", ("fire-safety",), True),
    "process-admin": ("paul", ("process-admins",), True),
    "auditor": ("aud", ("auditors",), True),
    "system-admin": ("root", (), True),
}
TOKENS: dict[str, tuple[str, ...]] = {
    "token-read": ("read",),
    "token-start": ("start",),
    "token-admin": ("admin",),
    "token-metrics": ("metrics",),
    "token-work": ("work:registry-lookup",),
    "token-wrong-topic": ("work:payments",),
    "token-revoked": ("admin",),
}
TOPIC = "registry-lookup"

# a case of Anna's: it waits for her documents (the portal's "send documents" page) and asks her a
# question with a form (the portal's request page) at the same time
CITIZEN_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_matrix" targetNamespace="https://example.org">
  <bpmn:message id="Message_documents" name="DocumentsSupplied">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="matrix_citizen" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="ask" name="Answer our request">
      <bpmn:extensionElements><zeebe:formDefinition formId="matrix-request" />
        <zeebe:assignmentDefinition assignee="=applicantId" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:receiveTask id="await_documents" name="Wait for documents" messageRef="Message_documents">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:receiveTask>
    <bpmn:endEvent id="end_ask"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_documents"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="ask" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="await_documents" />
    <bpmn:sequenceFlow id="f4" sourceRef="ask" targetRef="end_ask" />
    <bpmn:sequenceFlow id="f5" sourceRef="await_documents" targetRef="end_documents" />
  </bpmn:process>
</bpmn:definitions>
"""
CITIZEN_FORM = '{"id": "matrix-request", "type": "default", "components": [{"type": "textfield", "key": "note"}]}'


@dataclass(slots=True, kw_only=True)
class World:
    """The objects the matrix's URLs name, and the principals that request them."""

    accounts: dict[str, User]
    sessions: dict[str, str]  # role -> session key of a signed-in session (signing in per test costs more)
    tokens: dict[str, str]  # name -> token text
    token_rows: dict[str, ApiToken]
    case: ProcessInstance  # Intake's case (department A)
    task: UserTask  # its open task, offered to intake
    document: Document  # a citizen's upload on the case
    incident: Incident
    process: str
    external: Job  # an external task of TOPIC
    anna: CitizenAccount
    bert: CitizenAccount
    application: Application  # Anna's
    request: UserTask  # the question her case asks her
    upload: Document  # her upload
    issued: IssuedDocument  # a document issued to her
    extra: dict[str, Any] = field(default_factory=dict)

    def principal(self, name: str) -> Any:
        """What the policy is asked about for ``name``: an account, a token principal, or None."""
        if name in self.accounts:
            return self.accounts[name]
        if name in self.token_rows:
            return TokenPrincipal(self.token_rows[name])
        return None

    def visitor(self, name: str) -> policy.Visitor:
        """A portal session as the policy sees it (see :meth:`portal_client`)."""
        match name:
            case "owner":
                return policy.Visitor(account_id=self.anna.pk)
            case "other-citizen":
                return policy.Visitor(account_id=self.bert.pk)
            case "secret":
                return policy.Visitor(references=frozenset({self.application.reference}))
        return policy.Visitor()  # anonymous, and staff (the portal has no staff accounts)

    def client(self, role: str) -> Client:
        """A client signed in as ``role`` (an account role), or anonymous."""
        client = Client()
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def portal_client(self, name: str) -> Client:
        if name in ("staff", "system-admin"):
            return self.client("caseworker-a" if name == "staff" else name)
        client = Client()
        session = client.session
        if name in ("owner", "other-citizen"):
            session["portal_citizen"] = (self.anna if name == "owner" else self.bert).pk
        if name == "secret":
            session["portal:access"] = [self.application.reference]  # as after giving the secret
        session.save()  # the client's session cookie already names it
        return client


def _account(role: str) -> User:
    username, groups, is_staff = ACCOUNTS[role]
    user = User.objects.create(username=username, is_staff=is_staff, is_superuser=role == "system-admin")
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


def _signed_in(user: User) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _stored(name: str, content: bytes) -> dict[str, Any]:
    return {
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "storage_name": document_storage().save(name, ContentFile(content)),
    }


def build_world() -> World:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    services.deploy([API_MODELS / "registry.bpmn", API_MODELS / "fees.dmn"], name="matrix:api")
    services.deploy([("matrix.bpmn", CITIZEN_BPMN), ("matrix-request.form", CITIZEN_FORM)], name="matrix:portal")
    now = timezone.now()
    case = services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)
    guest = Application.objects.create(
        reference="BP-W1", service="building_permit", instance_id=case.pk, secret_hash="0" * 64, created=now
    )
    common = {"service": "building_permit", "content_type": "application/pdf", "created": now}
    document = Document.objects.create(
        field="plans", name="plans.pdf", application=guest, **common, **_stored("matrix-doc", b"%PDF-1.4 plan")
    )
    incident = Incident.objects.create(
        instance=case,
        key=999,
        element_instance=1,
        element_id="check_completeness",
        kind="job",
        message="x",
        created=now,
    )
    lookup = services.start_instance("registry", variables={"bsn": "1"})
    anna = CitizenAccount.for_address("anna@example.org", now)
    bert = CitizenAccount.for_address("bert@example.org", now)
    reference = "BP-2026-000001"
    hers = services.start_instance(
        "matrix_citizen",
        business_key=reference,
        variables={"applicantId": f"citizen:{anna.pk}", "caseNumber": reference, "missingDocuments": "a plan"},
    )
    application = Application.objects.create(
        reference=reference,
        service="building_permit",
        instance_id=hers.pk,
        secret_hash=_secrets.digest("ABCD-EFGH-JKMN"),
        created=now,
        account=anna,
    )
    upload = Document.objects.create(
        field="documents", name="mine.pdf", application=application, **common, **_stored("matrix-up", b"%PDF-1.4 me")
    )
    content = b"%PDF-1.4 permit"
    issued = IssuedDocument.objects.create(
        instance_id=hers.pk,
        reference=reference,
        kind="permit",
        name="permit.pdf",
        media_type="application/pdf",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        issued=now,
    )
    tokens = {name: create_token(name, scopes) for name, scopes in TOKENS.items()}
    revoke_token(tokens["token-revoked"].token.prefix)
    accounts = {role: _account(role) for role in ACCOUNTS}
    return World(
        accounts=accounts,
        sessions={role: _signed_in(user) for role, user in accounts.items()},
        tokens={name: issued.plaintext for name, issued in tokens.items()},
        token_rows={name: issued.token for name, issued in tokens.items()},
        case=case,
        task=UserTask.objects.get(instance=case, element_id="check_completeness"),
        document=document,
        incident=incident,
        process=permit.process_id,
        external=Job.objects.get(instance=lookup, kind=JobKind.SERVICE),
        anna=anna,
        bert=bert,
        application=application,
        request=UserTask.objects.get(instance=hers, element_id="ask"),
        upload=upload,
        issued=issued,
    )


@contextmanager
def world_in_a_transaction(django_db_blocker: Any, media: Path) -> Iterator[World]:
    """The world, built once and rolled back at the end; each test rolls back to a savepoint
    inside it (pytest-django's own transaction nests), so no test sees another's changes."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        clear_caches()
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
        clear_caches()  # graphs are cached by resource id; the ids are free again
