"""Departments are Django groups, named after the candidate groups of the reference services."""

from __future__ import annotations

from typing import Any

from civicflow.services import REFERENCE_SERVICES

__all__ = ["create_reference_departments", "reference_department_groups"]


def reference_department_groups() -> list[str]:
    """Every candidate group the reference services use (departments and their roles), sorted."""
    groups = {role.group for service in REFERENCE_SERVICES for dept in service.departments for role in dept.roles}
    groups |= {dept.key for service in REFERENCE_SERVICES for dept in service.departments}
    return sorted(groups)


def create_reference_departments(group_model: Any) -> list[str]:
    """Create the groups that are missing; returns the names created."""
    created = []
    for name in reference_department_groups():
        _, new = group_model.objects.get_or_create(name=name)
        if new:
            created.append(name)
    return created
