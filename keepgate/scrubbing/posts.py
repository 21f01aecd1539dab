"""What an answer's released text passes after the scrubber: remote images, then links.

`StreamScrubber.post` is one `TextPost`; the answer filters of one call are chained so both
see every split of the stream exactly as the client will read it. `answer_post` builds the
chain the settings ask for, for the proxy's PII guard and the hosted agent alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from keepgate.jsontypes import JsonObject
from keepgate.scrubbing import linkctx
from keepgate.scrubbing.bare import BareDomains
from keepgate.scrubbing.images import ImageNeutraliser
from keepgate.scrubbing.links import LinkNeutraliser
from keepgate.scrubbing.settings import PiiOptions


class TextPost(Protocol):
    """A streaming filter: text in, text safe to send out; holds what is unfinished."""

    @property
    def pending(self) -> str: ...

    @property
    def held(self) -> int: ...

    def feed(self, text: str) -> str: ...

    def flush(self) -> str: ...


@dataclass
class Chained:
    """`first`, then `second`, over the same stream."""

    first: TextPost
    second: TextPost

    @property
    def pending(self) -> str:
        return self.second.pending + self.first.pending

    @property
    def held(self) -> int:
        return self.first.held + self.second.held

    def feed(self, text: str) -> str:
        out = self.first.feed(text)
        return self.second.feed(out) if out else ""

    def flush(self) -> str:
        out = self.first.flush()
        return (self.second.feed(out) if out else "") + self.second.flush()


@dataclass
class AnswerReport:
    """What the answer filters of one call did (for the audit): hosts, by what happened."""

    images_removed: list[str]
    links_neutralised: list[str]
    links_flagged: list[str]

    @staticmethod
    def empty() -> AnswerReport:
        return AnswerReport([], [], [])

    def audit(self) -> dict[str, list[str]]:
        out = {
            "images_removed": self.images_removed,
            "links_neutralised": self.links_neutralised,
            "links_flagged": self.links_flagged,
        }
        return {k: list(v) for k, v in out.items() if v}


@dataclass
class Reported:
    """`inner`, whose report is written into an audit record when the text is flushed."""

    inner: TextPost
    report: AnswerReport
    audit: JsonObject

    @property
    def pending(self) -> str:
        return self.inner.pending

    @property
    def held(self) -> int:
        return self.inner.held

    def feed(self, text: str) -> str:
        return self.inner.feed(text)

    def flush(self) -> str:
        out = self.inner.flush()
        for k, v in self.report.audit().items():
            have = self.audit.get(k)
            self.audit[k] = (have if isinstance(have, list) else []) + v
        return out


class AnswerFilters:
    """Builds each text field's chain for one call: which filters apply is decided once
    (taint), the conversation's link context is built once, on the first link met."""

    def __init__(
        self,
        settings: PiiOptions,
        tainted: bool,
        body: Mapping[str, Any],
        counts: Counter[str],
        report: AnswerReport,
    ) -> None:
        images, links = settings.images, settings.links
        self.images = images.mode == "always" or (images.mode == "tainted" and tainted)
        self.links = links.mode == "always" or (links.mode == "tainted" and tainted)
        self.settings = settings
        self.counts = counts
        self.report = report
        self._body = body
        self._ctx: linkctx.LinkContext | None = None

    @property
    def active(self) -> bool:
        return self.images or self.links

    def context(self) -> linkctx.LinkContext:
        if self._ctx is None:
            self._ctx = linkctx.build(self._body)
        return self._ctx

    def new(self) -> TextPost | None:
        """The chain for one more text field (None when no filter applies)."""
        s = self.settings
        first: TextPost | None = None
        if self.images:
            first = ImageNeutraliser(s.images.allow_hosts, self.counts, self.report.images_removed)
        if not self.links:
            return first
        hosts = (
            self.report.links_neutralised
            if s.links.action == "neutralise"
            else self.report.links_flagged
        )
        ctx: Callable[[], linkctx.LinkContext] = self.context
        link = LinkNeutraliser(
            ctx,
            [*s.links.allow_hosts, *s.images.allow_hosts],
            s.links.action,
            s.links.unseen_hosts == "pass",
            self.counts,
            hosts,
        )
        post: TextPost = link
        if s.links.bare_domains != "off":
            link.bare_unseen_pass = s.links.bare_domains == "mentioned"
            link.removed_images = self.report.images_removed
            bare = BareDomains(link.vouches_bare, link.record, s.links.action == "neutralise")
            bare.placeholder = link.vouches_placeholder
            post = Chained(link, bare)
        return post if first is None else Chained(first, post)
