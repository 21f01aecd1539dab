"""Links whose host is written in a form a browser reads as another (red team 7).

`links.LinkNeutraliser` read hosts literally: `http://1249767460/` (an IPv4 number),
`http://0x4a7d2b3c/`, `evil%2Ecom`, `evil%E3%80%82com`, `[::ffff:4a7d:2b3c]` had no dot,
were taken for prose or `localhost`, and passed. Hosts are now normalised as the URL
Standard does (`hosts.web_host`). Also: a URL streamed past `MAX_HOLD` on a named host
passed unjudged (its query, with the data, came later); `_carries_data` searched each
inner URL's end from scratch (quadratic on a long run); `allow_hosts: ["*"]` was accepted
and did nothing.
"""

from __future__ import annotations

import pytest

from keepgate.scrubbing import links
from keepgate.scrubbing.hosts import web_host
from keepgate.scrubbing.links import MAX_HOLD, LinkSettings
from tests.linecount import lines_run_in
from tests.scrubbing.test_pii_links import neutraliser, whole

pytestmark = pytest.mark.slow(cpu_s=0.2)

#: (link, the host it reaches): every one must come out defanged.
HIDDEN = [
    ("http://1249767460/x", "74.125.240.36"),
    ("http://0x4a7d2b3c/x", "74.125.43.60"),
    ("http://0112.0175.053.0304/x", "74.125.43.196"),
    ("http://74.125.11332/x", "74.125.44.68"),
    ("https://evil%2Ecom/x?d=Larkspur", "evil.com"),
    ("https://evil%E3%80%82com/x", "evil.com"),
    ("https://ＥＶＩＬ．ＣＯＭ/x", "evil.com"),
    ("https://evil。com./x", "evil.com"),
    ("http://[::ffff:4a7d:2b3c]/x", "[::ffff:4a7d:2b3c]"),
    ("http://[2001:db8::1]:8080/x", "[2001:db8::1]"),
    ("https://harbourpost.co.uk@1249767460/x", "74.125.240.36"),
    ("<a href=//0x4a7d2b3c/x>a</a>", "74.125.43.60"),
]
#: Still pass: a single-label host (`localhost`, an intranet name), the named host written
#: in another form.
FINE = [
    "http://localhost:8080/x and http://buildbox/x",
    "https://HARBOURPOST.CO.UK/issues?n=42",
    "https://harbourpost%2Eco%2Euk/issues?n=42",
    "https://harbourpost.co.uk./issues?n=42",
]


@pytest.mark.parametrize("case", HIDDEN, ids=[h for _, h in HIDDEN])
def test_a_host_in_another_form_is_judged_whole_and_at_every_split(case: tuple[str, str]) -> None:
    link, host = case
    text = f"Open {link} now."
    assert web_host(_host_text(link)).name == host
    out = whole(text)
    assert out != text and ("[" in out), out
    for k in range(1, len(text)):
        n = neutraliser()
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == out, k


def _host_text(link: str) -> str:
    rest = link.split("//", 1)[1]
    rest = rest.rsplit("@", 1)[-1] if "@" in rest.split("/", 1)[0] else rest
    if rest.startswith("["):
        return rest[: rest.index("]") + 1]
    return rest.split("/", 1)[0].split(":", 1)[0]


@pytest.mark.parametrize("text", FINE)
def test_single_labels_and_the_named_host_in_any_form_pass(text: str) -> None:
    assert whole(text) == text


def test_a_url_on_a_named_host_streamed_past_the_hold_is_not_passed_unjudged() -> None:
    """Its query (the conversation's data) arrives after `MAX_HOLD` characters: it cannot
    be judged whole, so it passes only on an allowed host."""
    url = "https://harbourpost.co.uk/a/" + "b" * (MAX_HOLD + 100) + "?q=Larkspur"
    n = neutraliser()
    out = "".join(n.feed(url[i : i + 64]) for i in range(0, len(url), 64)) + n.feed(" x")
    out += n.flush()
    assert "harbourpost.co.uk/" not in out and "harbourpost[.]co[.]uk" in out
    allowed = "https://docs.example.com/" + "b" * (MAX_HOLD + 100) + "?q=Larkspur x"
    n = neutraliser()
    out = "".join(n.feed(allowed[i : i + 64]) for i in range(0, len(allowed), 64)) + n.flush()
    assert out == allowed


class _Tally:
    """`links._URL_STOP` counting the characters each search may read (to the text's end:
    a run without a stop is read to it)."""

    def __init__(self) -> None:
        self.read = 0
        self.rx = links._URL_STOP

    def search(self, s: str, pos: int = 0):  # type: ignore[no-untyped-def]
        self.read += len(s) - pos
        return self.rx.search(s, pos)


@pytest.mark.parametrize("n", [200, 800])
def test_inner_urls_of_a_long_run_cost_linear_work(n: int, monkeypatch) -> None:
    """An open redirect's target holding `n` URL starts without a space: the end of the run
    is searched once (`_parse`'s memo), not once per start, and Python lines grow ~n."""
    counts = {}
    for size in (n, 2 * n):
        tally = _Tally()
        monkeypatch.setattr(links, "_URL_STOP", tally)
        u = "https://harbourpost.co.uk/r?u=" + "(//a" * size
        nt = neutraliser()
        with lines_run_in(("keepgate/scrubbing/links.py",)) as lines:
            nt._carries_data(u, 0)
        counts[size] = (tally.read, lines[0])
    (read1, lines1), (read2, lines2) = counts[n], counts[2 * n]
    assert read2 <= 2.2 * read1 and lines2 <= 2.2 * lines1, counts


def test_a_wildcard_allow_host_is_refused() -> None:
    with pytest.raises(ValueError, match="no wildcard allows every host"):
        LinkSettings(allow_hosts=["*"])
    assert LinkSettings(allow_hosts=["*.example.com"]).allow_hosts == ["example.com"]
