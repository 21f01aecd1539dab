"""Every relative link in README.md, docs/*.md and the other Markdown files beside the code
(CHANGELOG, rule and policy READMEs, model cards) resolves: the file exists, and an anchor
names a heading of that file (GitHub's rule for heading ids). Pages get moved and headings
renamed; a newcomer following a dead link from the front page is the first thing to lose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [
    REPO / "README.md",
    REPO / "CHANGELOG.md",
    *DOCS,
    *(
        p
        for top in ("rules", "policies", "keepgate", "bench", "training")
        for p in sorted((REPO / top).rglob("*.md"))
        if "bundled" not in p.parts
    ),
]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.I)


def slug(heading: str) -> str:
    """GitHub's heading id: markup dropped, lower case, punctuation other than `-` and `_`
    removed, each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](url) -> text
    text = re.sub(r"(?<!\\)<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    seen: dict[str, int] = {}
    out = set(HTML_ID.findall(text))
    for _, title in HEADING.findall(text):
        base = slug(title)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(page: Path) -> list[str]:
    text = INLINE_CODE.sub("", FENCE.sub("", page.read_text()))
    return LINK.findall(text) + REF_DEF.findall(text)


def test_the_slug_rule() -> None:
    assert slug("Readiness (ready, degraded, not_ready)") == "readiness-ready-degraded-not_ready"
    assert slug("`/ui` — live page") == "ui--live-page"
    assert slug(r"guards.policy.roles.\<name\>") == "guardspolicyrolesname"
    assert slug("guards.policy.roles.<name>") == "guardspolicyroles"  # an HTML tag, dropped


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(REPO)}")
    assert not broken, f"{page.relative_to(REPO)}: {broken}"


def test_the_readme_is_a_front_page_linking_every_page() -> None:
    readme = REPO / "README.md"
    assert readme.stat().st_size <= 15_000
    linked = {(REPO / t.partition("#")[0]).resolve() for t in links(readme)}
    missing = [p.name for p in DOCS if p.resolve() not in linked]
    assert not missing, f"README.md does not link {missing}"
