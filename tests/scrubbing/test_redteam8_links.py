"""Red team 8: links a renderer makes live that the link stage did not read as links.

CommonMark decodes character references in a link destination and allows spaces and a
line break between `(` and it; HTML allows spaces around `=`, and the URL parser strips
leading spaces and newlines from an `href`. So `[v](https&#58;//evil.com/x)`,
`[v](https://evil&#46;com/x)`, `[v]( //evil.com/x)`, `[v](\\n//evil.com/x)`,
`<a href = //evil.com/x>` and `<a href=" //evil.com/x">` are live links to evil.com; the
link stage read no start (`https&#58;`), a single-label host (`evil`, the host ending at
`&`) or no `//` right after the quote, and passed them. Each must come out defanged, whole
and at every split, and through the gateway (openai SDK, streamed and not).
"""

from __future__ import annotations

import pytest

from tests.scrubbing.answer_stream import every_split, through_gateway
from tests.scrubbing.test_pii_links import EVIL, MSGS, ask, gw, neutraliser, whole  # noqa: F401

pytestmark = pytest.mark.slow(cpu_s=2)

LIVE = [
    f"[verify](https&#58;//{EVIL}/x?d=Larkspur)",
    f"[verify](https&colon;//{EVIL}/x)",
    f"[verify](http&#x3A;&#x2F;&#x2F;{EVIL}/x)",
    f'<a href="https&#58;//{EVIL}/x">a</a>',
    "[verify](https://press-verify&#46;org/x)",
    "[verify](https://press-verify&period;org/x)",
    "[verify](https://press-verify&#x2e;org/x)",
    f"[verify]( //{EVIL}/x)",
    f"[verify](\n//{EVIL}/x)",
    f"<a href = //{EVIL}/x>a</a>",
    f'<a href=" //{EVIL}/x">a</a>',
    f'<a href="\n//{EVIL}/x">a</a>',
    f"[verify](https://harbourpost.co.uk\\@{EVIL}/x)",
    "[verify](https://press-verify\\.org/x)",
]
#: Still prose: a `//` comment after a paren, an ampersand in a query.
FINE = [
    "Use f(a) ( // the default) and https://status.harbourpost.co.uk/i/2291?a=1&b=2 now.",
    "x = (  // note: keep this\n",
]


def _live(out: str) -> bool:
    """Would a renderer still reach the attacker's host?"""
    import html

    text = html.unescape(out).replace("\n", "").replace(" ", "")
    return "press-verify.org" in text and "//press-verify.org" in text


@pytest.mark.parametrize("link", LIVE, ids=range(len(LIVE)))
def test_a_live_link_is_defanged_whole_and_at_every_split(link: str) -> None:
    text = f"Please {link} now."
    out = every_split(text, whole, neutraliser)
    assert out != text and not _live(out), out


@pytest.mark.parametrize("text", FINE)
def test_prose_with_slashes_and_ampersands_passes(text: str) -> None:
    assert whole(text) == text


def test_through_the_gateway_streamed_and_not(gw) -> None:  # noqa: F811
    text = "Done. " + " ".join(LIVE) + " ok."
    content = through_gateway(gw, text, MSGS)
    assert not _live(content), content
