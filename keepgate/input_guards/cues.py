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

Linear time: every category is one RE2 pattern (`linear`), searched once, except phrase
cues led by a word class ("ignore ... instructions"), found by head and tail distance
(`_Phrases`): each search there resumes past the previous match's start, and a fragment is
run anchored only at a head start with a tail word within its bounded gap, so the text is
read a bounded number of times. The head has two dozen weights, summed in Python.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from keepgate.input_guards import linear, regex_parts
from keepgate.input_guards.cue_lexicon import (
    _HIJACK_OBJECTS,
    _LEAK_OBJECTS,
    _OTHER_DATA_OBJECTS,
    _SAY_FIXED_OBJECTS,
    CATEGORIES,
    FOCUS,
    FOCUS_BLOCKERS,
    FOCUS_CHARS,
    FOCUS_EXCUSES,
    FOCUS_MOVES,
    ONLY_WITH,
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


def _wanted(need: str | tuple[str, ...] | None, found: list[str], names: tuple[str, ...]) -> bool:
    """Whether a category gated by `REQUIRES` or `ONLY_WITH` must be searched: it has no
    gate, one of the categories it needs was found, or one of them is not in this matcher."""
    if need is None:
        return True
    needs = (need,) if isinstance(need, str) else need
    return any(n in found or n not in names for n in needs)


class CueError(RuntimeError):
    """The lexicon does not compile or the artefact is missing or malformed."""


#: A phrase cue's head with at least this many alternatives is a word class (verbs,
#: nouns, objects): common words, so the unanchored DFA of "head, gap, tail" keeps a
#: thread per recent head and grows on new text; a phrase cue led by a handful of words
#: costs little searched whole and stays in the category's one alternation.
WORD_CLASS = 16


def _compile(fragments: list[str], longest: bool = False) -> linear.Regex:
    return linear.compile(_pattern(fragments), longest=longest)


class _Starts:
    """Every position a pattern's match starts at (a phrase's tail word class), searched
    once per text for all the phrases that end in it."""

    __slots__ = ("match",)

    def __init__(self, pattern: str, shared: dict[str, linear.Regex]) -> None:
        rx = shared.get(pattern) or linear.compile(f"(?i:{pattern})")
        self.match = linear.match_function(rx)

    def __call__(self, data: bytes) -> list[int] | None:
        """The starts in order, or None past `DENSE` of them."""
        n, match, pos = len(data), self.match, 0
        out: list[int] = []
        while pos <= n:
            k = match(linear.UNANCHORED, data, pos, n)[0][0]
            if k < 0:
                break
            if len(out) == DENSE:
                return None
            out.append(k)
            pos = k + 1
        return out


#: Head or tail starts a phrase search steps through one by one before it reads the
#: (rest of the) text in one unanchored pass instead (a benign KB has a handful).
DENSE = 32


class _Phrases:
    """Phrase fragments that share a head, a gap and a tail (`regex_parts.gap_split`): a
    word of the head class, then up to `most` characters without a stop, then a word of
    the tail class. Searched unanchored as one pattern, their DFA holds one thread per
    head word still within reach, with its gap count: every new text builds new states
    (0.2–4 ms per KB where a head word occurs). Here a fragment is run anchored at a head
    start only where a tail word starts close enough after it: at most `most` characters
    (`4 * most` bytes) past the head's longest match from there, before the next stop
    character; nowhere else can it match. The DFA then reads only the sentence that has
    both words, from the one start. (`stops` is a stdlib alternation of a few literal
    byte strings: no repetition, so nothing to backtrack.)"""

    __slots__ = ("head", "longest", "tail", "whole", "stops", "reach")

    def __init__(
        self,
        head: str,
        stops: str,
        most: int,
        tail: _Starts,
        fragments: list[str],
        shared: dict[str, linear.Regex],
    ) -> None:
        # where a head match starts: a word class's own alternation when the head is one
        # (its automaton already read every text); how far it reaches from there: the
        # head in longest-match mode, run anchored (a few bytes, few states)
        self.head = linear.match_function(shared.get(head) or _compile([head]))
        self.longest = linear.match_function(_compile([head], longest=True))
        self.tail = tail
        self.whole = linear.match_function(_compile(fragments))
        self.stops = re.compile(b"|".join(re.escape(c.encode("utf-8")) for c in stops))
        self.reach = 4 * most

    def found(self, data: bytes, starts: dict[int, list[int] | None]) -> bool:
        """`starts`: the tail starts already found in this text, by tail."""
        key = id(self.tail)
        if key not in starts:
            starts[key] = self.tail(data)
        tails = starts[key]
        n = len(data)
        if tails is None:  # dense with tail words: one unanchored pass, as before
            return self.whole(linear.UNANCHORED, data, 0, n)[0][0] >= 0
        if not tails:
            return False
        pos, last = 0, tails[-1]
        for _ in range(DENSE):
            if pos > last:
                return False
            i = self.head(linear.UNANCHORED, data, pos, n)[0][0]
            if i < 0 or i > last:
                return False
            j = self.longest(linear.ANCHOR_START, data, i, n)[0][1]
            # a stop past the reach changes nothing: look no further (each head start
            # reads at most `reach` bytes here, not the rest of the text)
            stop = self.stops.search(data, j, j + self.reach)
            limit = stop.start() if stop else j + self.reach
            at = bisect.bisect_left(tails, i)
            if at < len(tails) and tails[at] <= limit:
                if self.whole(linear.ANCHOR_START, data, i, n)[0][0] >= 0:
                    return True
            pos = i + 1
        # A text dense with head words (an attack that repeats "ignore"): the rest in one
        # unanchored pass, as the whole pattern was searched before; the same answer for
        # the matches that start from `pos` on, without a Python step per head.
        return pos <= n and self.whole(linear.UNANCHORED, data, pos, n)[0][0] >= 0


class _Search:
    """Whether any of a category's fragments occurs: one alternation of its fragments,
    except the phrase fragments led by a word class (`_Phrases`) and a span opened by a
    quotation mark (searched only where the word it must contain occurs). Each part finds
    a match exactly where that fragment does, so the category is found exactly where its
    whole alternation is (`CueMatcher.categories_by_search`, the reference)."""

    __slots__ = ("plain", "phrases", "gates")

    def __init__(self, fragments: list[str], shared: dict[str, linear.Regex] | None = None) -> None:
        """`shared`: word classes already compiled, by their alternation (`_alt`), which
        a phrase's head or tail reuses when it is one of them."""
        shared = {} if shared is None else shared
        plain: list[str] = []
        phrases: dict[tuple[str, str, int, str], list[str]] = {}
        gates: dict[str, list[str]] = {}
        for f in fragments:
            split = regex_parts.gap_split(f)
            if split is not None and regex_parts.branch_count(split.head) >= WORD_CLASS:
                key = (_b(split.head), split.stops, split.most, split.tail)
                phrases.setdefault(key, []).append(f)
                continue
            gate = _quoted_gate(f)
            if gate is not None:
                gates.setdefault(gate, []).append(f)
            else:
                plain.append(f)
        self.plain = _compile(plain) if plain else None
        tails = {t: _Starts(t, shared) for t in dict.fromkeys(key[3] for key in phrases)}
        self.phrases = tuple(
            _Phrases(head, stops, most, tails[tail], fs, shared)
            for (head, stops, most, tail), fs in phrases.items()
        )
        self.gates = tuple((_compile([g]), _compile(fs)) for g, fs in gates.items())

    @property
    def only_plain(self) -> bool:
        return self.plain is not None and not self.gates and not self.phrases

    def found(self, data: bytes) -> bool:
        if self.plain is not None and linear.found(self.plain, data):
            return True
        for gate, rx in self.gates:
            if linear.found(gate, data) and linear.found(rx, data):
                return True
        starts: dict[int, list[int] | None] = {}
        return any(p.found(data, starts) for p in self.phrases)


def _quoted_gate(fragment: str) -> str | None:
    """For a span opened by one of a few characters (a quotation mark) and running up to
    a bound ("'...ignore...'"), the group every match contains (`regex_parts.
    required_group`): its DFA starts a thread at every apostrophe and quotation mark, so it
    is searched only where that group occurs."""
    parts = regex_parts.atoms(fragment)
    if not parts or len(parts) < 2 or parts[0].kind != "class":
        return None
    if not regex_parts.is_wide(fragment, parts[1]):
        return None
    return regex_parts.required_group(fragment)


@dataclass(frozen=True, slots=True)
class _Gate:
    """A phrase cue split by `ALSO_REQUIRES`: its fragments that need an object, searched
    only where one occurs, and its other fragments, always searched. The category matches
    where either part does (one alternation matches where one of its fragments does)."""

    #: Word classes holding some of the objects (searched before any phrase cue).
    covered: tuple[str, ...]
    #: The objects no covered word class holds.
    rest: linear.Regex | None
    gated: _Search
    plain: _Search | None

    def matches(self, found: list[str], data: bytes) -> bool:
        if self.plain is not None and self.plain.found(data):
            return True
        objects = any(c in found for c in self.covered) or (
            self.rest is not None and linear.found(self.rest, data)
        )
        return objects and self.gated.found(data)


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

        # Word classes first, so the phrase cues built on them can be skipped (`REQUIRES`);
        # the cues gated on objects (`ALSO_REQUIRES`: a gate reads the word classes found)
        # after them, and a cue gated on a gated cue after that one.
        def depth(name: str) -> int:
            need = REQUIRES.get(name)
            needs = (() if need is None else (need,)) + ONLY_WITH.get(name, ())
            own = 1 if name in ALSO_REQUIRES else 0
            return max(own, 1 + max((depth(n) for n in needs if n in cats), default=-1))

        self.names = tuple(sorted(cats, key=lambda n: (depth(n), n)))
        #: Each category as one alternation (the reference, `categories_by_search`).
        self._regexes: list[tuple[str, linear.Regex]] = []
        self._searches: dict[str, _Search] = {}
        #: Word classes searched as one alternation, by `_alt` of their fragments: a phrase
        #: cue's head or tail that is one of them reuses its (warm) automaton.
        shared: dict[str, linear.Regex] = {}
        for name in self.names:
            try:
                self._regexes.append((name, linear.compile(_pattern(cats[name]))))
                search = self._searches[name] = _Search(cats[name], shared)
                if search.only_plain and search.plain is not None:  # all its fragments
                    shared[_alt(cats[name])] = search.plain
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
                _Search(gated, shared),
                _Search(plain, shared) if plain else None,
            )
        self._steps = self._plan_steps()

    def categories(self, text: str) -> list[str]:
        # `.encode("utf-8")` is what the RE2 wrapper's `search` does to a str
        data = text.encode("utf-8")
        n, unanchored = len(data), linear.UNANCHORED
        found: list[str] = []
        for name, need, gate, match, search in self._steps:
            # A phrase cue contains a word of its class: no word, no phrase, no search; a
            # cue that weighs only beside others is not searched without them.
            if (need is not None and need not in found) or not _wanted(
                ONLY_WITH.get(name), found, self.names
            ):
                continue
            if gate is not None:
                if gate.matches(found, data):
                    found.append(name)
            elif match is not None:  # one alternation: RE2's matcher, bound once
                if match(unanchored, data, 0, n)[0][0] >= 0:
                    found.append(name)
            elif search.found(data):
                found.append(name)
        return sorted(found)

    def _plan_steps(self) -> list[tuple[str, str | None, "_Gate | None", Any, _Search]]:
        """Per category in order: its name, the word class it needs (None: none, or one
        that is not a category, which never gates), its object gate, its one
        alternation's bound matcher (None when searched in parts) and its search."""
        steps = []
        for name, search in self._searches.items():
            need = REQUIRES.get(name)
            if need not in self.names:
                need = None
            plain = search.plain if search.only_plain else None
            match = None if plain is None else linear.match_function(plain)
            steps.append((name, need, self._also.get(name), match, search))
        return steps

    def categories_by_search(self, text: str) -> list[str]:
        """The reference: the wrapper's `search` on the str, per category."""
        found: list[str] = []
        for name, rx in self._regexes:
            if (
                _wanted(REQUIRES.get(name), found, self.names)
                and _wanted(ONLY_WITH.get(name), found, self.names)
                and rx.search(text)
            ):
                found.append(name)
        return sorted(found)


