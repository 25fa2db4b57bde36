"""Regenerate the reference services' .bpmn and .form files from their specs (maintainer tool).

    .venv/bin/python -m civicflow.services._generate

The .dmn files and the scenarios in ``<service>/tests`` are written by hand.
"""

from __future__ import annotations

from pathlib import Path

from civicflow.services import _building_permit, _record_transfer, _tax_refund
from civicflow.services._layout import write_bpmn

_HERE = Path(__file__).parent
SOURCES = {"building_permit": _building_permit, "tax_refund": _tax_refund, "record_transfer": _record_transfer}


def main() -> None:
    for folder, source in SOURCES.items():
        target = _HERE / folder
        target.mkdir(exist_ok=True)
        (target / f"{source.SPEC.id}.bpmn").write_text(write_bpmn(source.SPEC), encoding="utf-8")
        for form_id, text in source.FORMS.items():
            (target / f"{form_id}.form").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
