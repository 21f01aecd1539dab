"""A session's conversation index, kept up to date as its history slides.

Why: an MCP call is decided on the session's whole history (up to `session_max_messages`,
200 by default), and indexing it from scratch (`ConversationIndex` and `Totals`) was the
largest part of a guarded call's own work (~0.15 ms of CPU in a tight loop at 200
messages, more in place), while between two calls the history changes only at its ends:
the store appends at the back and trims the front.

`SlidingIndex.update(messages)` compares the new list with the one it indexed last: when
the old list's tail equals the new list's head (element by element, identity first, so
a store that hands out the same objects costs a pointer compare each), it drops the
messages that left the front and adds those that arrived at the back. The index and
totals it then hands out equal a fresh build from the same list, whatever the store did
in between, because both are functions of the list's content alone (and of the
catalogue, fixed per instance):

- message indexes (`taint_sources[*].message_index`) count from the list's first message;
- an output's tool is named by the latest call with its id *before it in the list*: when
  that call leaves the front, the output is filed again as a fresh build files it;
- groups come in the order of their first text, the tools of untrusted outputs in the
  order of their first output, the totals' tools in the order of their first call.

It indexes as `ProvenanceContext` does without approved call ids (the MCP route has none):
then an input-guard finding does not change where an output is filed (flagged or not, an
output the catalogue does not trust is untrusted), so the findings are not an input.
A list that does not continue the last one, or another catalogue, is built afresh.
Messages are read-only here, as the stores hand them out. tests/policy/test_sliding_index.py
checks the equality over random histories, slides and findings (hypothesis).
"""

from __future__ import annotations

import functools
import logging
import weakref
from bisect import bisect_left
from dataclasses import dataclass
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from keepgate.jsontypes import JsonMapping, JsonObject
from keepgate.pipeline.content_text import message_text
from keepgate.policy import values as V
from keepgate.policy.catalog import Catalog
from keepgate.policy.provenance import (
    _ROLE_SOURCE,
    DOCUMENT,
    TRUSTED,
    UNTRUSTED,
    ConversationIndex,
    assistant_calls,
    Totals,
    _Group,
    _split_content,
    output_source,
    split_trusted,
)

log = logging.getLogger("keepgate.policy")

#: A place in the history: (message position, part within the message).
Place = tuple[int, int]
#: Folded characters all instances of one `SlidingIndexes` may hold (~16-64 MB).
MAX_CHARS = 16_000_000


def called_names(m: Any) -> list[str]:
    """`facts.tools_called` of one history message (raising on a malformed call, as the
    session read always has)."""
    if m.get("role") != "assistant":
        return []
    return [tc["function"]["name"] for tc in m.get("tool_calls") or ()]


class _Output:
    """A tool or function message, and where it is filed now."""

    __slots__ = ("tcid", "fallback", "text", "via", "tool", "source", "prose")

    def __init__(self, tcid: str | None, fallback: Any, text: str | None) -> None:
        self.tcid = tcid
        #: The message's own `name` (function messages), used when no call names it.
        self.fallback = fallback
        #: Folded text; None when the message has none (no group entry).
        self.text = text
        #: Position of the message whose call named its tool (None: no call did).
        self.via: int | None = None
        self.tool = ""
        self.source = ""
        #: A trusted output's prose, filed as untrusted (`split_trusted`), or "".
        self.prose = ""


class _Ordered:
    """Items in history order, keyed by place: appended at the back and removed from the
    front, rarely elsewhere (an output filed again)."""

    __slots__ = ("places", "items")

    def __init__(self) -> None:
        self.places: list[Place] = []
        self.items: list[Any] = []

    def add(self, place: Place, item: Any) -> None:
        if not self.places or self.places[-1] < place:
            self.places.append(place)
            self.items.append(item)
            return
        i = bisect_left(self.places, place)
        self.places.insert(i, place)
        self.items.insert(i, item)

    def remove(self, place: Place) -> Any:
        """Remove the entry at `place` and hand back its item."""
        i = bisect_left(self.places, place)
        if i == len(self.places) or self.places[i] != place:
            raise LookupError(f"no entry at {place}")
        item = self.items[i]
        del self.places[i]
        del self.items[i]
        return item

    def front(self, pos: int) -> int:
        """How many entries belong to messages before `pos`."""
        return bisect_left(self.places, (pos, -1))

    def drop(self, n: int) -> None:
        del self.places[:n]
        del self.items[:n]


