"""validate(): every rule on the permit application form, in English and Dutch."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicflow.forms import UploadedFile, ValidationOptions, ValidationResult, unflatten, validate

from ._data import form

PERMIT = form("permit-application.form")
VARIABLES = {
    "districts": [{"label": "Centre", "value": "centre"}, {"label": "North", "value": "north"}],
    "maxFee": 500,
    "role": "citizen",
}
PLAN = [UploadedFile(name="plan.pdf", content_type="application/pdf", size=2048, ref="doc-1")]


def good() -> dict[str, Any]:
    return {
        "applicant": {
            "name": "Anna de Vries",
            "email": "anna@example.nl",
            "address": {"postalCode": "1011 AB"},
            "birthDate": "1990-04-01",
        },
        "visitors": "250",
        "fee": "12,50",
        "kind": "market",
        "district": "north",
        "needs": ["road", "power"],
        "tags": ["food"],
        "start": "2030-06-01T10:00",
        "doors": "09:30+02:00",
        "stalls": [{"name": "Cheese", "size": "4", "food": "true", "haccp": "NL-123"}],
    }


def run(data: Any, **kwargs: Any) -> ValidationResult:
    kwargs.setdefault("variables", VARIABLES)
    kwargs.setdefault("files", {"sitePlan": PLAN})
    return validate(PERMIT, data, **kwargs)


def codes(result: ValidationResult) -> dict[str, str]:
    return {error.name: error.code.value for error in result.errors}


def test_a_good_application_is_accepted_with_typed_values() -> None:
    result = run(good())
    assert result.ok, result.errors
    assert result.dropped == ()
    values = result.values
    assert values["applicant"]["name"] == "Anna de Vries"
    assert values["applicant"]["address"] == {"postalCode": "1011 AB"}
    assert values["applicant"]["birthDate"] == "1990-04-01"
    assert values["visitors"] == Decimal(250)
    assert values["fee"] == "12.50"  # serializeToString
    assert values["alcohol"] is False
    assert "alcoholPlan" not in values  # hidden: alcohol is not true
    assert values["kind"] == "market"
    assert values["needs"] == ["road", "power"]
    assert values["tags"] == ["food"]
    assert values["start"] == "2030-06-01T10:00"
    assert values["doors"] == "07:30Z"  # utc_normalized
    assert values["stalls"] == [{"name": "Cheese", "size": Decimal(4), "food": True, "haccp": "NL-123"}]
    assert values["stallCount"] == Decimal(1)  # expression field, computed on the server
    assert values["sitePlan"] == [{"id": "doc-1", "name": "plan.pdf", "size": 2048, "type": "application/pdf"}]
    assert "reference" not in values
    assert "officer" not in values


def test_required_fields_in_english_and_dutch() -> None:
    data = good()
    data["applicant"]["name"] = "   "
    del data["visitors"]
    data["kind"] = ""
    english = run(data)
    assert codes(english) == {"applicant.name": "required", "visitors": "required", "kind": "required"}
    assert english.error_for("applicant.name") is not None
    assert english.error_for("applicant.name").message == "Enter full name"  # type: ignore[union-attr]
    dutch = run(data, language="nl")
    messages = {error.name: error.message for error in dutch.errors}
    assert messages == {
        "applicant.name": "Vul volledige naam in",
        "visitors": "Vul verwachte bezoekers in",
        "kind": "Vul soort evenement in",
    }
    assert [error.id for error in dutch.errors] == ["field-applicant-name", "field-visitors", "field-kind"]


@pytest.mark.parametrize(
    ("change", "name", "code", "english", "dutch"),
    [
        (
            {"applicant.email": "anna@"},
            "applicant.email",
            "email",
            "Enter an email address in the right format, like name@example.com",
            "Vul een e-mailadres in de juiste vorm in, zoals naam@voorbeeld.nl",
        ),
        ({"applicant.phone": "call me"}, "applicant.phone", "phone", "Enter a telephone number", "Vul een telefoon"),
        (
            {"applicant.address.postalCode": "1011A"},
            "applicant.address.postalCode",
            "min_length",
            "6 characters or more",
            "6 tekens of meer",
        ),
        (
            {"applicant.address.postalCode": "0011 AB"},
            "applicant.address.postalCode",
            "pattern",
            "not in the right format",
            "niet de juiste vorm",
        ),
        ({"applicant.name": "x" * 81}, "applicant.name", "max_length", "80 characters or fewer", "80 tekens of minder"),
        (
            {"applicant.birthDate": "1990-02-30"},
            "applicant.birthDate",
            "date",
            "must be a real date",
            "bestaande datum",
        ),
        ({"visitors": "0"}, "visitors", "min", "must be 1 or more", "moet 1 of meer zijn"),
        ({"visitors": "100001"}, "visitors", "max", "100000 or less", "100000 of minder"),
        ({"visitors": "lots"}, "visitors", "number", "must be a number", "moet een getal zijn"),
        ({"visitors": "12.5"}, "visitors", "decimal_digits", "0 digits after", "0 cijfers achter"),
        ({"fee": "12.52"}, "fee", "increment", "multiple of 0.05", "veelvoud van 0.05"),
        ({"fee": "600"}, "fee", "max", "500 or less", "500 of minder"),
        ({"kind": "rave"}, "kind", "choice", "from the list", "uit de lijst"),
        ({"district": "east"}, "district", "choice", "Select district from the list", "Kies district uit de lijst"),
        ({"needs": ["road", "fireworks"]}, "needs", "choice", "from the list", "uit de lijst"),
        ({"tags": ["sports"]}, "tags", "choice", "from the list", "uit de lijst"),
        ({"kind": ["market", "sports"]}, "kind", "type", "wrong kind", "verkeerde soort"),
        ({"start": "tomorrow"}, "start", "datetime", "real date and time", "bestaande datum en tijd"),
        ({"doors": "25:00"}, "doors", "time", "real time", "bestaande tijd"),
        ({"alcohol": "perhaps"}, "alcohol", "type", "wrong kind", "verkeerde soort"),
        ({"applicant.name": {"first": "A"}}, "applicant.name", "type", "wrong kind", "verkeerde soort"),
    ],
)
def test_each_rule_has_a_code_and_messages(
    change: dict[str, Any], name: str, code: str, english: str, dutch: str
) -> None:
    data = good()
    for dotted, value in change.items():
        target = data
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
    result = run(data)
    assert codes(result) == {name: code}
    assert english in result.errors[0].message
    assert dutch in run(data, language="nl").errors[0].message
    assert name.split(".", maxsplit=1)[0] not in result.values or name.count(".") > 0


def test_feel_condition_shows_a_required_field() -> None:
    data = good()
    data["alcohol"] = "on"
    result = run(data)
    assert codes(result) == {"alcoholPlan": "required"}
    data["alcoholPlan"] = "Bar with staff over 18."
    assert run(data).values["alcoholPlan"] == "Bar with staff over 18."


def test_hidden_values_are_dropped_not_validated() -> None:
    data = good()
    data["alcoholPlan"] = "x"  # too short, but hidden because alcohol is false
    result = run(data)
    assert result.ok
    assert "alcoholPlan" not in result.values
    assert result.dropped == ()


def test_dynamic_list_items_are_validated_with_indexed_paths() -> None:
    data = good()
    data["stalls"] = [
        {"name": "Cheese", "size": "4", "food": "true"},
        {"name": "", "size": "80", "haccp": "ignored: hidden"},
    ]
    result = run(data, language="nl")
    assert codes(result) == {"stalls[0].haccp": "required", "stalls[1].name": "required", "stalls[1].size": "max"}
    assert result.error_for("stalls[1].size").id == "field-stalls-1-size"  # type: ignore[union-attr]
    assert result.values["stalls"][1] == {"food": False}


def test_dynamic_list_min_and_max_items() -> None:
    data = good()
    data["stalls"] = []
    assert codes(run(data)) == {"stalls": "min_items"}
    data["stalls"] = [{"name": f"s{index}"} for index in range(5)]
    result = run(data)
    assert codes(result) == {"stalls": "max_items"}
    assert "Voeg ten hoogste 3 toe aan kramen" in run(data, language="nl").errors[0].message
    assert len(result.values["stalls"]) == 3


def test_dynamic_list_of_the_wrong_type() -> None:
    data = good()
    data["stalls"] = "many"
    assert codes(run(data)) == {"stalls": "type"}
    data["stalls"] = ["x"]
    # The item is read as empty: not(food) is null for it, so the condition does not hide haccp.
    assert codes(run(data)) == {"stalls[0]": "type", "stalls[0].name": "required", "stalls[0].haccp": "required"}


def test_forged_fields_are_dropped_and_reported() -> None:
    data = good()
    data["isAdmin"] = True
    data["applicant"]["bsn"] = "123456782"
    data["stalls"][0]["price"] = "0"
    data["stallCount"] = 99  # computed by the form, never taken from the client
    data["reference"] = "FORGED-1"  # readonly
    data["officer"] = "me"  # disabled for citizens
    result = run(data)
    assert result.ok
    assert set(result.dropped) == {
        "isAdmin",
        "applicant.bsn",
        "stalls[0].price",
        "stallCount",
        "reference",
        "officer",
    }
    assert "isAdmin" not in result.values
    assert "bsn" not in result.values["applicant"]
    assert result.values["stallCount"] == Decimal(1)
    assert "reference" not in result.values


def test_a_disabled_condition_that_is_false_accepts_the_value() -> None:
    result = run(good() | {"officer": "J. Jansen"}, variables=VARIABLES | {"role": "staff"})
    assert result.values["officer"] == "J. Jansen"


def test_files_type_size_count_and_required() -> None:
    assert codes(run(good(), files={})) == {"sitePlan": "required"}
    exe = [UploadedFile(name="plan.exe", content_type="application/octet-stream", size=10)]
    result = run(good(), files={"sitePlan": exe})
    assert codes(result) == {"sitePlan": "file_type"}
    assert result.errors[0].message == "The selected file must be .pdf,image/*"
    big = [UploadedFile(name="plan.png", content_type="image/png", size=2 * 1024 * 1024)]
    result = run(good(), files={"sitePlan": big}, language="nl")
    assert codes(result) == {"sitePlan": "file_size"}
    assert result.errors[0].message == "Het gekozen bestand moet kleiner zijn dan 1 MB"
    three = [UploadedFile(name=f"p{index}.pdf", content_type="application/pdf", size=1) for index in range(3)]
    assert codes(run(good(), files={"sitePlan": three})) == {"sitePlan": "file_count"}
    jpeg = [UploadedFile(name="plan.JPG", content_type="image/jpeg; charset=binary", size=5)]
    assert run(good(), files={"sitePlan": jpeg}).ok


def test_files_for_names_the_form_does_not_have_are_dropped() -> None:
    result = run(good(), files={"sitePlan": PLAN, "applicant.name": PLAN, "virus": PLAN})
    assert set(result.dropped) == {"applicant.name", "virus"}


def test_single_file_picker_takes_one_file() -> None:
    single = form("permit-application.form")
    document = {"components": [{"type": "filepicker", "key": "id", "label": "ID", "accept": "=formats"}]}
    from civicflow.forms import load_form

    picker = load_form(document)
    two = PLAN * 2
    assert codes(validate(picker, {}, files={"id": two})) == {"id": "file_count"}
    result = validate(picker, {}, files={"id": PLAN}, variables={"formats": ".png"})
    assert codes(result) == {"id": "file_type"}
    assert validate(picker, {}, files={"id": PLAN}, variables={"formats": ".pdf"}).values["id"]["id"] == "doc-1"
    assert single.id == "permit-application"


def test_passed_dates_need_today_from_the_caller() -> None:
    data = good()
    data["start"] = "2020-01-01T10:00"
    assert run(data).ok  # no clock: the core cannot know what "passed" means
    result = run(data, options=ValidationOptions(today=dt.date(2025, 1, 1)))
    assert codes(result) == {"start": "date_passed"}


def test_valueskey_without_variables_refuses_every_choice() -> None:
    result = validate(PERMIT, good(), files={"sitePlan": PLAN}, variables={"maxFee": 500})
    assert codes(result) == {"district": "choice"}


def test_number_inputs_from_json_clients() -> None:
    data = good() | {"visitors": 250, "fee": 12.5}
    result = run(data)
    assert result.values["visitors"] == Decimal(250)
    assert result.values["fee"] == "12.5"
    assert codes(run(good() | {"visitors": True})) == {"visitors": "number"}
    assert codes(run(good() | {"visitors": "1e999999"})) == {"visitors": "number"}
    assert codes(run(good() | {"visitors": "NaN"})) == {"visitors": "number"}


def test_html_post_through_unflatten() -> None:
    pairs = [
        ("applicant.name", "Anna"),
        ("applicant.email", "anna@example.nl"),
        ("applicant.address.postalCode", "1011 AB"),
        ("visitors", "10"),
        ("kind", "sports"),
        ("district", "centre"),
        ("needs", "road"),
        ("needs", "water"),
        ("start", "2030-01-01T09:00"),
        ("stalls[1].name", "Second"),
        ("stalls[0].name", "First"),
        ("stalls[0].food", "true"),
        ("stalls[0].haccp", "H-1"),
        ("csrfmiddlewaretoken", "abc"),
    ]
    data, rejected = unflatten(pairs)
    assert rejected == []
    result = run(data)
    assert result.ok, result.errors
    assert result.values["needs"] == ["road", "water"]
    assert [stall["name"] for stall in result.values["stalls"]] == ["First", "Second"]
    assert result.dropped == ("csrfmiddlewaretoken",)


def test_invoice_conditions_without_equals_sign() -> None:
    invoice = form("invoice.form")
    result = validate(invoice, {"creditor": "ACME", "approvedBy": "me", "priority": "2", "amount": "5"})
    assert result.ok
    assert "approvedBy" not in result.values  # hidden while approved = false
    assert result.values["priority"] == 2  # the option's own value, not the posted text
    result = validate(invoice, {"creditor": "ACME", "approved": "true", "approvedBy": "me", "invoiceNumber": "X"})
    assert codes(result) == {"invoiceNumber": "pattern"}
    assert result.values["approvedBy"] == "me"


def test_required_checkbox_must_be_ticked() -> None:
    from civicflow.forms import load_form

    consent = load_form(
        {"components": [{"type": "checkbox", "key": "agree", "label": "I agree", "validate": {"required": True}}]}
    )
    assert codes(validate(consent, {})) == {"agree": "required"}
    assert validate(consent, {"agree": "true"}).values == {"agree": True}


def test_nested_dynamic_lists_and_item_conditions() -> None:
    from civicflow.forms import load_form

    nested = load_form(
        {
            "components": [
                {
                    "type": "dynamiclist",
                    "path": "households",
                    "components": [
                        {"type": "textfield", "key": "address", "label": "Address", "validate": {"required": True}},
                        {
                            "type": "dynamiclist",
                            "path": "members",
                            "components": [
                                {"type": "number", "key": "age", "label": "Age", "validate": {"required": True}},
                                {
                                    "type": "textfield",
                                    "key": "school",
                                    "label": "School",
                                    "validate": {"required": True},
                                    "conditional": {"hide": "=age >= 18"},
                                },
                            ],
                        },
                    ],
                }
            ]
        }
    )
    data = {"households": [{"address": "Main 1", "members": [{"age": "40"}, {"age": "9"}]}]}
    result = validate(nested, data)
    assert codes(result) == {"households[0].members[1].school": "required"}
