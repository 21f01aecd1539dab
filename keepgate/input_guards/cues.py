"""Prompt-cue stage: does a prompt use the *moves* of an attack on the model's instructions?

The hashed n-gram classifier learns the words of its training sources and does not carry over
to sources it never saw. This stage reads only knowledge-driven cue categories
(`cue_lexicon`, 24 languages, written from how attacks work, not from the evaluation rows):
override the previous instructions, refer to the system prompt, ask for a secret, take a
persona without limits, suppress refusals, "from now on", coerce the reply's format, claim
authority, encode to evade, wrap in fiction, pressure; and two benign cues (a question
*about* attacks, an attack phrase in quotation marks). Which categories occur and a few of
their pairs are the features of a small logistic head (`cue_detector.npz`, `train.fit_cues`)
whose weights start from a written prior.

Linear time: every category is one RE2 pattern (`linear`), searched once. The head has two
dozen weights, summed in Python.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from keepgate.input_guards import linear
from keepgate.input_guards.cue_lexicon import (
    _HIJACK_OBJECTS,
    _LEAK_OBJECTS,
    _OTHER_DATA_OBJECTS,
    _SAY_FIXED_OBJECTS,
    CATEGORIES,
    REQUIRES,
    _alt,
    _b,
)

FORMAT = 1

#: Phrase cue -> objects one of which every match of its gap phrases contains, besides
#: its `REQUIRES` word class: `LEAK` is a reveal verb and a secret or the hidden set-up in
#: one sentence; `OTHER_DATA`'s phrases in other languages name "the user" beside a
#: personal-data noun (their automaton, the product of two long word lists, cost ~0.25 ms
#: per KB of text it had not read, and "the user" in another language is rare); `HIJACK`'s
#: and `SAY_FIXED`'s phrases in other languages on their drop verbs and their "that". The matcher searches those phrases only where an object occurs, which
#: takes the most expensive automaton (it keeps growing on new text: ~0.2 ms per KB) off
#: the texts that merely say "show" or "print"; the category's other fragments (direct
#: phrases) are searched as before. A fragment counts as gated only while it has the
#: objects' alternation as a required part (`_required_in`), so a change to the lexicon
#: can make the matcher slower, never different.
ALSO_REQUIRES: dict[str, list[str]] = {
    "LEAK": _LEAK_OBJECTS,
    "OTHER_DATA": _OTHER_DATA_OBJECTS,
    "HIJACK": _HIJACK_OBJECTS,
    "SAY_FIXED": _SAY_FIXED_OBJECTS,
}


def _pattern(fragments: list[str]) -> str:
    return "(?i:" + "|".join(_b(f) for f in fragments) + ")"


def _required_in(fragment: str, part: str) -> bool:
    """Whether every match of `fragment` contains a match of `part`: `part` occurs in it at
    the top level (outside every group and character class), is not followed by a
    quantifier that makes it optional, and the fragment has no top-level alternation."""
    at = fragment.find(part)
    if at < 0 or fragment[at + len(part) : at + len(part) + 1] in ("?", "*", "{"):
        return False
    depth, i, in_class = 0, 0, False
    while i < len(fragment):
        if i == at and (depth or in_class):
            return False
        c = fragment[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal, not the end of the class
            if fragment[i + 1 : i + 2] == "]":
                i += 1
            elif fragment[i + 1 : i + 3] == "^]":
                i += 2
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return False
        i += 1
    return True


class CueError(RuntimeError):
    """The lexicon does not compile or the artefact is missing or malformed."""


@dataclass(frozen=True, slots=True)
class _Gate:
    """A phrase cue split by `ALSO_REQUIRES`: its fragments that need an object, searched
    only where one occurs, and its other fragments, always searched. The category matches
    where either part does (one alternation matches where one of its fragments does)."""

    #: Word classes holding some of the objects (searched before any phrase cue).
    covered: tuple[str, ...]
    #: The objects no covered word class holds.
    rest: linear.Regex | None
    gated: linear.Regex
    plain: linear.Regex | None

    def matches(self, found: list[str], data: bytes) -> bool:
        if self.plain is not None and linear.found(self.plain, data):
            return True
        objects = any(c in found for c in self.covered) or (
            self.rest is not None and linear.found(self.rest, data)
        )
        return objects and linear.found(self.gated, data)


class CueMatcher:
    """The set of categories present in a text: one RE2 search per category.

    One RE2 *set* over all categories would read the text once, but its DFA is the product
    of the categories' and had to be built anew for most new text (1–2 ms per KB, measured);
    a DFA per category stays small. The text is encoded to UTF-8 once and each category's
    automaton called directly (`linear.found`): through the wrapper's `search`, re-encoding
    and offset mapping cost more than the search itself (measured: 0.10 → 0.05 ms per KB
    for the categories once their automata are warm, 0.20 → 0.14 ms while they are built).
    A `FilteredRE2` (one literal pass picks the categories whose words occur, the rest run
    in C++) was faster still when warm (0.04 ms) but slower cold (0.20 ms): its literal set
    is one more automaton to build. `categories_by_search` is the wrapper version, kept as
    the reference the tests and `bench/scan_speed.py` compare with."""

    def __init__(self, categories: dict[str, list[str]] | None = None) -> None:
        cats = categories if categories is not None else CATEGORIES
        # Word classes first, so the phrase cues built on them can be skipped (`REQUIRES`).
        # (and the gated cues after them: a gate reads the word classes found)
        self.names = tuple(sorted(cats, key=lambda n: (n in REQUIRES or n in ALSO_REQUIRES, n)))
        self._regexes: list[tuple[str, linear.Regex]] = []
        for name in self.names:
            try:
                self._regexes.append((name, linear.compile(_pattern(cats[name]))))
            except linear.LinearRegexError as exc:
                raise CueError(f"cue category {name!r} does not compile: {exc}") from None
        self._also: dict[str, _Gate] = {}
        for name, raw_objects in ALSO_REQUIRES.items():
            if name not in cats:
                continue
            # the lexicon's fragments are NFKC (`cue_lexicon`): compare like with like
            objects = [unicodedata.normalize("NFKC", f) for f in raw_objects]
            alt = _alt(objects)
            gated = [f for f in cats[name] if _required_in(f, alt)]
            if not gated:
                continue
            plain = [f for f in cats[name] if f not in gated]
            # A word class holding some of the objects stands for them: where one of
            # those occurs, the class is found. Its other words only make the gated
            # search run where it was not needed (slower, never different).
            covered = tuple(
                c
                for c in self.names
                if c not in REQUIRES and c not in ALSO_REQUIRES and set(cats[c]) & set(objects)
            )
            rest = [f for f in objects if not any(f in cats[c] for c in covered)]
            self._also[name] = _Gate(
                covered,
                linear.compile(_pattern(rest)) if rest else None,
                linear.compile(_pattern(gated)),
                linear.compile(_pattern(plain)) if plain else None,
            )

    def categories(self, text: str) -> list[str]:
        # `.encode("utf-8")` is what the RE2 wrapper's `search` does to a str
        data = text.encode("utf-8")
        found: list[str] = []
        for name, rx in self._regexes:
            need = REQUIRES.get(name)
            # A phrase cue contains a word of its class: no word, no phrase, no search.
            if not (need is None or need in found or need not in self.names):
                continue
            gate = self._also.get(name)
            if gate is not None:
                if gate.matches(found, data):
                    found.append(name)
            elif linear.found(rx, data):
                found.append(name)
        return sorted(found)

    def categories_by_search(self, text: str) -> list[str]:
        """The reference: the wrapper's `search` on the str, per category."""
        found: list[str] = []
        for name, rx in self._regexes:
            need = REQUIRES.get(name)
            if (need is None or need in found or need not in self.names) and rx.search(text):
                found.append(name)
        return sorted(found)


