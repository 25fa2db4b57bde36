"""read_xes's columnar fast path gives exactly what the streaming reader gives, or defers to it.

The streaming lxml reader is the reference: every case below is read both ways and compared
(events, cases and log attributes, or the same error). Inputs a lenient parser would read wrongly
(r4pm, the former fast path, made a bad int 0, a bad date null, skipped a broken tag, kept the
first of two values) must be refused by the fast path's checks, so the reference's line-numbered
error comes out; generated logs (Hypothesis) are compared the same way.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from civicflow.mining import EventLog, EventLogError, _xes_fast, _xes_read, read_xes

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <string key="creator" value="test"/>
  <global scope="event"><string key="kind" value="plain"/></global>
  <trace>
    <string key="concept:name" value="c1"/>
    <date key="opened" value="2024-01-02T03:04:05+05:30"/>
    <event>
      <string key="concept:name" value="a &amp; b"/>
      <date key="time:timestamp" value="2024-03-31T01:30:00.000+01:00"/>
      <int key="n" value="3"/><float key="x" value="1.5"/><boolean key="ok" value="true"/>
    </event>
    <event>
      <string key="concept:name" value="b"/>
      <date key="time:timestamp" value="2024-03-31T03:30:00.000+02:00"/>
      <string key="kind" value="special"/><int key="n" value="0"/><boolean key="ok" value="false"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="c2"/>
    <event>
      <string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-04-01T10:00:00Z"/>
    </event>
  </trace>
</log>
"""


def _streaming(path: Path, monkeypatch: pytest.MonkeyPatch) -> EventLog | EventLogError:
    with monkeypatch.context() as patch:
        patch.setattr(_xes_read, "fast_body", lambda name: None)
        try:
            return read_xes(path)
        except EventLogError as exc:
            return exc


def _assert_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> EventLog | EventLogError:
    reference = _streaming(path, monkeypatch)
    try:
        fast: EventLog | EventLogError = read_xes(path)
    except EventLogError as exc:
        fast = exc
    if isinstance(reference, EventLogError):
        assert isinstance(fast, EventLogError)
        assert str(fast) == str(reference)
        return reference
    assert isinstance(fast, EventLog)
    assert_frame_equal(fast.events, reference.events, check_column_order=False)
    assert_frame_equal(fast.cases, reference.cases, check_column_order=False)
    assert fast.attributes == reference.attributes
    return reference


