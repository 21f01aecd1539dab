"""Is a domain spelled out in the conversation (`secure-billing dot net`)?

`links.bare_domains: mentioned` judges the bare domains a message writes; an injection
that wants its domain in the answer without writing it spells it ("secure-billing dot
net", "payroll-update (dot) org", "'wire-' + 'confirm' + '.com'", "the acct-check site on
the com domain") and the model joins the pieces. The domain's name (the label under its
public suffix, its `-` parts) is then in the text as consecutive words, followed within a
few words by the suffix's labels: that is a mention. Words are compared after NFKC and
case folding (`ＡＣＣＴ` is `acct`). The word index is built on first need, linear in the
text; each question looks at most `_TRIES` places.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import re2
import tldextract

from keepgate.scrubbing.re2text import re2_safe

_WORD = re2.compile(r"[\p{L}\p{N}]+")
#: Characters at most between two parts of the name (`wire-' + 'confirm`).
_PART_GAP = 8
#: Words at most between the name and its suffix, and between two suffix labels.
_SUFFIX_WORDS = 4
#: Characters at most between the name and its suffix, and between two suffix labels.
_SUFFIX_GAP = 32
#: Occurrences of a name's first part looked at.
_TRIES = 256


class Spelled:
    """The conversation's words, for `spells`."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: list[str] | None = None
        self._spans: list[tuple[int, int]] = []
        self._at: dict[str, list[int]] = defaultdict(list)

    def _index(self) -> list[str]:
        if self._words is None:
            folded = unicodedata.normalize("NFKC", self._text).casefold()
            self._words = []
            for m in _WORD.finditer(re2_safe(folded)):
                self._at[m.group(0)].append(len(self._words))
                self._words.append(m.group(0))
                self._spans.append(m.span())
        return self._words

    def spells(self, host: str) -> bool:
        """Does the text hold `host`'s name and suffix as words, in order and close?"""
        ext = tldextract.extract(host)
        name = [p for p in ext.domain.split("-") if p]
        suffix = [p for p in ext.suffix.split(".") if p]
        if not name or not suffix:
            return False
        words = self._index()
        for i in self._at.get(name[0], [])[:_TRIES]:
            j = self._follows(words, i, name[1:], 1, _PART_GAP)
            if j >= 0 and self._follows(words, j, suffix, _SUFFIX_WORDS, _SUFFIX_GAP) >= 0:
                return True
        return False

    def _follows(self, words: list[str], i: int, parts: list[str], skip: int, gap: int) -> int:
        """Index of the last of `parts` found after word `i`, each within `skip` words and
        `gap` characters of the one before; -1 if they are not there."""
        for part in parts:
            for k in range(i + 1, min(len(words), i + 1 + skip)):
                if self._spans[k][0] - self._spans[i][1] > gap:
                    break
                if words[k] == part:
                    i = k
                    break
            else:
                return -1
            if words[i] != part:
                return -1
        return i
