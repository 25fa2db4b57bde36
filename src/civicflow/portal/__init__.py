"""civicflow.portal: the citizen portal (docs/portal.md).

Its public functions need Django's models, which load after this package is imported (it is an
installed app): they are imported on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["expire_drafts", "scan_applications", "sweep_uploads"]


def __getattr__(name: str) -> Any:
    if name == "expire_drafts":
        from civicflow.portal._draft_expiry import expire_drafts

        return expire_drafts
    if name == "scan_applications":
        from civicflow.portal._notify import scan_applications

        return scan_applications
    if name == "sweep_uploads":
        from civicflow.portal._uploads import sweep_uploads

        return sweep_uploads
    raise AttributeError(f"module 'civicflow.portal' has no attribute {name!r}")