def feature_scale(
    name: str,
    length: int,
    strong: frozenset[str],
    damp: float,
    fading: frozenset[str] = frozenset(),
    fade: float = 0.0,
) -> float:
    """How much of its weight a feature counts in a text of `length` characters: a feature
    with a `fading` category (alone or in a pair) `fade / length` past `fade` characters (a
    harmful phrase somewhere in a long document is chance, not an ask); other `strong`
    features and pairs in full; weak single words `damp / length` past `damp`."""
    if fading and fade > 0 and not fading.isdisjoint(name.split("&")):
        return min(1.0, fade / max(length, 1))
    return 1.0 if name in strong or "&" in name else min(1.0, damp / max(length, 1))


def features(cats: list[str]) -> list[str]:
    """The active features of one text: its categories and their pairs (`cats` sorted, as
    `CueMatcher.categories` gives them)."""
    return list(cats) + [f"{a}&{b}" for i, a in enumerate(cats) for b in cats[i + 1 :]]


def feature_values(
    cats: list[str],
    length: int,
    damp: float,
    strong: frozenset[str],
    fading: frozenset[str] = frozenset(),
    fade: float = 0.0,
) -> list[tuple[str, float]]:
    """Each active feature and its value (`feature_scale`: phrase cues and pairs in full,
    weak single words and `fading` categories less in long text), and the derived `FOCUS`
    (an attack move that is the whole point of a short message, `cue_lexicon.FOCUS_MOVES`,
    less those a benign frame found beside it excuses, `FOCUS_EXCUSES`) 1 up to
    `FOCUS_CHARS`, then `FOCUS_CHARS / length`. Training and scoring both read this."""
    out = [(n, feature_scale(n, length, strong, damp, fading, fade)) for n in features(cats)]
    moves = FOCUS_MOVES.intersection(cats)
    for frame, excused in FOCUS_EXCUSES.items():
        if moves and frame in cats:
            moves = moves - excused
    if moves and not FOCUS_BLOCKERS.intersection(cats):
        out.append((FOCUS, min(1.0, FOCUS_CHARS / max(length, 1))))
    return out


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
        fading: frozenset[str] = frozenset(),
        fade: float = 0.0,
    ) -> None:
        self.matcher = matcher or CueMatcher()
        unknown = {n for w in weights for n in w.split("&")} - set(self.matcher.names) - {FOCUS}
        if unknown:
            raise CueError(f"weights name unknown cue categories {sorted(unknown)}")
        self.weights = dict(weights)
        self.bias = float(bias)
        self.damp = float(damp)
        self.strong = frozenset(strong)
        self.fading = frozenset(fading)
        self.fade = float(fade)

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
                    fading=frozenset(str(n) for n in z["fading"])
                    if "fading" in z.files
                    else frozenset(),
                    fade=float(z["fade"]) if "fade" in z.files else 0.0,
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
            "fading": np.array(sorted(self.fading), dtype=np.str_),
            "fade": np.float32(self.fade),
        }
        arrays.update({k: np.str_(v) for k, v in meta.items()})
        np.savez_compressed(path, **arrays)

    def contributions(self, cats: list[str], length: int) -> list[tuple[str, float]]:
        """Each active feature's share of the logit (largest first), for audits and tests."""
        out = [
            (n, self.weights[n] * v)
            for n, v in feature_values(cats, length, self.damp, self.strong, self.fading, self.fade)
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
