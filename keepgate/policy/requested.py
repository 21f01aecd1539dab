"""Did the user ask for the setting a call makes? (`facts.unrequested_settings`)

An injected "disarm the alarm" or "make the bucket public" becomes `state: "disarmed"` or
`access: "public-read"`: a value from a small closed set that the model *chooses*, found in
no message as written, often on an argument no operator marks sensitive (the object is the
user's own, the harm is the state it is put in). Looking the value up does not help — a
trusted listing prints `public-read` next to another bucket — and reading the attacker's
text is what a detector does. What can be checked is whether the *user* named the setting:

- a **boolean** argument (`enabled: false`, `required: false`, `write_access: true`) is the
  user's when their messages name what it switches: a word of the tool's or the argument's
  name, other than generic verbs and flags (`set_branch_protection` -> "branch",
  "protection"; `set_alerts.large_payments` -> "alerts", "large", "payments");
- a **setting value** (one token of letters, `_`/`-` joined, no digits: `public-read`,
  `anyone`, `frozen`, `editor`, `none`) on an argument the catalogue does not mark
  sensitive (sensitive ones are checked by where they came from) and whose name is not
  one of free text (`body`, `subject`, `title`, `message`, `name`…: `FREE_TEXT`) nor one
  that selects an object (`from_ref`, `repo`, `channel_id`…: `SELECTORS`, its last word)
  *with a value a trusted source or the user wrote* (review 1, M3: an injected
  `source_branch: hotfix-unreviewed` or `share_folder: public` had been exempt) is the
  user's when every word of it is a word the user wrote.

Words are compared after folding and a small suffix stemmer (`accepted` ~ "accept",
`approver` ~ "approval", `editor` ~ "edit", `frozen` ~ "freeze"), so the user's "accept the
invite" covers `response: "accepted"`; `disarmed` is not `arm` and `unlocked` is not
`lock`. Only the user's messages count: a system prompt lists what the assistant *can*
change, not what this user asked for. Linear: the user's text is split into words once per
index (`str.translate` + `split`, its first 50,000 characters), each word stemmed once
(cached); a check is a few set lookups per word of the call's names and values.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import re2

from keepgate.policy.catalog import ToolEntry

#: ASCII punctuation and whitespace -> a space: the user's text split into words with
#: `str.translate` and `str.split` (linear, in C; RE2's `findall` costs a Python object
#: per match, ~25 µs for a 16-word message).
_SPACES = {c: " " for c in range(128) if not chr(c).isalnum()}
_NAME_WORD = re2.compile(r"[A-Z]?[a-z]+|[A-Z]+(?:[a-z]+)?")
#: A setting value: ASCII letters, joined by `_`/`-` into at most four parts, no digits.
MAX_SETTING = 40
MAX_PARTS = 4
#: Words of a tool or argument name that say nothing about *what* is switched.
_GENERIC = frozenset(
    "set get put post update change modify toggle switch turn make create add edit enable "
    "enabled disable disabled is has can allow allowed use using on off to for of the with by "
    "and or new value values flag flags state status mode option options setting settings "
    "config configure active required require on_off bool id ids".split()
)
#: Arguments that hold text the model writes, not a choice from a closed set: a one-word
#: `body: "hi"` or `subject: "update"` is prose, not a setting.
FREE_TEXT = frozenset(
    "body text message content subject title description note notes comment comments "
    "summary reason caption label name greeting signature html markdown query q prompt".split()
)
#: Arguments that name *which object* a call acts on (a branch, a repository, a file, a
#: channel, an id), not the state it is put in: `from_ref: "main"` is a reference, and an
#: object is checked by where its value came from when the catalogue marks it sensitive.
SELECTORS = frozenset(
    "id ids ref refs branch branches repo repos repository path paths file files folder "
    "channel channels bucket buckets project projects".split()
)
#: Words of a setting value that carry no choice of their own (`anyone_with_link`).
_FILLER = frozenset("a an the of to with by for and or only".split())
#: Irregular forms the suffix stemmer cannot join.
_IRREGULAR = {
    "frozen": "freeze",
    "froze": "freeze",
    "chosen": "choose",
    "hidden": "hide",
    "shown": "show",
    "written": "write",
    "wrote": "write",
}
_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ers",
    "ors",
    "er",
    "or",
    "ed",
    "ies",
    "es",
    "s",
    "als",
    "al",
    "able",
    "ate",
    "e",
)
#: Characters of the user's messages read for words (a pasted document past this is not
#: where the user names a setting).
USER_SCAN = 50_000
#: Settings (booleans, setting values) looked up per call; one more is reported
#: `unchecked` (the call waits) rather than skipped.
MAX_SETTING_LEAVES = 50


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude English stem: one suffix off, at least three letters kept (cached: the
    same words come back request after request)."""
    w = _IRREGULAR.get(word, word)
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)]
    return w


