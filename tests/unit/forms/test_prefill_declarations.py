"""Prefill declarations (``civicflow:prefill``, ``civicflow:prefillEditable``) and merging found values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicflow.forms import (
    FormSchemaError,
    PrefillSource,
    changed_answers,
    keep_prefilled,
    load_form,
    prefill_answers,
    prefill_requests,
)

SERVICES = Path(__file__).parents[3] / "src" / "civicflow" / "services"


def _form(*components: dict[str, object]) -> str:
    return json.dumps({"components": list(components)})


def _field(key: str, prefill: str | None = None, editable: str | None = None, **extra: object) -> dict[str, object]:
    properties = {}
    if prefill is not None:
        properties["civicflow:prefill"] = prefill
    if editable is not None:
        properties["civicflow:prefillEditable"] = editable
    return {"type": "textfield", "key": key, "properties": properties, **extra}


def test_requests_in_document_order_with_their_sources_and_paths() -> None:
    form = load_form(
        _form(
            _field("name", "party.name, applications.name"),
            _field("note"),
            {"type": "group", "path": "home", "components": [_field("street", "registry.address", "false")]},
            _field("contact.email", "party.email"),
        )
    )
    requests = prefill_requests(form)
    assert [r.path for r in requests] == [("name",), ("home", "street"), ("contact", "email")]
    assert requests[0].sources == (
        PrefillSource(source="party", attribute="name"),
        PrefillSource(source="applications", attribute="name"),
    )
    assert [r.editable for r in requests] == [True, False, True]
    assert requests[1].name == "home.street"
    assert requests[1].id == "field-home-street"
    assert str(requests[2].sources[0]) == "party.email"


@pytest.mark.parametrize(
    ("declared", "editable", "expected"),
    [
        ("party", None, "is not '<source>.<attribute>'"),
        ("party.", None, "is not '<source>.<attribute>'"),
        ("Party.name", None, "is not '<source>.<attribute>'"),
        ("", None, "must name 1 to 5 sources"),
        ("a.b, c.d, e.f, g.h, i.j, k.l", None, "must name 1 to 5 sources"),
        ("party.name", "maybe", "must be 'true' or 'false'"),
    ],
)
def test_malformed_declarations_are_schema_errors_naming_the_field(
    declared: str, editable: str | None, expected: str
) -> None:
    form = load_form(_form(_field("name", declared, editable)))
    with pytest.raises(FormSchemaError, match=expected) as raised:
        prefill_requests(form)
    assert "key 'name'" in raised.value.path


def test_a_declaration_on_a_non_field_or_inside_a_dynamic_list_is_refused() -> None:
    text = {"type": "text", "text": "Hello", "properties": {"civicflow:prefill": "party.name"}}
    with pytest.raises(FormSchemaError, match="needs a field the citizen fills in"):
        prefill_requests(load_form(_form(text)))
    listed = {"type": "dynamiclist", "path": "people", "components": [_field("name", "party.name")]}
    with pytest.raises(FormSchemaError, match="inside a dynamic list"):
        prefill_requests(load_form(_form(listed)))


def test_found_values_fill_only_answers_not_given() -> None:
    form = load_form(
        _form(
            _field("name", "party.name"),
            _field("email", "party.email"),
            _field("phone", "party.phone"),
            {"type": "group", "path": "home", "components": [_field("street", "registry.address")]},
        )
    )
    requests = prefill_requests(form)
    answers = {"name": "Typed by me", "email": "  ", "home": {}}
    found = {("name",): "From the party", ("email",): "me@example.org", ("phone",): "", ("home", "street"): "Dam 1"}
    merged, filled = prefill_answers(answers, requests, found)
    assert merged == {"name": "Typed by me", "email": "me@example.org", "home": {"street": "Dam 1"}}
    assert [r.name for r in filled] == ["email", "home.street"]
    assert answers == {"name": "Typed by me", "email": "  ", "home": {}}  # the input is not changed


def test_fixed_prefilled_values_replace_what_was_posted() -> None:
    posted = {"name": "Changed by hand", "home": {"street": "Elsewhere 9"}, "note": "mine"}
    fixed = {("home", "street"): "Dam 1", ("city",): "Amsterdam"}
    assert keep_prefilled(posted, fixed) == {
        "name": "Changed by hand",
        "home": {"street": "Dam 1"},
        "note": "mine",
        "city": "Amsterdam",
    }
    assert posted["home"] == {"street": "Elsewhere 9"}


def test_changed_answers_compare_the_text_of_each_prefilled_field() -> None:
    prefilled = {("name",): "Jan", ("home", "street"): "Dam 1", ("age",): 42, ("gone",): "x"}
    answers = {"name": " Jan ", "home": {"street": "Dam 2"}, "age": "42"}
    assert changed_answers(answers, prefilled) == {("home", "street"), ("gone",)}


def test_the_reference_forms_declare_prefill_from_known_sources() -> None:
    known = {"party", "applications", "registry"}
    declared = {}
    for path in sorted(SERVICES.glob("*/*.form")):
        for request in prefill_requests(load_form(path.read_text(encoding="utf-8"))):
            assert {s.source for s in request.sources} <= known, path.name
            declared[(path.stem, request.name)] = [str(s) for s in request.sources]
    assert declared[("bp-application", "applicantEmail")] == ["party.email"]
    assert declared[("tr-claim", "claimantName")][-1] == "applications.name"
