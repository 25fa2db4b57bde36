"""load_form: the form-js subset, translations, and clear errors for schemas CivicFlow cannot use."""

import json
from decimal import Decimal
from typing import Any

import pytest

from civicflow.errors import CivicFlowError
from civicflow.forms import ComponentType, DateTimeSubtype, FormLimits, FormSchemaError, load_form

from ._data import DATA, form


def test_every_component_type_in_the_permit_form_loads() -> None:
    loaded = form("permit-application.form")
    kinds = {component.type for component in loaded.walk()}
    assert kinds == set(ComponentType) - {ComponentType.TABLE, ComponentType.DOCUMENT_PREVIEW}
    assert loaded.id == "permit-application"
    assert loaded.schema_version == 17
    assert loaded.exporter == "Camunda Modeler"


def test_attributes_are_typed() -> None:
    by_id = {component.id: component for component in form("permit-application.form").walk()}
    assert by_id["Applicant"].path == ("applicant",)
    assert by_id["Postcode"].path == ("address", "postalCode")
    assert by_id["Postcode"].validate.pattern == "^[1-9][0-9]{3} ?[A-Z]{2}$"
    assert by_id["Postcode"].validate.min_length == 6
    assert by_id["Visitors"].validate.min == Decimal(1)
    assert by_id["Fee"].validate.max == "maxFee"  # FEEL, without the leading =
    assert by_id["Fee"].increment == Decimal("0.05")
    assert by_id["Fee"].serialize_to_string is True
    assert by_id["AlcoholPlan"].hide == "alcohol != true"
    assert by_id["Officer"].disabled == 'role != "staff"'
    assert by_id["Reference"].readonly is True
    assert by_id["Start"].subtype is DateTimeSubtype.DATETIME
    assert by_id["District"].values_key == "districts"
    assert by_id["Kind"].options[0].value == "market"
    assert by_id["Stalls"].is_repeating
    assert by_id["Stalls"].allow_add_remove
    assert by_id["Plan"].accept == ".pdf,image/*"
    assert by_id["Total"].expression == "count(stalls)"
    assert by_id["Name"].layout is not None
    assert by_id["Name"].layout.columns == 8
    assert by_id["Submit"].action == "submit"


def test_translations_come_from_properties() -> None:
    by_id = {component.id: component for component in form("permit-application.form").walk()}
    name = by_id["Name"]
    assert name.label is not None
    assert name.description is not None
    assert name.label.in_language("nl") == "Volledige naam"
    assert name.label.in_language("nl-BE") == "Volledige naam"
    assert name.label.in_language("en") == "Full name"
    assert name.label.in_language("fr") == "Full name"
    assert name.description.in_language("nl") == "Zoals in uw paspoort"
    kind = by_id["Kind"]
    assert [option.label.in_language("nl") for option in kind.options] == ["Markt", "Concert", "Sport"]
    intro = by_id["Intro"]
    assert intro.text is not None
    assert intro.text.in_language("nl").startswith("# Evenementenvergunning")


def test_the_invoice_form_written_without_equals_signs_loads() -> None:
    loaded = form("invoice.form")
    assert [component.key for component in loaded.components][1:3] == ["creditor", "invoiceNumber"]
    assert loaded.components[5].hide == "approved = false"


