"""Parties: one record per citizen and business across services (issue #13, docs/security.md "Parties").

The models are in :mod:`civicflow.parties.models`; the service functions follow.
"""
