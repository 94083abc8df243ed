"""Django merges every app's catalog into one: the same English text must mean the same
Japanese everywhere, or one app's wording silently replaces another's (it once showed a
purchase order's date as 受注日). Give a different meaning a different English msgid."""

import re
from pathlib import Path

from django.conf import settings

ENTRY = re.compile(r'(?:^|\n)((?:#[^\n]*\n)*)msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)')


def _text(lines: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines))


def catalogs() -> dict[str, dict[str, str]]:
    found = {}
    for po in sorted(Path(settings.BASE_DIR).glob("*/locale/ja/LC_MESSAGES/django.po")):
        entries = {}
        for comments, msgid, msgstr in ENTRY.findall(po.read_text(encoding="utf-8")):
            if _text(msgid):
                entries[_text(msgid)] = "" if "#, fuzzy" in comments else _text(msgstr)
        found[po.parts[-5]] = entries
    return found


def test_every_app_has_a_complete_japanese_catalog():
    for app, entries in catalogs().items():
        missing = [msgid for msgid, msgstr in entries.items() if not msgstr]
        assert not missing, f"{app}: untranslated or fuzzy: {missing[:10]}"
    assert set(catalogs()) >= {"backoffice", "orders", "inventory", "documents", "billing", "reports"}


def test_the_same_text_has_one_translation_across_apps():
    seen: dict[str, dict[str, str]] = {}
    for app, entries in catalogs().items():
        for msgid, msgstr in entries.items():
            seen.setdefault(msgid, {})[app] = msgstr
    conflicts = {msgid: apps for msgid, apps in seen.items() if len(set(apps.values())) > 1}
    assert not conflicts, conflicts
