"""String built-ins and XPath regular expressions (DMN TCK 1103-1111, 1140)."""

from decimal import Decimal

import pytest

from civicflow.feel import evaluate

from ._call import call, call_warns

D = Decimal


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("foobar", D(6)), "r"),
        (("foobar", D(3), D(3)), "oba"),
        (("foobar", D(-2), D(1)), "a"),
        (("foobar", D(-6), D(6)), "foobar"),
        (("foobar", D(3), D("3.8")), "oba"),
        (("😀a😀b", D(2), D(2)), "a😀"),
    ],
)
def test_substring(args: tuple[object, ...], expected: str) -> None:
    assert call("substring", *args) == expected


def test_substring_named_and_errors() -> None:
    assert call("substring", **{"string": "foobar", "start position": D(3)}) == "obar"
    assert call_warns("substring", "foobar", D(0)) == (None, 1)
    assert call_warns("substring", "foobar", D(9)) == (None, 1)


def test_simple_string_functions() -> None:
    assert call("string length", "😀x") == D(2)
    assert call("upper case", "xyZ ") == "XYZ "
    assert call("lower case", "ÀB") == "àb"
    assert call("substring before", "foobar", "b") == "foo"
    assert call("substring before", "abc", "") == ""
    assert call("substring after", "abc", "") == "abc"
    assert call("substring after", "foobar", "x") == ""
    assert call("contains", "foobar", "ob") is True
    assert call("starts with", "foobar", "fo") is True
    assert call("ends with", "foobar", "o") is False


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("abcd", "(ab)|(a)", "[1=$1][2=$2]"), "[1=ab][2=]cd"),
        (("abracadabra", "a.*?a", "*"), "*c*bra"),
        (("abracadabra", "a(.)", "a$1$1"), "abbraccaddabbra"),
        (("darted", "^(.*?)d(.*)$", "$1c$2"), "carted"),
        (("facetiously", "[iouy]", "[$0]"), "facet[i][o][u]sl[y]"),
        (("0123456789", r"(\d{3})(\d{3})(\d{4})", "($1) $2-$3"), "(012) 345-6789"),
        (("abc", "[A-Z]", "#", "i"), "###"),
        (("a b c d ", "[a-z]", "#", "x"), "# # # # "),
        (("a.b", ".", "$", "q"), "a$b"),
        (("price", "p", r"\$"), "$rice"),
    ],
)
def test_replace(args: tuple[object, ...], expected: str) -> None:
    assert call("replace", *args) == expected


def test_replace_rejects_patterns_matching_empty() -> None:
    assert call_warns("replace", "abc", "x*", "-") == (None, 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("abracadabra", "bra", None), True),
        (("\nabcd\ndefg\n", "^$", "m"), True),
        (("Mary\rJones", "Mary.Jones"), False),
        (("Mary\rJones", "Mary.Jones", "s"), True),
        (("abc\n", "abc$"), False),
        (("abZ", "[a-z]*", "i"), True),
        (("\u212a", "k", "i"), True),
        (("x", "[A-Z-[OI]]", "i"), True),
        (("O", "[A-Z-[OI]]", "i"), False),
        (("i", "[A-Z-[OI]]", "i"), False),
        (("q", "[^Q]", "i"), False),
        (("hello world", r"\p{ I s B a s i c L a t i n }+", "x"), True),
        (("hello world", "he ll o[ ]worl d", "x"), True),
        (("hello world", r"hello\ sworld", "x"), True),
        (("aA", r"(a)\1", "i"), True),
        (("a", "a[^b]"), False),
        (("Ünïcödé", r"^\p{L}+$"), True),
        (("A1", r"^\p{Lu}\p{Nd}$"), True),
    ],
)
def test_matches(args: tuple[object, ...], expected: bool) -> None:
    assert call("matches", *args) is expected


@pytest.mark.parametrize(
    "args",
    [
        ("abracadabra", "bra", "p"),
        ("input", "pattern", " "),
        ("hello world", r"\p{ IsBasicLatin}+"),
        ("h", r"(.)\2"),
        ("input", r"\3"),
        ("abcd", r"(asd)[\1]"),
        ("abcd", r"1[asd\0]"),
        ("input", None),
        ("input", "(unclosed"),
    ],
)
def test_matches_errors_are_null_with_a_warning(args: tuple[object, ...]) -> None:
    assert call_warns("matches", *args) == (None, 1)


def test_split() -> None:
    assert call("split", "John Doe", r"\s") == ["John", "Doe"]
    assert call("split", "a;b;c;;", ";") == ["a", "b", "c", "", ""]


def test_string_join() -> None:
    assert call("string join", ["a", None, "c"], "X") == "aXc"
    assert call("string join", [], "X") == ""
    assert call("string join", "a", "X") == "a"
    assert call("string join", delimiter="X", list=["a", "c"]) == "aXc"
    assert call_warns("string join", [D(1)], "X") == (None, 1)
    assert call_warns("string join", list=["a"], delimitr="X") == (None, 1)
    assert call_warns("string join", ["a"], "X", "foo") == (None, 1)


def test_string_builtins_unwrap_a_singleton_list() -> None:
    # DMN 1.5 §10.3.2.9.4: a one-item list passed where a single value is expected stands for its item.
    assert evaluate('upper case(["Bob"])').value == "BOB"
    assert evaluate('string length(["abc"])').value == Decimal(3)
    assert evaluate('upper case(["a", "b"])').value is None
