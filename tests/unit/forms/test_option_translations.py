"""Option labels are translated under the value as JSON writes it (`option.true:nl`)."""

from __future__ import annotations

from civicflow.forms import load_form, render_model


def test_boolean_option_labels_use_the_json_spelling() -> None:
    form = load_form(
        {
            "type": "default",
            "components": [
                {
                    "type": "radio",
                    "key": "complete",
                    "label": "Complete?",
                    "values": [{"label": "Yes", "value": True}, {"label": "No", "value": False}],
                    "properties": {"label:nl": "Compleet?", "option.true:nl": "Ja", "option.false:nl": "Nee"},
                }
            ],
        }
    )
    [field] = render_model(form, {}, (), "nl")
    assert [option.label for option in field.options] == ["Ja", "Nee"]
