"""The Dutch catalogue is complete, and the committed .mo is compiled from the committed .po.

The .mo is committed so that a machine without GNU gettext (msgfmt) still serves Dutch; this
test reads both files in pure Python, so it needs no gettext either.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "civicflow" / "locale"
PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"

_ENTRY = re.compile(r'^(?P<flags>#,.*\n)?msgid (?P<id>(?:".*"\n)+)msgstr (?P<str>(?:".*"\n?)+)', re.MULTILINE)
# ngettext entries: msgid, msgid_plural, then msgstr[0], msgstr[1] ... (Dutch has two forms)
_PLURAL = re.compile(
    r'^(?P<flags>#,.*\n)?msgid (?P<id>(?:".*"\n)+)msgid_plural (?P<plural>(?:".*"\n)+)'
    r'(?P<forms>(?:msgstr\[\d+\] (?:".*"\n?)+)+)',
    re.MULTILINE,
)
_FORM = re.compile(r'^msgstr\[(?P<n>\d+)\] (?P<str>(?:".*"\n?)+)', re.MULTILINE)
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _join(quoted: str) -> str:
    # each line is a C-style string literal; Python's literal syntax reads the same escapes
    return "".join(ast.literal_eval(line) for line in quoted.strip().splitlines())


def _entries() -> list[tuple[str, str, str]]:
    entries = [
        (_join(m["id"]), _join(m["str"]), m["flags"] or "") for m in _ENTRY.finditer(PO.read_text(encoding="utf-8"))
    ]
    assert len(entries) > 40, "the .po parser found too few entries: it is broken"
    return [entry for entry in entries if entry[0]]  # the header has the empty msgid


def _plural_entries() -> list[tuple[tuple[str, int], str, str, str]]:
    """((msgid, n), source text of form n, msgstr[n], flags) for every plural form of every ngettext entry."""
    found = []
    for m in _PLURAL.finditer(PO.read_text(encoding="utf-8")):
        msgid, plural = _join(m["id"]), _join(m["plural"])
        for form in _FORM.finditer(m["forms"]):
            n = int(form["n"])
            found.append(((msgid, n), msgid if n == 0 else plural, _join(form["str"]), m["flags"] or ""))
    return found


def test_every_message_has_a_dutch_translation() -> None:
    untranslated = [msgid for msgid, msgstr, _flags in _entries() if not msgstr.strip()]
    fuzzy = [msgid for msgid, _msgstr, flags in _entries() if "fuzzy" in flags]
    untranslated += [key[0] for key, _source, msgstr, _flags in _plural_entries() if not msgstr.strip()]
    fuzzy += [key[0] for key, _source, _msgstr, flags in _plural_entries() if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_the_placeholders() -> None:
    for msgid, msgstr, _flags in _entries():
        assert sorted(_PLACEHOLDER.findall(msgid)) == sorted(_PLACEHOLDER.findall(msgstr)), msgid
    for key, source, msgstr, _flags in _plural_entries():
        assert sorted(_PLACEHOLDER.findall(source)) == sorted(_PLACEHOLDER.findall(msgstr)), key


def test_compiled_catalogue_matches_the_po_file() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalogue = {k: v for k, v in compiled._catalog.items() if k}  # type: ignore[attr-defined]
    expected: dict[object, str] = {msgid: msgstr for msgid, msgstr, _flags in _entries()}
    expected.update({key: msgstr for key, _source, msgstr, _flags in _plural_entries()})
    assert catalogue == expected, "run: cd src/civicflow && django-admin compilemessages (docs/web.md)"
