"""Kana as people type them and as banks print them, reduced to one comparable key.

A name's reading may arrive as katakana (ヤマダ), hiragana (やまだ), half-width kana
(ﾔﾏﾀﾞ), with small kana (セイサクショ) or, as banks print payer names, without them
(ｾｲｻｸｼﾖ) and with "-" for the long vowel (ｺ-ﾋ-). `kana_key` maps all of these to
the same string, so a stored name and a typed query compare equal when a person would
say they are the same: the stored side keeps the key in a column (`name_kana_key`,
a `KanaKeyField` written by the services), the typed side goes through the
`kana_contains` lookup, which applies the same function to the query.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from django.db.models.lookups import Contains, Lookup

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {0x309D: 0x30FD, 0x309E: 0x30FE}
_SMALL_TO_LARGE = str.maketrans(
    "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ",
    "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ",
)
# A dash right after kana is a long vowel written the bank's way (ｺ-ﾋ- = コーヒー);
# between digits or letters it stays a dash.
_DASHES = "-\u2010-\u2015\u2212"  # NFKC has already made ｰ and － into ー and -
_LONG_VOWEL_DASH = re.compile(rf"(?<=[\u30a1-\u30fa\u30fc\u30fd\u30fe])[{_DASHES}]")
# Legal forms as banks abbreviate them (FIELD-NOTES): ｶ) before the name, (ｶ or )ｶ after it,
# )ｶ) in the middle. Keys keep them; payer matching against a customer's reading drops them.
_LEGAL_FORMS = "カ|ユ|ゴ|メ|シ|イ|ガク|ザイ|シヤ|シユウ|ドク|ホ|トク|ソ"
_LEGAL_FORM_MARK = re.compile(rf"^\(?(?:{_LEGAL_FORMS})\)|[()](?:{_LEGAL_FORMS})\)?$|\)(?:{_LEGAL_FORMS})\)")


def kana_key(text: str | None) -> str:
    """The comparable form of a kana name: full-width katakana (NFKC folds half-width
    kana and joins ﾀﾞ into ダ), hiragana as katakana, small kana as large (the bank's
    ｼﾖ equals ショ), a dash after kana as ー, no spaces, Latin letters upper case.
    Idempotent: kana_key(kana_key(x)) == kana_key(x)."""
    text = unicodedata.normalize("NFKC", text or "")
    # NFKC turns a spacing ゛ into a space and a combining mark: drop the space, then join.
    text = unicodedata.normalize("NFC", "".join(text.split()))
    text = text.translate(_HIRAGANA_TO_KATAKANA).translate(_SMALL_TO_LARGE)
    return _LONG_VOWEL_DASH.sub("ー", text).upper()


def without_legal_form(key: str) -> str:
    """A key without the bank's legal-form mark: カ)ヤマダ, ヤマダ(カ, ヤマダ)カ → ヤマダ."""
    return _LEGAL_FORM_MARK.sub("", key)


class KanaKeyField(models.CharField):
    """A column holding kana_key() of another field, searched with `__kana_contains`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("max_length", 200), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs


@KanaKeyField.register_lookup
class KanaContains(Lookup):
    """`name_kana_key__kana_contains=<typed text>`: a `contains` of the typed text normalised
    like the stored key. Usable in DRF's and the admin's `search_fields` alike."""

    lookup_name = "kana_contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        rhs = kana_key(self.rhs) if isinstance(self.rhs, str) else self.rhs
        return Contains(self.lhs, rhs).as_sql(compiler, connection)


def with_kana_key(data: dict, *, source: str = "name_kana", key: str = "name_kana_key") -> dict:
    """A service's input plus the search key of its kana field, when the input names it."""
    if source not in data:
        return data
    return {**data, key: kana_key(data[source])}
