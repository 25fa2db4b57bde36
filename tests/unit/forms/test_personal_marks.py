"""Form fields marked personal (``civicflow:personal``) name the process variables sealed at rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicflow.forms import load_form, personal_variables

SERVICES = Path(__file__).parents[3] / "src" / "civicflow" / "services"


def _form(*components: dict[str, object]) -> str:
    return json.dumps({"components": list(components)})


def _personal(**extra: object) -> dict[str, object]:
    return {"properties": {"civicflow:personal": "true"}, **extra}


def test_marked_fields_give_their_top_level_variable() -> None:
    form = load_form(
        _form(
            {"type": "textfield", "key": "name", **_personal()},
            {"type": "textfield", "key": "contact.phone", **_personal()},
            {"type": "number", "key": "floorArea"},
            {"type": "textfield", "key": "note", "properties": {"civicflow:personal": "false"}},
        )
    )
    assert personal_variables(form) == {"name", "contact"}


def test_a_marked_group_marks_its_fields_and_a_group_path_is_the_variable() -> None:
    form = load_form(
        _form(
            {"type": "group", "path": "partner", **_personal(), "components": [{"type": "textfield", "key": "x"}]},
            {"type": "group", "components": [{"type": "textfield", "key": "iban", **_personal()}]},
            {"type": "group", "path": "address", "components": [{"type": "textfield", "key": "street", **_personal()}]},
        )
    )
    assert personal_variables(form) == {"partner", "iban", "address"}


def test_an_unmarked_form_has_no_personal_variables() -> None:
    assert personal_variables(load_form(_form({"type": "textfield", "key": "name"}))) == frozenset()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("building_permit/bp-application.form", {"applicantName", "applicantEmail", "coSignerEmail", "address"}),
        ("tax_refund/tr-claim.form", {"claimantName", "claimantEmail", "homeAddress", "iban"}),
        ("record_transfer/rt-request.form", {"patientName", "patientEmail"}),
    ],
)
def test_the_reference_start_forms_mark_names_emails_addresses_and_accounts(path: str, expected: set[str]) -> None:
    assert personal_variables(load_form((SERVICES / path).read_text())) == expected
