from __future__ import annotations

import pytest

from bim_import.usage import UNCLASSIFIED, classify_usage, usage_categories


@pytest.mark.parametrize(
    ("texts", "category"),
    [
        (["办公室"], "office"),
        (["Büro 2.13"], "office"),
        (["Buero"], "office"),
        (["Meeting room"], "meeting"),
        (["会议室"], "meeting"),
        (["Technikraum"], "plant"),
        (["Teeküche"], "pantry"),
        (["WC Damen"], "sanitary"),
        (["服务器机房"], "it"),
        (["Flur"], "circulation"),
        ([None, "OPEN OFFICE"], "office"),
    ],
)
def test_keywords_in_three_languages(texts: list[str | None], category: str) -> None:
    assert classify_usage(texts).category == category


def test_first_text_with_a_keyword_decides() -> None:
    match = classify_usage(["Lager", "Office"])
    assert match.category == "storage"
    assert match.text == "Lager"


def test_short_keywords_must_be_whole_words() -> None:
    # "bad" (German bath) must not fire inside "Badminton"; "wc" not inside "wcx"
    assert classify_usage(["Badminton"]).category == UNCLASSIFIED
    assert classify_usage(["Bad"]).category == "sanitary"


def test_unmatched_rooms_are_unclassified() -> None:
    assert classify_usage(["R-17", None, ""]).category == UNCLASSIFIED
    assert UNCLASSIFIED in usage_categories()
