"""`civicflow kpi report` refuses an unknown service or a bad period with one line, before any database work."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--service", "nope"],
            "civicflow: error: unknown service 'nope' (known: building_permit, record_transfer, tax_refund)",
        ),
        (["--period", "2026-13"], "civicflow: error: bad period '2026-13': month must be in 1..12"),
        (
            ["--period", "fortnight"],
            (
                "civicflow: error: bad period 'fortnight': expected day, week, month, quarter, year, "
                "or a label such as 2026, 2026-Q3, 2026-11, 2026-W48, 2026-11-30"
            ),
        ),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["kpi", "report", *args])
    assert result.exit_code == 1
    assert result.output.strip() == message