class _Texts(_Ordered):
    """A group's texts, and how many times each is there: the distinct ones are what a
    lookup that cannot span two texts reads (`_Group.unique_text`)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}

    def add(self, place: Place, item: Any) -> None:
        counts = self.counts
        counts[item] = counts.get(item, 0) + 1
        super().add(place, item)

    def remove(self, place: Place) -> Any:
        item = super().remove(place)
        self._less(item)
        return item

    def drop(self, n: int) -> None:
        for item in self.items[:n]:
            self._less(item)
        super().drop(n)

    def _less(self, item: str) -> None:
        left = self.counts[item] - 1
        if left:
            self.counts[item] = left
        else:
            del self.counts[item]


class SlidingIndex:
    """The index of one history under one catalogue (no approved call ids)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.msgs: list[Any] = []
        self.base = 0  # the position of msgs[0]; positions never repeat
        self.chars = 0  # folded characters held
        self._outputs: dict[int, _Output] = {}
        self._groups: dict[tuple[str, str | None], _Texts] = {}
        self._untrusted = _Ordered()  # (tool, call id) per untrusted output
        self._untrusted_by_tool: dict[str, list[Place]] = {}
        self._calls = _Ordered()  # (call id, name, arguments)
        self._by_id: dict[str, list[tuple[int, str]]] = {}  # call id -> (position, name)
        self._named: dict[str, str] = {}  # call id -> the name of its latest call
        self._waiting: dict[int, list[int]] = {}  # call message -> outputs it names
        self._called = _Ordered()  # names, as `facts.tools_called` lists them
        self._called_at: dict[Any, list[Place]] = {}  # name -> its places in `_called`
        self._counts: dict[str, list[Place]] = {}  # name -> places of its calls
        self._money = _Ordered()  # (name, amount, recipients) of counted-and-summed calls
        self._totals = Totals(catalog)  # for `contribution`
        self._filed: dict[str, str] = {}
        self._matchers: dict[tuple[type, Any], Any] = {}  # shared by the indexes handed out
        #: Messages before this position are leaving in this update (see `_drop_calls`).
        self._leaving = 0
        #: The indexes handed out since the last update: each reads `_named` itself while
        #: it lives and the history stays (`update` gives the living ones a copy).
        self._handed: list[weakref.ref[_SlidIndex]] = []

    # -- following the history ---------------------------------------------------------

    def update(self, messages: list[Any]) -> bool:
        """Follow the history to `messages`. False (and nothing changed) when the list
        indexed last does not end with this one's beginning: build afresh then."""
        for ref in self._handed:
            handed = ref()
            if handed is not None:  # still held: it keeps the call ids as they are now
                handed.call_tools = dict(self._named)
        self._handed.clear()
        old = self.msgs
        n = len(old)
        k = n  # messages that left the front
        if n and messages:
            first = messages[0]
            k = -1
            try:
                while True:
                    k = old.index(first, k + 1)
                    if n - k <= len(messages) and old[k:] == messages[: n - k]:
                        break
            except ValueError:
                return False
        self._leaving = self.base + k
        for _ in range(k):
            self._drop_front()
        if n - k and self.msgs[-1] is not messages[n - k - 1]:
            # Equal, not the same objects (messages `extend` added, as the store keeps
            # them): keep the store's, so the next comparison is by identity again.
            self.msgs[:] = messages[: n - k]
        for m in messages[n - k :]:
            self._append(m)
        return True

    def extend(self, appended: list[Any], max_len: int) -> bool:
        """`update` to the history as it is after `appended` was added to the one indexed
        last and trimmed to its newest `max_len`: without reading it again. What the history
        really is gets checked by the next `update` all the same (a message another writer
        added meanwhile: it does not continue this one, and the index is built afresh)."""
        if not appended or len(appended) >= max_len:
            return False
        kept = self.msgs[max(0, len(self.msgs) + len(appended) - max_len) :]
        return self.update(kept + appended)

    def _append(self, m: Any) -> None:
        pos = self.base + len(self.msgs)
        self.msgs.append(m)
        for j, name in enumerate(called_names(m)):
            self._called.add((pos, j), name)
            self._called_at.setdefault(name, []).append((pos, j))
        if not isinstance(m, dict):
            return
        role = m.get("role")
        if role == "assistant":
            self._append_calls(pos, m)
            return
        content = m.get("content")
        if role in _ROLE_SOURCE:
            text, files = _split_content(content)
            self._add_text((_ROLE_SOURCE[role], None), (pos, 0), text)
            for j, f in enumerate(files, 1):
                if f:
                    self._taint((pos, j), DOCUMENT, None)
                    self._add_text((UNTRUSTED, DOCUMENT), (pos, j), f)
            return
        if role not in ("tool", "function"):
            return
        text = content if isinstance(content, str) else message_text(content)
        tcid = m.get("tool_call_id")
        if not isinstance(tcid, str):
            tcid = None
        out = _Output(tcid, m.get("name") if role == "function" else None, None)
        if text:
            out.text = V.fold(text)
            self.chars += len(out.text)
        self._outputs[pos] = out
        named = self._by_id.get(tcid or "")
        if named:
            out.via = named[-1][0]
            self._waiting.setdefault(out.via, []).append(pos)
        self._file(pos, out, named[-1][1] if named else None)

    def _append_calls(self, pos: int, m: dict[str, Any]) -> None:
        for j, (tcid, name, arguments) in enumerate(assistant_calls(m)):
            if tcid:
                self._by_id.setdefault(tcid, []).append((pos, name))
                self._named[tcid] = name
            self._call((pos, j), tcid, name, arguments)

    def _call(self, place: Place, tcid: str | None, name: str, arguments: Any) -> None:
        self._calls.add(place, (tcid, name, arguments))
        self._counts.setdefault(name, []).append(place)
        part = self._totals.contribution(name, arguments)
        if part is not None:
            self._money.add(place, (name, *part))

    def _file(self, pos: int, out: _Output, name: Any) -> None:
        """File an output as `ConversationIndex` does, `name` being its call's."""
        tool = name or out.fallback
        tool = tool if isinstance(tool, str) else "unknown"
        source = self._filed.get(tool)
        if source is None:
            source = self._filed[tool] = output_source(
                self.catalog, tool, approved=False, flagged=False
            )
        out.tool, out.source = tool, source
        if source == UNTRUSTED:
            self._taint((pos, 0), tool, out.tcid)
        if out.text is not None:
            text = out.text
            if source == TRUSTED and text:
                text, out.prose = split_trusted(text)
                if out.prose:
                    self._taint((pos, 0), tool, out.tcid)
            self._group((source, tool)).add((pos, 0), text)
            if out.prose:
                self._group((UNTRUSTED, tool)).add((pos, 0), out.prose)

    def _unfile(self, pos: int, out: _Output) -> None:
        if out.source == UNTRUSTED or out.prose:
            self._untaint((pos, 0), out.tool)
        if out.text is not None:
            keys = [(out.source, out.tool)] + ([(UNTRUSTED, out.tool)] if out.prose else [])
            for key in keys:
                g = self._groups[key]
                g.remove((pos, 0))
                if not g.places:
                    del self._groups[key]
        out.prose = ""

    def _drop_front(self) -> None:
        pos = self.base
        m = self.msgs.pop(0)
        self.base += 1
        n = self._called.front(pos + 1)
        for name in self._called.items[:n]:
            places = self._called_at[name]
            del places[0]
            if not places:
                del self._called_at[name]
        self._called.drop(n)
        out = self._outputs.pop(pos, None)
        if out is not None:
            self._unfile(pos, out)
            self.chars -= len(out.text or "")
            return
        if not isinstance(m, dict):
            return
        if m.get("role") == "assistant":
            self._drop_calls(pos)
            return
        # A system/user message: its text and its files' texts lead their groups.
        for key in [k for k, g in self._groups.items() if g.places[0][0] == pos]:
            g = self._groups[key]
            n = g.front(pos + 1)
            self.chars -= sum(len(t) for t in g.items[:n])
            g.drop(n)
            if not g.places:
                del self._groups[key]
        while self._untrusted.places and self._untrusted.places[0][0] == pos:
            self._untaint(self._untrusted.places[0], self._untrusted.items[0][0])

    def _drop_calls(self, pos: int) -> None:
        n = self._calls.front(pos + 1)
        for tcid, name, _ in self._calls.items[:n]:
            counted = self._counts[name]
            del counted[0]
            if not counted:
                del self._counts[name]
            if tcid:
                calls = self._by_id[tcid]
                del calls[0]
                if calls:
                    self._named[tcid] = calls[-1][1]
                else:
                    del self._by_id[tcid], self._named[tcid]
        self._calls.drop(n)
        self._money.drop(self._money.front(pos + 1))
        # Outputs whose tool this message named: no call before them names it now.
        # One that leaves in this update too is not filed again (it is unfiled as it
        # leaves, wherever it is filed; nothing reads the index in between).
        for opos in self._waiting.pop(pos, ()):
            out = self._outputs[opos]
            if opos < self._leaving:
                out.via = None
                continue
            self._unfile(opos, out)
            out.via = None
            self._file(opos, out, None)

    def _group(self, key: tuple[str, str | None]) -> _Texts:
        g = self._groups.get(key)
        if g is None:
            g = self._groups[key] = _Texts()
        return g

    def _add_text(self, key: tuple[str, str | None], place: Place, text: str) -> None:
        if text:
            folded = V.fold(text)
            self.chars += len(folded)
            self._group(key).add(place, folded)

    def _taint(self, place: Place, tool: str, tcid: str | None) -> None:
        self._untrusted.add(place, (tool, tcid))
        places = self._untrusted_by_tool.setdefault(tool, [])
        i = len(places) if not places or places[-1] < place else bisect_left(places, place)
        places.insert(i, place)

    def _untaint(self, place: Place, tool: str) -> None:
        self._untrusted.remove(place)
        places = self._untrusted_by_tool[tool]
        del places[bisect_left(places, place)]
        if not places:
            del self._untrusted_by_tool[tool]

    # -- what a call reads -------------------------------------------------------------

    def tools_called(self) -> list[Any]:
        return list(self._called.items)

    def tool_counts(self) -> dict[Any, int]:
        """`dict(Counter(tools_called))`: first-called first."""
        return {n: len(p) for n, p in sorted(self._called_at.items(), key=lambda kv: kv[1][0])}

    def index(self) -> ConversationIndex:
        """Equal to `ConversationIndex(self.msgs, catalog, detected=...)`,
        with its own lists (later updates do not change it)."""
        out = _SlidIndex.__new__(_SlidIndex)
        out.catalog = self.catalog
        out.groups = {}
        for key, g in sorted(self._groups.items(), key=lambda kv: kv[1].places[0]):
            group = out.groups[key] = _Group()
            group.parts = list(g.items)
            if len(g.counts) < len(g.items):
                group.distinct = list(g.counts)
        out.untrusted_tools = [
            t for t, _ in sorted(self._untrusted_by_tool.items(), key=lambda kv: kv[1][0])
        ]
        out.untrusted_count = len(self._untrusted.items)
        out._slid = (self._untrusted.places[:20], self._untrusted.items[:20], self.base)
        out._operands = None
        out.matchers = self._matchers
        out.history_calls = list(self._calls.items)
        # The live map, copied only if the index is still held when the history moves
        # (`update`): copying it per call was ~9 K instructions (a dict that loses and
        # gains ids every call is copied entry by entry), for a map read only to place
        # input-guard findings. The MCP gateway lets go of its index before the next call.
        out.call_tools = self._named
        self._handed.append(weakref.ref(out))
        return out

    def totals(self) -> Totals:
        """Equal to the `Totals` of every call in the history (`ProvenanceContext`'s)."""
        t = Totals(self.catalog)
        t.calls = {n: len(p) for n, p in sorted(self._counts.items(), key=lambda kv: kv[1][0])}
        for name, amount, recipients in self._money.items:
            t.apply(name, amount, recipients)
        return t


