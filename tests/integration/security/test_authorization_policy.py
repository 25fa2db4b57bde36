"""The policy's rules on real accounts and a real case (issue #11): roles, deny by default, object rules."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from civicflow.api.auth import TokenPrincipal
from civicflow.api.tokens import create_token
from civicflow.portal.models import Application, CitizenAccount
from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from civicflow.security.policy import RULES, Role, Scope, Visitor, can, role_of, roles_of
from civicflow.services import service
from support.workbench import staff

pytestmark = pytest.mark.django_db

PORTAL_ACTIONS = {"view_application", "my_applications", "my_record"}


@pytest.fixture
def intake_task() -> UserTask:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    case = services.start_instance(permit.process_id, business_key="BP-1", variables={})
    return UserTask.objects.get(instance=case, element_id="check_completeness")


def _superuser() -> User:
    return User.objects.create_superuser("root", password="x" * 20)


def test_roles_come_from_flags_and_groups() -> None:
    assert role_of(AnonymousUser()) is Role.ANONYMOUS
    assert role_of(staff("carla", "intake", is_staff=False)) is Role.CITIZEN
    assert role_of(staff("nobody")) is Role.STAFF_WITHOUT_ROLE
    assert role_of(staff("ingrid", "intake")) is Role.CASEWORKER
    assert role_of(staff("hanna", "intake", "intake-head")) is Role.DEPARTMENT_HEAD
    assert role_of(staff("paul", "intake", "process-admins")) is Role.PROCESS_ADMIN
    assert role_of(staff("aud", "auditors")) is Role.AUDITOR
    assert role_of(_superuser()) is Role.SYSTEM_ADMIN
    inactive = staff("gone", "intake")
    inactive.is_active = False
    assert role_of(inactive) is Role.ANONYMOUS


def test_deny_by_default() -> None:
    root = _superuser()
    assert not can(root, "no_such_action")
    for action in RULES:
        # visitors and citizens have the portal's own-application actions only
        assert can(AnonymousUser(), action) is (action == "view_application")
        assert can(staff(f"c-{action}", "intake", is_staff=False), action) is (action in PORTAL_ACTIONS)
        assert not can(staff(f"s-{action}"), action)


def test_separation_of_duties() -> None:
    ingrid, paul, aud = staff("ingrid", "intake"), staff("paul", "process-admins"), staff("aud", "auditors")
    assert not can(ingrid, "deploy")
    assert not can(ingrid, "retry_incident")
    assert not can(ingrid, "admin")
    assert can(paul, "deploy")
    assert can(paul, "retry_incident")
    assert not can(paul, "admin")
    assert can(aud, "view_incidents")
    assert not can(aud, "retry_incident")
    assert not can(aud, "deploy")
    assert can(_superuser(), "admin")


def test_object_rules_follow_the_department(intake_task: UserTask) -> None:
    case: ProcessInstance = intake_task.instance
    ingrid, frank = staff("ingrid", "intake"), staff("frank", "fire-safety")
    aud, root = staff("aud", "auditors"), _superuser()
    assert can(ingrid, "view_case", case)
    assert can(ingrid, "view_case", case.pk)
    assert can(ingrid, "work_task", intake_task)
    assert can(ingrid, "comment_case", case)
    assert not can(frank, "view_case", case)
    assert not can(frank, "work_task", intake_task)
    # auditors read every case and change none
    assert can(aud, "view_case", case)
    assert not can(aud, "work_task", intake_task)
    assert not can(aud, "comment_case", case)
    # the system administrator sees every case but works only the tasks of their departments
    assert can(root, "view_case", case)
    assert not can(root, "work_task", intake_task)


def test_a_department_that_had_a_task_keeps_seeing_the_case(intake_task: UserTask) -> None:
    frank = staff("frank", "fire-safety")
    assert not can(frank, "view_case", intake_task.instance_id)
    UserTask.objects.filter(pk=intake_task.pk).update(completed_by="frank")
    assert can(frank, "view_case", intake_task.instance_id)


def test_every_rule_names_known_roles_only() -> None:
    for action, row in RULES.items():
        if action in PORTAL_ACTIONS:
            assert set(row) <= {Role.ANONYMOUS, Role.CITIZEN}
        else:
            assert set(row) <= set(Role) - {Role.ANONYMOUS, Role.CITIZEN, Role.STAFF_WITHOUT_ROLE}
        assert (Scope.OWN in row.values()) <= (action in PORTAL_ACTIONS)


# ---- API tokens: one role per scope; the topic rule ----


def _token(*scopes: str) -> TokenPrincipal:
    return TokenPrincipal(create_token("t", scopes).token)


def test_a_token_has_one_role_per_scope() -> None:
    assert roles_of(_token("read", "work:a", "work:b")) == {Role.API_READ, Role.API_WORK}
    assert roles_of(_token("admin")) == {Role.API_ADMIN}
    assert roles_of(staff("ingrid", "intake")) == {Role.CASEWORKER}


def test_tokens_reach_the_api_only() -> None:
    every = _token("read", "start", "admin", "metrics", "work:*")
    for action in ("view_inbox", "view_case", "comment_case", "view_kpis", "assess", "admin", "view_application"):
        assert not can(every, action), action


def test_token_scopes_grant_their_api_actions(intake_task: UserTask) -> None:
    read, start, admin = _token("read"), _token("start"), _token("admin")
    assert can(read, "api_read")
    assert can(read, "view_task", intake_task)
    assert can(read, "view_incidents")
    assert not can(read, "work_task", intake_task)
    assert not can(read, "deploy")
    assert not can(read, "api_manage")
    assert can(start, "api_start")
    assert can(start, "work_task", intake_task)
    assert not can(start, "api_read")
    assert not can(start, "retry_incident")
    for action in ("api_read", "api_start", "api_manage", "deploy", "retry_incident", "api_metrics"):
        assert can(admin, action), action
    assert can(admin, "api_work", "any-topic")


def test_a_work_token_touches_only_its_topics() -> None:
    worker = _token("work:fire-safety-register")
    assert can(worker, "api_work")
    assert can(worker, "api_work", "fire-safety-register")
    assert not can(worker, "api_work", "payments")
    assert not can(worker, "api_read")
    assert can(_token("work:*"), "api_work", "payments")


def test_staff_sessions_in_the_api_follow_their_role(intake_task: UserTask) -> None:
    ingrid, frank, aud = staff("ingrid", "intake"), staff("frank", "fire-safety"), staff("aud", "auditors")
    # lists are not filtered by department: only those who see every case read them
    assert not can(ingrid, "api_read")
    assert can(aud, "api_read")
    assert can(_superuser(), "api_read")
    assert can(ingrid, "view_task", intake_task)
    assert not can(frank, "view_task", intake_task)
    assert can(ingrid, "work_task", intake_task)
    assert not can(aud, "work_task", intake_task)
    assert not can(ingrid, "api_work")
    assert not can(aud, "api_start")
    assert not can(ingrid, "api_manage")


# ---- the portal: a visitor's own applications ----


def _application(reference: str, account: CitizenAccount | None) -> Application:
    return Application.objects.create(
        reference=reference,
        service="building_permit",
        instance_id=uuid.uuid4(),
        secret_hash="0" * 64,
        created=timezone.now(),
        account=account,
    )


def test_a_visitor_sees_only_their_own_applications() -> None:
    now = timezone.now()
    anna = CitizenAccount.for_address("anna@example.org", now)
    bert = CitizenAccount.for_address("bert@example.org", now)
    annas, guests = _application("BP-A", anna), _application("BP-G", None)
    assert role_of(Visitor()) is Role.ANONYMOUS
    assert role_of(Visitor(account_id=anna.pk)) is Role.CITIZEN
    assert can(Visitor(account_id=anna.pk), "view_application", annas)
    assert not can(Visitor(account_id=bert.pk), "view_application", annas)
    assert not can(Visitor(), "view_application", annas)
    # the secret given in this session proves the reference, signed in or not
    assert can(Visitor(references=frozenset({"BP-G"})), "view_application", guests)
    assert can(Visitor(account_id=bert.pk, references=frozenset({"BP-A"})), "view_application", annas)
    assert not can(Visitor(references=frozenset({"BP-A"})), "view_application", guests)
    assert can(Visitor(account_id=anna.pk), "my_applications")
    assert not can(Visitor(), "my_applications")
    # staff accounts and tokens own no application: they see cases in the workbench and the API
    assert not can(_superuser(), "view_application", guests)
    assert not can(_token("admin"), "view_application", guests)
