"""render_model(): what the portal's templates get for each component."""

from typing import Any

from civicflow.forms import ComponentType, FieldView, error_summary, render_model, validate

from ._data import form
from .test_validation import PLAN, VARIABLES, good

PERMIT = form("permit-application.form")


def views_by_id(views: list[FieldView]) -> dict[str, FieldView]:
    found: dict[str, FieldView] = {}
    stack = list(views)
    while stack:
        view = stack.pop()
        found[view.id] = view
        stack.extend(view.children)
        for item in view.items:
            stack.extend(item)
    return found


def render(values: Any, language: str = "en", errors: Any = ()) -> dict[str, FieldView]:
    return views_by_id(render_model(PERMIT, values, errors, language, variables=VARIABLES))


def test_fields_carry_names_ids_labels_hints_and_values() -> None:
    views = render(good(), "nl")
    name = views["field-applicant-name"]
    assert name.input_type == "text"
    assert name.name == "applicant.name"
    assert name.label == "Volledige naam"
    assert name.hint == "Zoals in uw paspoort"
    assert name.hint_id == "field-applicant-name-hint"
    assert name.aria_describedby == "field-applicant-name-hint"
    assert name.value == "Anna de Vries"
    assert name.required
    assert name.autocomplete == "name"
    assert name.attributes == (("maxlength", "80"),)
    assert name.columns == 8
    assert views["field-applicant-email"].input_type == "email"
    assert views["field-applicant-email"].autocomplete == "email"
    assert views["field-applicant-phone"].input_type == "tel"
    assert views["field-applicant-address-postalCode"].autocomplete == "postal-code"
    assert views["field-applicant-birthDate"].input_type == "date"
    assert views["field-applicant-birthDate"].autocomplete == "bday"
    visitors = views["field-visitors"]
    assert (visitors.input_type, visitors.inputmode, visitors.value) == ("text", "decimal", "250")
    assert views["field-start"].input_type == "datetime-local"
    assert views["field-doors"].input_type == "time"


def test_groups_radios_and_checklists_are_fieldsets_with_option_ids() -> None:
    views = render(good(), "nl")
    group = views["field-applicant"]
    assert group.fieldset
    assert group.label == "Aanvrager"
    assert [child.name for child in group.children][:2] == ["applicant.name", "applicant.email"]
    kind = views["field-kind"]
    assert kind.fieldset
    assert kind.input_type == "radios"
    assert [(o.id, o.label, o.selected) for o in kind.options] == [
        ("field-kind", "Markt", True),
        ("field-kind-2", "Concert", False),
        ("field-kind-3", "Sport", False),
    ]
    needs = views["field-needs"]
    assert needs.input_type == "checkboxes"
    assert needs.value == ("road", "power")
    assert [o.selected for o in needs.options] == [True, True, False]
    district = views["field-district"]
    assert district.input_type == "select"
    assert not district.fieldset
    assert [(o.value, o.label, o.selected) for o in district.options] == [
        ("centre", "Centre", False),
        ("north", "North", True),
    ]
    tags = views["field-tags"]
    assert [o.label for o in tags.options] == ["MUSIC", "FOOD", "KIDS"]


def test_errors_link_from_the_summary_to_the_fields() -> None:
    data = good()
    data["kind"] = "rave"
    data["applicant"]["name"] = ""
    result = validate(PERMIT, data, files={"sitePlan": PLAN}, variables=VARIABLES, language="nl")
    views = render(data, "nl", result.errors)
    name = views["field-applicant-name"]
    assert name.error == "Vul volledige naam in"
    assert name.error_id == "field-applicant-name-error"
    assert name.aria_describedby == "field-applicant-name-hint field-applicant-name-error"
    assert views["field-kind"].error == "Kies soort evenement uit de lijst"
    summary = error_summary(result.errors)
    assert [(item.href, item.text) for item in summary] == [
        ("#field-applicant-name", "Vul volledige naam in"),
        ("#field-kind", "Kies soort evenement uit de lijst"),
    ]
    # The summary link of a radio group lands on its first radio.
    assert views["field-kind"].options[0].id == "field-kind"


def test_conditions_set_hidden() -> None:
    assert render(good())["field-alcoholPlan"].hidden
    assert not render(good() | {"alcohol": "true"})["field-alcoholPlan"].hidden


def test_dynamic_list_items_have_indexed_names() -> None:
    data = good()
    data["stalls"].append({"name": "Books", "food": "false"})
    stalls = render(data)["field-stalls"]
    assert stalls.input_type == "list"
    assert stalls.fieldset
    assert stalls.allow_add_remove
    assert [[view.name for view in item][:2] for item in stalls.items] == [
        ["stalls[0].name", "stalls[0].size"],
        ["stalls[1].name", "stalls[1].size"],
    ]
    assert [item[3].hidden for item in stalls.items] == [False, True]  # haccp shows only for food stalls
    assert len(render({})["field-stalls"].items) == 1  # defaultRepetitions


def test_presentation_components() -> None:
    views = render_model(PERMIT, good(), (), "nl", variables=VARIABLES)
    by_type = {view.type: view for view in views}
    assert by_type[ComponentType.TEXT].input_type == "markdown"
    assert by_type[ComponentType.TEXT].text == "# Evenementenvergunning\n\nHallo Anna de Vries."
    assert by_type[ComponentType.HTML].text == "<p>Read the <strong>rules</strong>.</p>"
    image = by_type[ComponentType.IMAGE]
    assert (image.input_type, image.url, image.alt) == ("image", "https://example.org/logo.png", "Stadslogo")
    iframe = by_type[ComponentType.IFRAME]
    assert (iframe.input_type, iframe.url, iframe.text) == ("link", "https://example.org/map", "Event map")
    assert by_type[ComponentType.SPACER].input_type == "spacer"
    assert by_type[ComponentType.SEPARATOR].input_type == "separator"
    assert by_type[ComponentType.BUTTON].input_type == "button"
    assert by_type[ComponentType.EXPRESSION].input_type == "none"
    plan = by_type[ComponentType.FILEPICKER]
    assert plan.input_type == "file"
    assert plan.attributes == (("accept", ".pdf,image/*"), ("multiple", "multiple"))
    reference = next(view for view in views if view.name == "reference")
    assert reference.readonly
    officer = next(view for view in views if view.name == "officer")
    assert officer.disabled


def test_feel_text_and_missing_template_values() -> None:
    from civicflow.forms import load_form

    texts = load_form(
        {
            "components": [
                {"type": "text", "text": '="Total: " + string(sum(amounts))'},
                {"type": "text", "text": "Hi {{ who }}"},
            ]
        }
    )
    views = render_model(texts, {}, variables={"amounts": [1, 2]})
    assert [view.text for view in views] == ["Total: 3", "Hi "]


def test_hostile_values_render_as_text() -> None:
    views = render({"applicant": {"name": ["<script>"]}, "needs": "road", "visitors": {"x": 1}})
    assert views["field-applicant-name"].value == ""
    assert views["field-needs"].value == ("road",)
    assert views["field-visitors"].value == ""


def test_default_values_fill_unanswered_fields() -> None:
    from civicflow.forms import load_form

    defaults = load_form(
        {
            "components": [
                {"type": "textfield", "key": "city", "defaultValue": "Utrecht"},
                {"type": "checklist", "key": "c", "defaultValue": ["a"], "values": [{"value": "a"}, {"value": "b"}]},
            ]
        }
    )
    first, checklist = render_model(defaults, {})
    assert first.value == "Utrecht"
    assert [option.selected for option in checklist.options] == [True, False]
    assert render_model(defaults, {"city": ""})[0].value == ""