def _same(a: str, b: str) -> bool:
    """Stems of one word: equal, or one a prefix of the other of at least 4 letters
    (`edit` / `editor`, `approv` / `approval`)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


class UserWords:
    """The stems of the words the user wrote, with a prefix check for `_same`."""

    __slots__ = ("stems", "_sorted")

    def __init__(self, text: str) -> None:
        words = set(text[:USER_SCAN].translate(_SPACES).split())
        self.stems = frozenset(stem(w) for w in words if w[0].isalpha())
        self._sorted: list[str] | None = None

    def has(self, word: str) -> bool:
        s = stem(word)
        if s in self.stems:
            return True
        if len(s) < 4:
            return False
        if self._sorted is None:
            self._sorted = sorted(self.stems)
        i = bisect.bisect_left(self._sorted, s)  # a user's stem that `s` begins
        if i < len(self._sorted) and self._sorted[i].startswith(s):
            return True
        return any(s[:n] in self.stems for n in range(4, len(s)))  # one that begins `s`


def name_words(*names: str) -> list[str]:
    """The words of tool and argument names (`_`, `-`, `.`, camelCase split), lower-case,
    without the generic ones."""
    out: list[str] = []
    for n in names:
        for w in _name_words(n[:200]):
            if w not in out:
                out.append(w)
    return out


@functools.lru_cache(maxsize=1024)
def _name_words(name: str) -> tuple[str, ...]:
    """One name's words (names repeat call after call: split once)."""
    words = (w.lower() for w in _NAME_WORD.findall(name))
    return tuple(w for w in words if len(w) >= 3 and w not in _GENERIC)


def _selector(name: str) -> bool:
    """Does an argument's name end in a word that names an object (`from_ref`, `repo`,
    `channel_id`, `targetBranch`)?"""
    found = _NAME_WORD.findall(name[:200])
    return bool(found) and found[-1].lower() in SELECTORS


def setting_value(value: Any) -> list[str] | None:
    """The words of a setting value (`public-read` -> ["public", "read"]), or None when the
    value is not one (digits, spaces, dots, `@`, too long: ids, names, text)."""
    if not isinstance(value, str) or isinstance(value, bool):
        return None
    v = value.strip().lower()
    if not v or len(v) > MAX_SETTING or not v.isascii():
        return None
    parts = v.replace("-", "_").split("_")
    if len(parts) > MAX_PARTS or len(parts[0]) < 2 or not all(p.isalpha() for p in parts):
        return None
    return [p for p in parts if p not in _FILLER]


