"""HTML names, ids and unflatten()."""

import pytest

from civicflow.forms import html_id, html_name, parse_html_name, unflatten


def test_names_round_trip() -> None:
    for path in [("a",), ("applicant", "name"), ("stalls", 0, "name"), ("h", 2, "m", 10, "age")]:
        assert parse_html_name(html_name(path)) == path
    assert html_name(("stalls", 0, "name")) == "stalls[0].name"
    assert html_id(("stalls", 0, "name")) == "field-stalls-0-name"


@pytest.mark.parametrize(
    "name", ["", "a..b", ".a", "a.", "[0]", "a[x]", "a[0]b", "a b", "a[9999999]", "x" * 1001, "a]"]
)
def test_bad_names_do_not_parse(name: str) -> None:
    assert parse_html_name(name) is None


def test_unflatten_builds_lists_and_repeated_values() -> None:
    data, rejected = unflatten(
        [("a.b", "1"), ("list[3].x", "late"), ("list[1].x", "early"), ("many", "1"), ("many", "2"), ("many", "3")]
    )
    assert data == {"a": {"b": "1"}, "list": [{"x": "early"}, {"x": "late"}], "many": ["1", "2", "3"]}
    assert rejected == []


def test_unflatten_rejects_clashing_shapes() -> None:
    data, rejected = unflatten([("a", "1"), ("a.b", "2"), ("l[0]", "x"), ("l.k", "y"), ("bad name", "z")])
    assert data == {"a": "1", "l": ["x"]}
    assert rejected == ["a.b", "l.k", "bad name"]


def test_unflatten_takes_a_mapping_of_lists() -> None:
    data, rejected = unflatten({"needs": ["a", "b"], "name": "Anna"})
    assert data == {"needs": ["a", "b"], "name": "Anna"}
    assert rejected == []
