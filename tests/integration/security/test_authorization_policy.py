"""The policy's rules on real accounts and a real case (issue #11): roles, deny by default, object rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from civicflow.security.policy import RULES, Role, can, role_of
from civicflow.services import service
from support.workbench import staff

pytestmark = pytest.mark.django_db


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
        assert not can(AnonymousUser(), action)
        assert not can(staff(f"c-{action}", "intake", is_staff=False), action)
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
    for row in RULES.values():
        assert set(row) <= set(Role) - {Role.ANONYMOUS, Role.CITIZEN, Role.STAFF_WITHOUT_ROLE}
