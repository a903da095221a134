"""The language a post is read in: the source's tag, else the detector's answer."""

from __future__ import annotations

import pytest

from rules.language import detect, language


def test_a_tag_from_the_source_is_taken_as_it_is() -> None:
    assert language("@acme my parcel never came", "es").code == "es"
    assert language("@acme mi pedido", "pt-BR").code == "pt"
    assert not language("@acme mi pedido", "es").detected


@pytest.mark.parametrize("tag", [None, "", "und", "zxx"])
def test_an_untagged_post_is_detected(tag: str | None) -> None:
    found = language("@acme mi pedido nunca llegó y nadie contesta", tag)

    assert (found.code, found.detected, found.name) == ("es", True, "Spanish")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("@acme mon colis n'est jamais arrivé et personne ne répond", "fr"),
        ("@acme mein Paket ist nie angekommen und niemand antwortet", "de"),
        ("@acme o meu pedido nunca chegou e ninguém responde", "pt"),
        ("@acme mi hijo se enfermó después de comer su producto", "es"),
    ],
)
def test_other_languages_are_told_apart(text: str, code: str) -> None:
    assert detect(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "@acme made about 30 calls and you keep telling me to call back later",
        "@acme PS4 pro",
        "@acme 👍🔥",
        "@acme",
        "@acme la la land was on the flight, loved it",
        "https://example.com/a/b",
    ],
)
def test_english_short_and_wordless_posts_are_read_as_english(text: str) -> None:
    assert detect(text) == "en"
