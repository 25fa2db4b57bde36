"""The staff workbench: inbox, task and case pages, incidents and deployments (docs/workbench.md).

Departments are Django groups: the groups a user belongs to are the candidate groups they work
for. Pages need a signed-in staff account (``is_staff``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["alerts_step", "check_alerts", "send_digests"]


def __getattr__(name: str) -> Any:
    # needs Django's models, which load after this package (an installed app) is imported
    if name == "send_digests":
        from civicflow.workbench._digest import send_digests

        return send_digests
    if name == "alerts_step":
        from civicflow.workbench._alerts_step import alerts_step

        return alerts_step
    if name == "check_alerts":
        from civicflow.workbench._alerts import check_alerts

        return check_alerts
    raise AttributeError(f"module 'civicflow.workbench' has no attribute {name!r}")