def _one(component: dict[str, Any]) -> dict[str, Any]:
    return {"type": "default", "components": [component]}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("not json", "not JSON"),
        ("[]", "a form is a JSON object"),
        ({"components": "x"}, "'components' list"),
        ({"type": "wizard", "components": []}, "is not 'default'"),
        (_one({"type": "rocket", "key": "a"}), "unsupported component type 'rocket'"),
        (_one({"type": "textfield"}), "needs a 'key'"),
        (_one({"type": "textfield", "key": "a b"}), "dot-separated path"),
        (_one({"type": "textfield", "key": 7}), "key must be a string"),
        (_one({"type": "textfield", "key": "a", "validate": {"pattern": "(["}}), "not a regular expression"),
        (_one({"type": "textfield", "key": "a", "validate": {"min": "lots"}}), "validate.min must be a number"),
        (_one({"type": "textfield", "key": "a", "validate": {"minLength": 1.5}}), "whole number"),
        (_one({"type": "textfield", "key": "a", "validate": {"validationType": "iban"}}), "validationType"),
        (_one({"type": "textfield", "key": "a", "conditional": {"hide": "=a >"}}), "conditional.hide is not FEEL"),
        (_one({"type": "textfield", "key": "a", "readonly": 3}), "readonly must be a boolean"),
        (_one({"type": "select", "key": "a", "values": [{"label": "x"}]}), "values[0] needs a 'value'"),
        (_one({"type": "datetime", "key": "a", "subtype": "week"}), "unknown datetime subtype"),
        (_one({"type": "dynamiclist", "components": []}), "needs a 'path'"),
        (_one({"type": "textfield", "key": "a", "properties": {"x": {"y": 1}}}), "property 'x' must be a string"),
        (
            {"components": [{"type": "textfield", "key": "a"}, {"type": "number", "key": "a"}]},
            "'a' is also bound by components[0]",
        ),
    ],
)
def test_bad_schemas_raise_with_the_component_path(document: Any, fragment: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(FormSchemaError) as raised:
        load_form(text)
    assert fragment in str(raised.value)
    assert isinstance(raised.value, CivicFlowError)


def test_error_path_names_the_nested_component() -> None:
    document = {
        "components": [
            {"type": "text", "text": "hi"},
            {"type": "group", "path": "g", "components": [{"type": "number", "key": "n", "validate": {"max": []}}]},
        ]
    }
    with pytest.raises(FormSchemaError) as raised:
        load_form(document)
    assert raised.value.path == "components[1].components[0] (key 'n')"


def test_duplicate_keys_through_a_group_without_path_are_refused() -> None:
    document = {
        "components": [
            {"type": "textfield", "key": "a"},
            {"type": "group", "components": [{"type": "textfield", "key": "a"}]},
        ]
    }
    with pytest.raises(FormSchemaError, match="also bound"):
        load_form(document)


def test_same_key_in_different_groups_with_paths_is_fine() -> None:
    document = {
        "components": [
            {"type": "group", "path": "home", "components": [{"type": "textfield", "key": "city"}]},
            {"type": "group", "path": "work", "components": [{"type": "textfield", "key": "city"}]},
        ]
    }
    assert len(load_form(document).walk()) == 4


def test_oversize_schema_is_refused_before_parsing() -> None:
    with pytest.raises(FormSchemaError, match="larger than"):
        load_form(" " * 2_000_001)


def test_too_many_components_are_refused() -> None:
    components = [{"type": "textfield", "key": f"f{index}"} for index in range(2_001)]
    with pytest.raises(FormSchemaError, match="more than 2000 components"):
        load_form({"components": components})


def test_deeply_nested_groups_are_refused() -> None:
    node: dict[str, Any] = {"type": "textfield", "key": "leaf"}
    for level in range(50):
        node = {"type": "group", "path": f"g{level}", "components": [node]}
    with pytest.raises(FormSchemaError, match="nest deeper than 12"):
        load_form({"components": [node]})


def test_json_nested_beyond_the_parser_is_refused() -> None:
    with pytest.raises(FormSchemaError):
        load_form("[" * 100_000 + "]" * 100_000)


def test_enormous_texts_and_expressions_are_refused() -> None:
    with pytest.raises(FormSchemaError, match="label is longer"):
        load_form(_one({"type": "textfield", "key": "a", "label": "x" * 100_001}))
    with pytest.raises(FormSchemaError, match=r"conditional\.hide is longer"):
        load_form(_one({"type": "textfield", "key": "a", "conditional": {"hide": "=" + "1+" * 6000 + "1"}}))


def test_limits_are_configurable() -> None:
    with pytest.raises(FormSchemaError, match=r"more than 1 components"):
        load_form({"components": [{"type": "spacer"}, {"type": "spacer"}]}, limits=FormLimits(max_components=1))


def test_table_and_document_preview_load_as_display_components() -> None:
    loaded = load_form({"components": [{"type": "table", "dataSource": "=rows"}, {"type": "documentPreview"}]})
    assert [component.is_input for component in loaded.components] == [False, False]


def test_data_dir_files_are_all_valid() -> None:
    for path in DATA.glob("*.form"):
        assert load_form(path.read_text(encoding="utf-8")).components
