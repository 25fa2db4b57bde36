"""Connectors as runtime job handlers: a service task's job type picks the plugin.

``install()`` registers every plugin of :data:`REGISTRY` in :data:`civicflow.runtime.jobs.HANDLERS`
under its name, plus Camunda 8's connector job types for the same protocols, so models made
with Camunda Modeler's connector templates run too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicflow.connectors._model import element_options
from civicflow.connectors._plugin import REGISTRY, BasePlugin, Call, PluginRegistry
from civicflow.runtime import jobs
from civicflow.runtime.models import Job

__all__ = ["ALIASES", "call_for", "handler_for", "install"]

# Camunda 8 out-of-the-box connector job types -> CivicFlow connector.
ALIASES: Mapping[str, str] = {
    "io.camunda:http-json:1": "http",
    "io.camunda:webhook:1": "webhook",
}


def call_for(job: Job) -> Call:
    """The :class:`Call` of a claimed service job: its identity, variables and options."""
    if job.instance_id is None:
        raise ValueError(f"job {job.pk} belongs to no instance")
    return Call(
        instance_id=str(job.instance_id),
        element_id=job.element_id,
        element_instance=job.element_instance,
        attempt=job.attempts,
        retries=job.retries,
        variables=jobs.job_variables(job),
        options=element_options(job.instance_id, job.element_id),
        inputs=jobs.job_variables(job, local=True),
    )


def handler_for(plugin: BasePlugin[Any]) -> jobs.JobHandler:
    def handle(job: Job) -> Mapping[str, Any] | None:
        return plugin(call_for(job))

    handle.__name__ = f"connector_{plugin.name}"
    return handle


def _default(name: str) -> BasePlugin[Any]:
    cls = REGISTRY.get(name)
    if name == "webhook":
        from civicflow.connectors._webhook_store import dead_letter, subscription_secret

        return cls(secrets=subscription_secret, dead_letters=dead_letter)  # type: ignore[call-arg]
    if name == "email":
        from civicflow.connectors._email import default_mail_plugin

        return default_mail_plugin()
    return cls()


def install(registry: PluginRegistry = REGISTRY) -> None:
    """Register the connectors as job handlers (idempotent; the app's ``ready`` calls it)."""
    import civicflow.connectors._builtin  # noqa: F401 - registers the built-in plugins

    for name in registry:
        jobs.HANDLERS[name] = handler_for(_default(name))
    for alias, name in ALIASES.items():
        if name in registry:
            jobs.HANDLERS[alias] = jobs.HANDLERS[name]
