"""Multi-page forms: pages from top-level groups, one page validated at a time, answers merged."""

from __future__ import annotations

from typing import Any

from civicflow.forms import load_form, merge_page, page_of, pages, validate


def _form(paged: bool = True) -> Any:
    document: dict[str, Any] = {
        "components": [
            {"type": "text", "text": "Apply"},
            {
                "type": "group",
                "label": "You",
                "properties": {"label:nl": "U"},
                "components": [
                    {"type": "textfield", "key": "name", "label": "Name", "validate": {"required": True}},
                    {"type": "checkbox", "key": "agent", "label": "I apply for someone else"},
                ],
            },
            {
                "type": "group",
                "label": "The person",
                "path": "client",
                "conditional": {"hide": "=agent != true"},
                "components": [
                    {"type": "textfield", "key": "name", "label": "Their name", "validate": {"required": True}}
                ],
            },
            {
                "type": "group",
                "label": "Plans",
                "components": [
                    {"type": "filepicker", "key": "plans", "label": "Plans", "multiple": True},
                    {
                        "type": "dynamiclist",
                        "path": "rooms",
                        "label": "Rooms",
                        "components": [{"type": "textfield", "key": "use", "label": "Use"}],
                    },
                ],
            },
            {"type": "separator"},
        ]
    }
    if paged:
        document["properties"] = {"civicflow:pages": "groups"}
    return load_form(document)


def test_each_top_level_group_is_a_page_and_other_components_join_a_neighbour() -> None:
    found = pages(_form())
    assert [page.number for page in found] == [1, 2, 3]
    assert found[0].indexes == (0, 1)  # the introduction goes with the first group
    assert found[2].indexes == (3, 4)  # the trailing separator with the last
    assert found[0].title is not None
    assert found[0].title.in_language("nl") == "U"
    assert found[1].paths() == (("client", "name"),)
    assert found[2].paths() == (("plans",), ("rooms",))


def test_a_form_without_the_property_is_one_page() -> None:
    (only,) = pages(_form(paged=False))
    assert only.indexes == (0, 1, 2, 3, 4)


def test_a_page_is_validated_on_its_own_with_conditions_seeing_other_pages() -> None:
    form = _form()
    first, second, _third = pages(form)
    assert [e.name for e in validate(form, {}, page=first).errors] == ["name"]
    # the client page is hidden unless "agent" was ticked on the first page
    assert validate(form, {"name": "A"}, page=second).errors == ()
    errors = validate(form, {"name": "A", "agent": "true"}, page=second).errors
    assert [e.name for e in errors] == ["client.name"]
    result = validate(form, {"name": "A", "agent": "true", "client": {"name": "B"}}, page=second)
    assert result.values == {"client": {"name": "B"}}


def test_merge_takes_only_the_page_fields_from_a_post() -> None:
    form = _form()
    first, second, third = pages(form)
    answers = {"name": "A", "agent": True, "client": {"name": "B"}}
    merged = merge_page(first, answers, {"name": "C", "client": {"name": "forged"}, "isAdmin": "yes"})
    # the unticked checkbox is removed, the other page and forged names are left alone
    assert merged == {"name": "C", "client": {"name": "B"}}
    assert answers["name"] == "A"  # the input is not changed
    assert merge_page(third, merged, {"rooms": [{"use": "kitchen"}]})["rooms"] == [{"use": "kitchen"}]
    assert merge_page(second, merged, {})["client"] == {}


def test_page_of_finds_the_page_of_an_html_name() -> None:
    form = _form()
    assert page_of(form, "client.name").number == 2  # type: ignore[union-attr]
    assert page_of(form, "rooms[3].use").number == 3  # type: ignore[union-attr]
    assert page_of(form, "name").number == 1  # type: ignore[union-attr]
    assert page_of(form, "nothing") is None
    assert page_of(form, "[[[") is None
