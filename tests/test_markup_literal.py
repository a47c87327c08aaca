"""Typed text shown back as literal text: it cannot format, link or mention."""

from bot.kernel.markup import BOLD, CODE, ITALIC, LINK, literal, to_plain


def test_typed_markup_links_and_mentions_are_disarmed_but_read_the_same():
    typed = "**bold** _it_ `code` ~strike~ [go](https://evil.example) www.x.org @here"
    shown = literal(typed)
    for pattern in (BOLD, ITALIC, CODE, LINK):
        assert not pattern.search(shown)
    assert "https://" not in shown and "www." not in shown and "@here" not in shown
    assert to_plain(shown) == shown
    assert shown.replace("\u200b", "") == (
        "∗∗bold∗∗ ˍitˍ ˋcodeˋ ∼strike∼ [go](https://evil.example) www.x.org @here")


def test_plain_text_is_unchanged():
    assert literal("Cloud telephony: who has moved? (3 PCNs, 50%)") == (
        "Cloud telephony: who has moved? (3 PCNs, 50%)")