def test_fast_path_reads_types_offsets_defaults_and_case_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "good.xes.gz"
    path.write_bytes(gzip.compress(GOOD.encode()))
    assert _xes_fast.fast_body(str(path)) is not None, "the fast path should take this file"
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert log.events["time:offset"].to_list() == [60, 120, 0]
    assert log.events["kind"].to_list() == ["plain", "special", "plain"]
    assert log.events["concept:name"].to_list() == ["a & b", "b", "a"]
    assert log.cases["opened"].dtype == pl.Datetime("us", "UTC")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('value="3"', 'value="3x"'),  # r4pm: 0
        ('value="1.5"', 'value="1.5.1"'),  # r4pm: 0.0
        ('key="ok" value="true"', 'key="ok" value="maybe"'),  # r4pm: false
        ("2024-01-02T03:04:05+05:30", "2024-13-02T03:04:05+05:30"),  # r4pm: null
        ('value="b"', 'value="b & c"'),  # bare ampersand: r4pm keeps it
        ("</log>", "</lg>"),  # r4pm ignores a wrong end tag after the last trace
        ("<trace>", "<trace><trace>"),  # r4pm reads an unclosed trace
        ("    </event>\n  </trace>\n</log>", ""),  # truncated file: r4pm returns an empty table
        ('<string key="concept:name" value="c2"/>', ""),  # a trace without a case id
        ('<date key="time:timestamp" value="2024-04-01T10:00:00Z"/>', ""),  # an event without a timestamp
        ('<string key="concept:name" value="c2"/>', '<string key="concept:name" value="c1"/>'),  # two traces, one id
        ('<int key="n" value="3"/>', '<list key="n"><values><int key="v" value="3"/></values></list>'),
        ('<int key="n" value="3"/>', '<id key="n" value="not-a-uuid"/>'),
        ('<string key="kind" value="special"/>', '<int key="kind" value="7"/>'),  # one key, two types
        ('<global scope="event">', '<global scope="event"><string key="concept:name" value="dflt"/>'),
        ("    </event>\n  </trace>\n  <trace>", "  </trace>\n    </event>\n  <trace>"),  # misnested
        ('value="b"/>', 'value="b\tc\nd"/>'),  # XML normalises tabs and newlines in values
        ('<string key="kind" value="special"/>', '<int key="ok" value="7"/>'),  # boolean and int, one event
        ('value="2024-04-01T10:00:00Z"/>', 'value="2024-04-01T10:00:00Z"/><int key="ok" value="7"/>'),
        ('<string key="kind" value="special"/>', '<date key="kind" value="2024-01-01T00:00:00Z"/>'),
        # r4pm keeps the first of a key written twice in an element, the reference the last
        ('<string key="kind" value="special"/>', '<string key="kind" value="x"/><string key="kind" value="y"/>'),
        ('<string key="kind" value="special"/>', '<string key="case:kind" value="x"/>'),  # not a case column
        ('value="b"/>', 'value="b\x01c"/>'),  # a control character: lxml refuses it
        ('value="b"/>', 'value="b&#9;c"/>'),  # a character reference
        ('value="b"/>', 'value="b &unknown; c"/>'),  # an undeclared entity
        ('<string key="kind" value="special"/>', '<string key="kind"/>'),  # no value
        ('<string key="kind" value="special"/>', '<string value="special" key="kind"/>'),  # other order
        ('<int key="n" value="3"/>', "<int key='n' value='x'/>"),  # single quotes, bad value
        ('<int key="n" value="3"/>', '<int  key="n"  value="3"/>'),  # two spaces: valid, reference reads it
        ('<int key="n" value="3"/>', '<int key="n" value="3"></int>'),
        ('<int key="n" value="3"/>', '<int key="n" value="99999999999999999999"/>'),  # beyond 64 bits
        ('<int key="n" value="3"/>', '<int key="n" value="\u0663"/>'),  # an Arabic-Indic three
        ("2024-01-02T03:04:05+05:30", "2024-02-30T03:04:05+05:30"),  # 30 February
        ("2024-01-02T03:04:05+05:30", "2024-01-02T03:04:05.1234567+05:30"),  # beyond microseconds
        ('<int key="n" value="3"/>', '<!-- a comment --><int key="n" value="3"/>'),
        ('<int key="n" value="3"/>', '<string key="cdata"><![CDATA[x]]></string>'),
        ('<int key="n" value="3"/>', '<unknown key="n" value="3"/>'),
        ('<int key="n" value="3"/>', '<container key="n"><int key="v" value="3"/></container>'),
        ('<int key="n" value="3"/>', '<event><string key="concept:name" value="nested"/></event>'),  # nested event
        ("</trace>\n  <trace>", '</trace>\n  <string key="between" value="x"/>\n  <trace>'),  # a log attribute
        ("</trace>\n  <trace>", "</trace>\n  <event></event>\n  <trace>"),  # an event outside a trace
        (
            "    </event>\n  </trace>\n  <trace>",
            '    </event>\n    <string key="late" value="x"/>\n  </trace>\n  <trace>',
        ),
        (
            '<trace>\n    <string key="concept:name" value="c2"/>',
            '<trace id="x">\n    <string key="concept:name" value="c2"/>',
        ),
        ('<string key="concept:name" value="c2"/>', '<int key="concept:name" value="2"/>'),  # a typed case id
        ('<string key="concept:name" value="b"/>', '<int key="concept:name" value="2"/>'),  # a typed activity
        ('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
        ('<global scope="event">', '<global scope="event"><int key="kind2" value="1"/>'),
        (
            '<global scope="event"><string key="kind" value="plain"/>',
            '<global scope="event"><int key="kind" value="1"/>',
        ),
        (
            '<global scope="event">',
            '<global scope="trace"><int key="opened" value="1"/></global><global scope="event">',
        ),
        ('<int key="n" value="3"/>', '<string key="time:offset" value="3"/>'),  # the reference's own column
        ('<global scope="event">', '<global scope="event"><int key="time:offset" value="5"/>'),
        ('<date key="opened"', '<date key="time:timestamp"'),  # a trace timestamp has no offset column
        ('value="b"/>', 'value="b\u00e9\u20ac\U0001f600"/>'),  # non-ASCII before other keys (bytes vs characters)
    ],
)
def test_inputs_read_leniently_elsewhere_get_the_reference_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    assert old in GOOD
    path = tmp_path / "case.xes"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    _assert_same(path, monkeypatch)


