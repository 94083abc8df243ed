"""Issue #12 item 13: one normalisation for kana as people type them and banks print them."""

import pytest

from backoffice.kana import kana_key, without_legal_form


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ヤマダセイサクシヨ", "ヤマダセイサクシヨ"),  # bank style, as stored
        ("ヤマダ", "ヤマダ"),
        ("やまだ", "ヤマダ"),  # hiragana
        ("ﾔﾏﾀﾞ", "ヤマダ"),  # half width, ﾀﾞ joined into ダ
        ("セイサクショ", "セイサクシヨ"),  # small kana as large
        ("トウキョウ", "トウキヨウ"),
        ("とうきょう", "トウキヨウ"),
        ("ﾄｳｷｮｳ", "トウキヨウ"),
        ("ｶﾞｯｺｳ", "ガツコウ"),
        ("ﾊﾟｰﾂ", "パーツ"),  # half-width ｰ is the long vowel
        ("ｺ-ﾋ-", "コーヒー"),  # the bank's "-" after kana is the long vowel
        ("コ－ヒ－", "コーヒー"),  # full-width hyphen-minus too
        ("A-100", "A-100"),  # between letters and digits a dash stays a dash
        ("ヤマダ セイサクショ", "ヤマダセイサクシヨ"),  # spaces go
        ("ヤマダ\u3000セイサクショ", "ヤマダセイサクシヨ"),  # ideographic space too
        ("タ\u3099", "ダ"),  # combining voicing mark
        ("タ゛", "ダ"),  # spacing voicing mark
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
        ("ゔぁいおりん", "ヴアイオリン"),
        ("ヵヶヮ", "カケワ"),
        ("ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ", "カ)ヤマダセイサクシヨ"),  # the legal-form mark is kept in the key
        ("（カ）ヤマダ", "(カ)ヤマダ"),
        ("abc", "ABC"),
        ("", ""),
        (None, ""),
    ],
)
def test_kana_key(typed, key):
    assert kana_key(typed) == key
    assert kana_key(key) == key  # idempotent: a stored key and a re-keyed query agree


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("カ)ヤマダセイサクシヨ", "ヤマダセイサクシヨ"),  # 株式会社 before the name
        ("ヤマダセイサクシヨ(カ", "ヤマダセイサクシヨ"),  # after the name
        ("ヤマダセイサクシヨ)カ", "ヤマダセイサクシヨ"),
        ("(カ)ヤマダ", "ヤマダ"),
        ("ユ)サトウ", "サトウ"),  # 有限会社
        ("ゴ)スズキ", "スズキ"),  # 合同会社
        ("イ)ケンコウカイ", "ケンコウカイ"),  # 医療法人
        ("ガク)ヤマダガクエン", "ヤマダガクエン"),  # 学校法人
        ("ザイ)ニホンキヨウカイ", "ニホンキヨウカイ"),  # 財団法人
        ("シヤ)ニホンキヨウカイ", "ニホンキヨウカイ"),  # 社団法人
        ("ヤマダシヨウジ", "ヤマダシヨウジ"),
        ("カワダ", "カワダ"),  # カ without the bracket is part of the name
    ],
)
def test_without_legal_form(key, name):
    assert without_legal_form(key) == name