def setting_leaves(arguments: Any) -> Iterator[tuple[str, str, str, Any]]:
    """(JSON pointer, top-level name, own key, value) of each boolean and string leaf, in
    order, at any depth. Every leaf: a bound here was a bypass (red team 8: fifty filler
    strings before `state: "unlocked"`, or the setting five levels down, went unchecked).
    Iterative (no recursion limit), and a leaf's pointer is joined only when it is yielded
    (a deep, wide object does not build a long string per node)."""
    if not isinstance(arguments, Mapping):
        return
    # (value, its key chain as (parent chain, key), top-level name); pushed in reverse
    stack: list[tuple[Any, Any, str]] = [
        (x, (None, str(k)), str(k)) for k, x in reversed(list(arguments.items()))
    ]
    while stack:
        v, chain, top = stack.pop()
        if isinstance(v, (bool, str)):
            yield pointer(chain), top, chain[1], v
        elif isinstance(v, Mapping):
            stack.extend((x, (chain, str(k)), top) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((v[i], (chain, str(i)), top) for i in range(len(v) - 1, -1, -1))


def pointer(chain: Any) -> str:
    """The JSON pointer of a key chain `(parent chain, key)` (None: the root)."""
    keys: list[str] = []
    while chain is not None:
        chain, key = chain
        keys.append(key.replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(reversed(keys))


def undoes(user: UserWords, states: Iterable[tuple[Any, list[Any]]], value: str) -> bool:
    """Did the user ask to undo the chosen object's current state ("unfreeze" when a
    trusted record shows `status: frozen`), the call moving it to *the* other state: the
    one other value the field takes in the records of its list (`status: active` on the
    other card)? Any other value, or a field with more or fewer states shown, is not
    theirs (review 1, H1: "unlock" had approved `state: disabled`)."""
    want = value.strip().lower()
    for cur, others in states:
        if not isinstance(cur, str) or cur.strip().lower() == want:
            continue
        parts = setting_value(cur)
        if not (parts and len(parts) == 1 and ("un" + stem(parts[0])) in user.stems):
            continue
        opposite = {o.strip().lower() for o in others if isinstance(o, str)}
        opposite.discard(cur.strip().lower())
        if opposite == {want}:
            return True
    return False


def unrequested(
    entry: ToolEntry,
    arguments: Any,
    user_words: Callable[[], UserWords],
    vouched: set[str],
    current: Callable[[str], list[tuple[Any, list[Any]]]] | None = None,
    sourced: Callable[[str], bool] | None = None,
) -> list[dict[str, str]]:
    """The settings of one call the user did not name: [{"path", "kind": boolean|value}].
    `user_words`: the user's words (built on first need); `vouched`: paths an exact
    allowlist entry vouches for (the operator chose them); `current(arg)`: the values the
    argument's field holds now in the trusted records of the call's other values the user
    chose, each with the values it holds in that record's list (`undoes`); `sourced(path)`:
    does a trusted source or the user vouch for the leaf's value (a selector argument is
    exempt only then; None: never exempt)."""
    if entry.effects == "none":
        return []
    out: list[dict[str, str]] = []
    user: UserWords | None = None
    checked = 0
    for path, top, key, value in setting_leaves(arguments):
        if path in vouched:
            continue
        if isinstance(value, bool):
            words = name_words(entry.name, top) + (name_words(key) if key != top else [])
            if not words:
                continue
            if checked >= MAX_SETTING_LEAVES:  # bounded work, and fail closed past it
                out.append({"path": path, "kind": "unchecked"})
                break
            checked += 1
            user = user or user_words()
            if not any(user.has(w) for w in words):
                out.append({"path": path, "kind": "boolean"})
            continue
        if entry.is_sensitive(top.lower()) or top.lower() in FREE_TEXT:
            continue
        if _selector(top) and sourced is not None and sourced(path):
            continue
        parts = setting_value(value)
        if not parts:
            continue
        if checked >= MAX_SETTING_LEAVES:
            out.append({"path": path, "kind": "unchecked"})
            break
        checked += 1
        user = user or user_words()
        if not all(user.has(w) for w in parts):
            if current is not None and path == "/" + top and undoes(user, current(top), value):
                continue
            out.append({"path": path, "kind": "value"})
    return out
