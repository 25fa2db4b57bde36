"""The web foundation: GOV.UK Frontend page template themed per agency, language switch,
accessibility statement, privacy notice, error pages and security headers.

The portal and the workbench extend ``civicflow/base.html`` and inherit all of it.
"""

from __future__ import annotations

from civicflow.web._agency import Agency, agency_from_settings, contrast_ratio

__all__ = ["Agency", "agency_from_settings", "contrast_ratio"]
