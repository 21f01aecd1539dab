"""Is a domain spelled out in the conversation (`secure-billing dot net`)?

`links.bare_domains: mentioned` judges the bare domains a message writes; an injection
that wants its domain in the answer without writing it spells it ("secure-billing dot
net", "payroll-update (dot) org", "'wire-' + 'confirm' + '.com'", "the acct-check site on
the com domain") and the model joins the pieces. The domain's name (the label under its
public suffix, its `-` parts) is then in the text as consecutive words, followed within a
few words by the suffix's labels: that is a mention. Words are compared after NFKC and
case folding (`ＡＣＣＴ` is `acct`). The word index is built on first need (an answer with
no unwritten bare domain never builds it), linear in the text; each question looks at
most `_TRIES` places.
"""

from __future__ import annotations

import unicodedata

import re
import tldextract


#: A word: letters and digits. The stdlib's `re` (one character class, provably linear)
#: because pyre2's `findall` builds its list in Python: 1.3 s of CPU for 376,000 words of
#: 2 MB, against 0.05 s here.
_WORD = re.compile(r"[^\W_]+")
#: Words at most between the name and its suffix, and between two suffix labels
#: (`acct-check, on the com domain`); the name's parts are consecutive words.
_SUFFIX_WORDS = 4
#: Occurrences of a name's first part looked at.
_TRIES = 256


class Spelled:
    """The conversation's words, for `spells`."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: list[str] | None = None
        self._at: dict[str, list[int]] = {}

    def _index(self) -> list[str]:
        """The words, and where each first occurs (`_TRIES` places at most): built once,
        in C but for one dictionary pass (~0.1 s of CPU for 2 MB of text)."""
        if self._words is None:
            folded = unicodedata.normalize("NFKC", self._text).casefold()
            self._words = _WORD.findall(folded)
            at = self._at
            for i, w in enumerate(self._words):
                found = at.get(w)
                if found is None:
                    at[w] = [i]
                elif len(found) < _TRIES:
                    found.append(i)
        return self._words

    def spells(self, host: str) -> bool:
        """Does the text hold `host`'s name and suffix as words, in order and close?"""
        ext = tldextract.extract(host)
        name = [p for p in ext.domain.split("-") if p]
        suffix = [p for p in ext.suffix.split(".") if p]
        if not name or not suffix:
            return False
        words = self._index()
        n = len(name)
        for i in self._at.get(name[0], ()):
            if words[i : i + n] == name and _follows(words, i + n - 1, suffix):
                return True
        return False


def _follows(words: list[str], i: int, parts: list[str]) -> bool:
    """Do `parts` follow word `i` in order, each within `_SUFFIX_WORDS` words of the last?"""
    for part in parts:
        window = words[i + 1 : i + 1 + _SUFFIX_WORDS]
        if part not in window:
            return False
        i += 1 + window.index(part)
    return True
