"""civicflow.security: the tamper-evident audit trail (see docs/security.md).

Import :mod:`civicflow.security.audit` for the Django-backed API (``record``, ``append``,
``checkpoint``, ``verify``); the chain itself is pure code in ``_chain``.
"""

__all__: list[str] = []