def features(cats: list[str]) -> list[str]:
    """The active features of one text: its categories and their pairs (`cats` sorted, as
    `CueMatcher.categories` gives them)."""
    return list(cats) + [f"{a}&{b}" for i, a in enumerate(cats) for b in cats[i + 1 :]]


class CueDetector:
    """A logistic head over cue features; `score(text)` in [0, 1].

    `strong` features (phrase cues, pairs) count in full; the weak single-word ones count
    `damp / len(text)` of their weight past `damp` characters, since a long prompt meets
    "secret", "print" or "imagine" by chance."""

    def __init__(
        self,
        weights: dict[str, float],
        bias: float,
        damp: float,
        strong: frozenset[str],
        matcher: CueMatcher | None = None,
    ) -> None:
        self.matcher = matcher or CueMatcher()
        unknown = {n for w in weights for n in w.split("&")} - set(self.matcher.names)
        if unknown:
            raise CueError(f"weights name unknown cue categories {sorted(unknown)}")
        self.weights = dict(weights)
        self.bias = float(bias)
        self.damp = float(damp)
        self.strong = frozenset(strong)

    @classmethod
    def load(cls, path: Path) -> "CueDetector":
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"]) != FORMAT or str(z["kind"]) != "prompt_cues":
                    raise CueError(f"{path}: not a prompt-cue artefact")
                names = [str(n) for n in z["names"]]
                return cls(
                    dict(zip(names, z["weights"].astype(np.float64).tolist())),
                    float(z["bias"]),
                    float(z["damp"]),
                    frozenset(str(n) for n in z["strong"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise CueError(f"cannot load prompt-cue detector {path}: {exc}") from None

    def save(self, path: Path, **meta: str) -> None:
        names = sorted(self.weights)
        arrays: dict[str, Any] = {
            "format": np.int32(FORMAT),
            "kind": np.str_("prompt_cues"),
            "names": np.array(names),
            "bias": np.float32(self.bias),
            "damp": np.float32(self.damp),
            "weights": np.array([self.weights[n] for n in names], dtype=np.float32),
            "strong": np.array(sorted(self.strong)),
        }
        arrays.update({k: np.str_(v) for k, v in meta.items()})
        np.savez_compressed(path, **arrays)

    def contributions(self, cats: list[str], length: int) -> list[tuple[str, float]]:
        """Each active feature's share of the logit (largest first), for audits and tests."""
        damp = min(1.0, self.damp / max(length, 1))
        out = [
            (n, self.weights[n] * (1.0 if n in self.strong or "&" in n else damp))
            for n in features(cats)
            if n in self.weights
        ]
        return sorted(out, key=lambda t: -t[1])

    def explain(self, text: str) -> list[tuple[str, float]]:
        return self.contributions(self.matcher.categories(text), len(text))

    def score_categories(self, cats: list[str], length: int) -> float:
        z = self.bias + sum(v for _, v in self.contributions(cats, length))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def score(self, text: str) -> float:
        return self.score_categories(self.matcher.categories(text), len(text))