class _SlidIndex(ConversationIndex):
    """What `SlidingIndex.index` hands out: its `taint_sources` (up to 20 dicts whose
    `message_index` moves with every slide) are written out when first read, from the
    places and items kept at that call. Most MCP calls never read them: the shipped policy
    does not (`ToolPolicy.may_read`), so `build_policy_input` leaves them out then."""

    _slid: tuple[list[Place], list[tuple[str, str | None]], int]

    @functools.cached_property
    def taint_sources(self) -> list[dict[str, Any]]:  # type: ignore[override]
        places, items, base = self._slid
        return [
            {
                "source": UNTRUSTED,
                "tool": tool[:200],
                "tool_call_id": tcid,
                "message_index": place[0] - base,
            }
            for place, (tool, tcid) in zip(places, items)
        ]


@dataclass(frozen=True, slots=True)
class View:
    """What a call reads of its session's history."""

    index: ConversationIndex
    totals: Totals
    #: `facts.tools_called`, and `dict(Counter(tools_called))`.
    tools_called: list[Any]
    tool_counts: dict[Any, int]


class SlidingIndexes:
    """One `SlidingIndex` per session (LRU, bounded by count and by folded characters).

    Keyed by the caller's session key, but a wrong key could only cost speed: what an
    instance hands out is a function of the messages it is given."""

    def __init__(self, size: int, max_chars: int = MAX_CHARS) -> None:
        self.size = size
        self.max_chars = max_chars
        self._states: OrderedDict[Hashable, SlidingIndex] = OrderedDict()
        self._chars = 0
        self.follows = 0  # updates that followed the last list
        self.builds = 0  # indexes built afresh

    def view(
        self,
        key: Hashable,
        catalog: Catalog,
        messages: list[JsonObject],
        detected: Iterable[JsonMapping] = (),
    ) -> View:
        """The index and totals of `messages` as `ProvenanceContext(catalog, messages,
        detected=detected)` builds them (no approved ids), and the calls made."""
        if detected:  # nothing to read in none (the common case)
            _findings(detected)
        if self.size <= 0:
            return _fresh(catalog, messages)
        state = self._states.pop(key, None)
        if state is not None:
            self._chars -= state.chars
        try:
            if state is not None and state.catalog is catalog:
                if state.update(messages):
                    self.follows += 1
                else:
                    state = None
            else:
                state = None
            if state is None:
                self.builds += 1
                state = SlidingIndex(catalog)
                state.update(messages)
            out = View(state.index(), state.totals(), state.tools_called(), state.tool_counts())
        except Exception:  # whatever went wrong, a fresh build decides
            log.debug("policy: sliding index dropped", exc_info=True)
            return _fresh(catalog, messages)
        self._keep(key, state)
        return out

    def follow(self, key: Hashable, catalog: Catalog, messages: list[JsonObject]) -> None:
        """Bring `key`'s index to `messages` without handing anything out: done after an
        answer (keepgate.mcp.deferred), so the next `view` of the same list only checks
        that it continues the last one. Any state it leaves is one `view` could have."""
        if self.size <= 0:
            return
        state = self._states.pop(key, None)
        if state is not None:
            self._chars -= state.chars
        try:
            if state is None or state.catalog is not catalog or not state.update(messages):
                self.builds += 1
                state = SlidingIndex(catalog)
                state.update(messages)
            else:
                self.follows += 1
        except Exception:  # a cache: the next view builds afresh
            log.debug("policy: sliding index dropped", exc_info=True)
            return
        self._keep(key, state)

    def extend(
        self, key: Hashable, catalog: Catalog, appended: list[JsonObject], max_len: int
    ) -> bool:
        """Follow `key`'s history by the messages just `appended` to it (see
        `SlidingIndex.extend`), without reading it again. False, and nothing kept, when
        there is no index of it under `catalog` to extend (the caller may `follow`)."""
        if self.size <= 0:
            return True
        state = self._states.get(key)
        if state is None or state.catalog is not catalog:
            return False
        del self._states[key]
        self._chars -= state.chars
        try:
            if not state.extend(appended, max_len):
                return False
        except Exception:  # a cache: the next view builds afresh
            log.debug("policy: sliding index dropped", exc_info=True)
            return True
        self.follows += 1
        self._keep(key, state)
        return True

    def _keep(self, key: Hashable, state: SlidingIndex) -> None:
        if state.chars > self.max_chars // 4:
            return  # one huge history would push out every other
        self._states[key] = state
        self._chars += state.chars
        while len(self._states) > self.size or self._chars > self.max_chars:
            _, old = self._states.popitem(last=False)
            self._chars -= old.chars

    def __len__(self) -> int:
        return len(self._states)


def _findings(detected: Iterable[Any]) -> None:
    """The findings as `ConversationIndex` reads them (only to fail where it fails: an
    unhashable call id or message index)."""
    found = [d for d in detected if isinstance(d, Mapping)]
    {d.get("tool_call_id") for d in found if d.get("tool_call_id")}
    {d.get("message_index") for d in found if d.get("message_index") is not None}


def _fresh(catalog: Catalog, messages: list[Any]) -> View:
    index = ConversationIndex(messages, catalog)
    totals = Totals(catalog)
    for _, name, args in index.history_calls:
        totals.add(name, args)
    called = [name for m in messages for name in called_names(m)]
    return View(index, totals, called, dict(Counter(called)))