def test_global_name_default_is_not_an_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GOOD.replace('<global scope="event">', '<global scope="event"><string key="concept:name" value="dflt"/>')
    path = tmp_path / "dflt.xes"
    path.write_text(text.replace('<string key="concept:name" value="b"/>', ""))
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert log.events["concept:name"].to_list() == ["a & b", None, "a"]


@needs_logs
@pytest.mark.parametrize(
    "name",
    [
        "pm4py/running-example.xes",
        "pm4py/roadtraffic100traces.xes",
        "pm4py/08_receipt.xes.gz",
        "pm4py/helpdesk.xes.gz",
        "pm4py/13_SEPSIS_1t_per_variant.xes.gz",
        "pm4py/19_roadtraffic_1t_per_variant.xes.gz",
        "simod/ConsultaDataMining201618.xes.gz",
        pytest.param("bpic2020/DomesticDeclarations.xes.gz", marks=pytest.mark.slow),
        pytest.param("pm4py/bpic2012.xes.gz", marks=pytest.mark.slow),
    ],
)
def test_real_logs_read_the_same_both_ways(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_same(LOGS / name, monkeypatch)


def test_body_scanned_in_pieces_of_whole_traces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pieces.xes"
    path.write_text(GOOD)
    monkeypatch.setattr(_xes_fast, "_PIECE", 64)  # smaller than one trace: one piece per trace
    assert _xes_fast.fast_body(str(path)) is not None
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert log.events["time:offset"].to_list() == [60, 120, 0]


def _events(count: int, extra: str = "", name: str = "a") -> str:
    return "".join(
        f'<event><string key="concept:name" value="{name}{i % 3}"/>'
        f'<date key="time:timestamp" value="2024-01-01T00:{i // 60 % 60:02}:{i % 60:02}.{i % 1000:03}+01:00"/>'
        f"{extra if i == count - 1 else ''}</event>"
        for i in range(count)
    )


def test_key_beyond_the_sample_and_long_values_are_read_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keys are sampled from the first and last events; one in the middle must still be found,
    # and a value longer than the cut window must come out whole
    long = "x" * 500 + " &amp; y"
    middle = (
        _events(_xes_fast._SAMPLE + 5)
        + '<event><string key="concept:name" value="rare"/><date key="time:timestamp" value="2024-01-02T00:00:00Z"/>'
        + f'<string key="note" value="{long}"/><int key="size" value="-12"/></event>'
        + _events(_xes_fast._SAMPLE + 5)
    )
    text = GOOD.replace("</log>", f'<trace><string key="concept:name" value="big"/>{middle}</trace></log>')
    path = tmp_path / "big.xes"
    path.write_text(text)
    assert _xes_fast.fast_body(str(path)) is not None, "the fast path should take this file"
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    notes = log.events["note"].drop_nulls().to_list()
    assert notes == ["x" * 500 + " & y"]
    assert log.events["size"].drop_nulls().to_list() == [-12]


def test_invalid_utf8_and_truncated_gzip_get_the_reference_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "latin.xes"
    broken.write_bytes(GOOD.replace('value="b"', 'value="caf\u00e9"').encode("latin-1"))
    assert isinstance(_assert_same(broken, monkeypatch), EventLogError)
    cut = tmp_path / "cut.xes.gz"
    cut.write_bytes(gzip.compress(GOOD.encode())[:-20])
    assert isinstance(_assert_same(cut, monkeypatch), EventLogError)
    packed = bytearray(gzip.compress(GOOD.encode()))
    packed[len(packed) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.xes.gz"
    corrupt.write_bytes(bytes(packed))
    assert isinstance(_assert_same(corrupt, monkeypatch), EventLogError)
    # two gzip members (concatenated files): the streaming reader reads both as one stream
    half = len(GOOD) // 2
    members = tmp_path / "members.xes.gz"
    members.write_bytes(gzip.compress(GOOD[:half].encode()) + gzip.compress(GOOD[half:].encode()))
    assert _xes_fast.fast_body(str(members)) is None
    assert isinstance(_assert_same(members, monkeypatch), EventLog)


@pytest.mark.parametrize("name", ["a", "caf\u00e9 \u20ac"])
def test_regular_logs_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The checks refuse only what they must: a plain log like the benchmark's is read in columns."""
    path = tmp_path / "plain.xes.gz"
    body = "\n".join(
        f'<trace><string key="concept:name" value="c{t}"/>{_events(7, name=name)}</trace>' for t in range(50)
    )
    path.write_bytes(gzip.compress(f'<?xml version="1.0" encoding="UTF-8"?>\n<log>\n{body}\n</log>\n'.encode()))
    fast = _xes_fast.fast_body(str(path))
    assert fast is not None
    assert fast.events.height == 350
    assert fast.cases.height == 50
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert log.events["concept:name"][0] == f"{name}0"


def test_many_distinct_keys_go_to_the_streaming_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one pass per key over every event: a key per event would make the fast path quadratic
    many = "".join(
        f'<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/>'
        f'<int key="k{i}" value="{i}"/></event>'
        for i in range(_xes_fast._MAX_KEYS + 1)
    )
    path = tmp_path / "keys.xes"
    path.write_text(f'<log><trace><string key="concept:name" value="c"/>{many}</trace></log>')
    assert _xes_fast.fast_body(str(path)) is None
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert log.events.height == _xes_fast._MAX_KEYS + 1


def test_default_for_the_offset_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one offset throughout: the reference drops its offset column, default or not
    text = GOOD.replace("+01:00", "Z").replace("+02:00", "Z")
    text = text.replace('<global scope="event">', '<global scope="event"><int key="time:offset" value="5"/>')
    path = tmp_path / "offset.xes"
    path.write_text(text)
    log = _assert_same(path, monkeypatch)
    assert isinstance(log, EventLog)
    assert "time:offset" not in log.events.columns


_TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
_CLEAN = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80)


def _values(kind: str, texts: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    values: dict[str, st.SearchStrategy[str]] = {
        "string": texts,
        "int": st.integers(-(10**18) + 1, 10**18 - 1).map(str),
        "float": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "boolean": st.sampled_from(["true", "false"]),
        "date": st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds"))
        | st.sampled_from(["2024-03-31T01:30:00+01:00", "2024-10-27T02:30:00.5-09:30", "2024-01-01T00:00:00Z"]),
    }
    return st.tuples(st.just(kind), values[kind])


def _attribute(key: str, kind_value: tuple[str, str]) -> str:
    kind, value = kind_value
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return f'<{kind} key="{key}" value="{escaped}"/>'


@st.composite
def _logs(draw: st.DrawFn) -> str:
    """Small logs; half of them keep one type per key and no control characters (the fast shape)."""
    keys = ["a", "b", "\u00e9t\u00e9 key", "x.y"]
    kinds = ["string", "int", "float", "boolean", "date"]
    clean = draw(st.booleans())
    texts = _CLEAN if clean else _TEXTS
    fixed = {key: draw(st.sampled_from(kinds)) for key in keys}

    def attribute(key: str) -> str:
        kind = fixed[key] if clean else draw(st.sampled_from(kinds))
        return _attribute(key, draw(_values(kind, texts)))

    traces = []
    for number in range(draw(st.integers(1, 4))):
        events = []
        for _ in range(draw(st.integers(0, 5))):
            stamps = ["2024-01-01T10:00:00+01:00", "2024-06-01T10:00:00.123+02:00", "2024-01-02T00:00:00Z"]
            attributes = [_attribute("time:timestamp", ("date", draw(st.sampled_from(stamps))))]
            if draw(st.booleans()):
                attributes.append(_attribute("concept:name", ("string", draw(texts))))
            # repeated keys in one element are for the unclean half (the reference keeps the last)
            chosen = draw(st.lists(st.sampled_from(keys), max_size=3, unique=clean))
            attributes += [attribute(key) for key in chosen]
            order = draw(st.permutations(attributes))
            events.append("<event>" + draw(st.sampled_from(["", "\n  "])).join(order) + "</event>")
        head = _attribute("concept:name", ("string", f"case {number}")) + "".join(
            attribute(key) for key in draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
        )
        traces.append(f"<trace>{head}{''.join(events)}</trace>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">' + "\n".join(traces) + "</log>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_logs())
def test_generated_logs_read_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "generated.xes"
    path.write_text(text, encoding="utf-8")
    _assert_same(path, monkeypatch)
