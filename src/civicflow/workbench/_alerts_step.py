"""The worker's KPI-alert step: :func:`~civicflow.workbench._alerts.check_alerts` every ``CIVICFLOW_ALERT_INTERVAL``."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

from civicflow.web.mail import every
from civicflow.workbench._alerts import check_alerts
from civicflow.workbench._alerts_options import AlertOptions

__all__ = ["alerts_step"]

log = logging.getLogger("civicflow.alerts")


def alerts_step() -> Callable[[], object]:
    """The throttled step; the settings are checked now, so a bad value stops the worker at start."""
    options = AlertOptions.from_settings(settings)

    def kpi_alerts() -> object:
        run = check_alerts(options)
        if run.raised or run.resolved:
            log.info(
                "kpi alerts",
                extra={"raised": len(run.raised), "resolved": len(run.resolved), "mails": len(run.mails)},
            )
        return run

    return every(options.interval, kpi_alerts)
