"""Imports the built-in connectors so that their ``@register`` runs."""

from civicflow.connectors import _decision, _email, _http, _publish, _webhook

__all__ = ["_decision", "_email", "_http", "_publish", "_webhook"]
