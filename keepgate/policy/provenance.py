"""Where each value of a tool call came from: the provenance facts of the policy input.

An injected instruction works by getting the model to use a value the attacker wrote (a
recipient, an IBAN, a URL) in a side-effecting call. Detectors see only some attack texts;
where a value came from can be checked whatever the attacker writes. So, once per request,
the conversation is indexed by *source* — system/developer messages, user messages, trusted
tool outputs, outputs of human-approved calls, untrusted tool outputs — and each argument
leaf of a call is looked up in it after normalisation (`keepgate.policy.values`).

Attached documents and files (a chat `file` part or Responses `input_file` sent inline, an
Anthropic `document` block with its `title` and `context`) ride in a user message but are
not the user's words: someone else wrote them, like a fetched page. Their text is filed as
untrusted output of the pseudo-tool `DOCUMENT`, so a value only a document names vouches
for nothing and the conversation counts as tainted, exactly as after a tool result.

Cost: building the index lower-cases every message once (linear in the conversation); a
lookup is a `str.find` over each source group's text, so one call costs O(leaves x text).
`bench/policy.py` measures it at 10/100/1000 messages.

The facts it produces are documented in policies/README.md ("Provenance facts").
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import re2

from keepgate.input_guards.extract import FILE_PARTS, part_file_text
from keepgate.pipeline.content_text import message_text
from keepgate.policy import values as V
from keepgate.policy.catalog import EXACT, Catalog, ToolEntry, forms
from keepgate.policy.requested import UserWords, pointer, unrequested
from keepgate.policy.selection import Listings, picked, record_fields
from keepgate.policy.selection import words as selection_words

SYSTEM, USER, TRUSTED, APPROVED, UNTRUSTED, ALLOWLISTED, DERIVED = (
    "system",
    "user",
    "trusted_tool",
    "approved_tool",
    "untrusted_tool",
    "allowlisted",
    "derived",
)
#: Sources that vouch for a value (anything but untrusted tool output or nowhere).
TRUSTED_SOURCES = frozenset((SYSTEM, USER, TRUSTED, APPROVED, ALLOWLISTED, DERIVED))
#: Numbers taken from the system and user messages for `derived` (one arithmetic step).
MAX_OPERANDS = 30
_NUMBER = re2.compile(r"\d[\d,]*(?:\.\d+)?")
_ROLE_SOURCE = {"system": SYSTEM, "developer": SYSTEM, "user": USER}
#: Leaves per call looked up in the conversation; past it a leaf is still matched against
#: its constraint, and a sensitive one is reported not vouched (`call_facts`).
MAX_LEAVES = 200
MAX_DEPTH = 12  # levels of a trusted JSON output split into fields and prose
MIN_STRING = 3  # shorter strings are found everywhere; they get sources [] unless allowlisted
#: Only the user and the operator vouch for a secret: one copied from any tool output into
#: a side-effecting call is a leak, however trusted the tool.
SECRET_SOURCES = frozenset((SYSTEM, USER, ALLOWLISTED))
#: Only the user and the operator choose what a `destructive` tool acts on: a trusted
#: listing says what exists, not which one the user wants gone.
CHOSEN_SOURCES = frozenset((SYSTEM, USER, ALLOWLISTED, DERIVED))
#: The tool an attached document's text is filed under (untrusted output): not a valid
#: function name, so no real tool can share it (or be declared trusted in its place).
DOCUMENT = "(document)"


def assistant_calls(message: Mapping[str, Any]) -> Iterator[tuple[str | None, str, Any]]:
    """The calls an assistant message makes, in order: (id or None, name, raw arguments)
    for each well-formed `tool_calls` entry, then a legacy `function_call` (no id). The
    fresh index and the sliding one (`keepgate.policy.sliding`) read calls alike."""
    for tc in message.get("tool_calls") or ():
        fn = tc.get("function") if isinstance(tc, dict) else None
        if isinstance(fn, dict):
            name = fn.get("name")
            if isinstance(name, str):
                tcid = tc.get("id")
                yield (tcid if isinstance(tcid, str) else None), name, fn.get("arguments")
    fc = message.get("function_call")
    if isinstance(fc, dict) and isinstance(fc.get("name"), str):
        yield None, fc["name"], fc.get("arguments")


def _split_content(content: Any) -> tuple[str, list[str]]:
    """A user/system message's own text, and the texts of the files attached to it (chat
    `file` parts and Responses-shaped `input_file` parts sent inline as text)."""
    if not isinstance(content, list):
        return (content if isinstance(content, str) else message_text(content)), []
    own: list[Any] = []
    files: list[str] = []
    for p in content:
        if isinstance(p, Mapping) and p.get("type") in FILE_PARTS:
            text = part_file_text(p)
            if text:
                files.append(text)
            continue  # never the user's words, whatever other fields the part carries
        own.append(p)
    return message_text(own), files


#: Matchers an index remembers (`ConversationIndex.matchers`).
MAX_MATCHERS = 512
_UNSEEN = object()


class _Group:
    """All text of one (source, tool), lower-cased, joined on first lookup (and encoded to
    UTF-8 on the first RE2 lookup)."""

    __slots__ = ("parts", "distinct", "_text", "_unique", "_data")

    def __init__(self) -> None:
        self.parts: list[str] = []
        #: Each text of `parts` once, when some repeat (set by keepgate.policy.sliding,
        #: which counts them as they come and go); None: read `parts`.
        self.distinct: list[str] | None = None
        self._text: str | None = None
        self._unique: str | None = None
        self._data: bytes | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.parts)
        return self._text

    @property
    def unique_text(self) -> str:
        """What a lookup that cannot match across two parts reads (`_within`): each text
        once. Such a lookup finds a needle in the parts joined on "\\n" iff it finds it
        in one part (the "\\n" on either side of a part reads as its edge), so iff in
        one distinct text. Why: an agent that re-reads a file or polls a status files
        the same text again and again (200 copies of one result in a full MCP history),
        and joining and scanning every copy per call was ~35 K instructions."""
        if self.distinct is None:
            return self.text
        if self._unique is None:
            self._unique = "\n".join(self.distinct)
        return self._unique

    def data(self) -> bytes:
        if self._data is None:
            self._data = self.text.encode("utf-8")
        return self._data


#: A string of more words than this in a trusted tool's JSON output is prose (a bio, a
#: note, a description), not a field value.
PROSE_WORDS = 8


def split_trusted(text: str) -> tuple[str, str]:
    """(fields, prose) of a trusted tool's output. A trusted record vouches for the values
    it states as fields (an e-mail, an IBAN, an id, a name); a free-text field in it (an
    employee's "about me", a device's name, a customer note copied into the CRM) can
    quote anyone, so its strings — and keys of that many words, where an attacker who
    writes a field *name* lands — are returned apart, as prose, and filed as untrusted
    output. Only JSON objects and arrays are split; other text is all fields. Both parts
    come back folded (`V.fold`), as the text passed in is."""
    t = text.lstrip()
    # Any length (json.loads in C, the walk ~27 ms a MB; a big body's facts are built in
    # the offload pool): past a length bound the output was filed whole as fields, and an
    # attacker's padded "about me" vouched for their address (red team 8).
    if not t.startswith(("{", "[")):
        return text, ""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return text, ""
    prose: list[str] = []

    def walk(v: Any, depth: int) -> Any:
        if isinstance(v, str):
            if len(v.split(None, PROSE_WORDS)) > PROSE_WORDS:
                prose.append(v)
                return ""
            return v
        if depth > 2 * MAX_DEPTH:
            return None
        if isinstance(v, dict):
            out: dict[str, Any] = {}
            for i, (k, x) in enumerate(v.items()):
                if len(k.split(None, PROSE_WORDS)) > PROSE_WORDS:
                    prose.append(k)
                    k = f"#{i}"
                out[k] = walk(x, depth + 1)
            return out
        if isinstance(v, list):
            return [walk(x, depth + 1) for x in v]
        return v

    fields = walk(doc, 0)
    if not prose:
        return text, ""
    # Folded again: the text was folded as JSON, but its `\u00c4`-style escapes decode
    # only now, so both parts are folded as every indexed text is (the sliding index
    # files them as they come; the fresh build folds what it files).
    return V.fold(json.dumps(fields, ensure_ascii=False)), V.fold("\n".join(prose))


def output_source(catalog: Catalog, tool: str, *, approved: bool, flagged: bool) -> str:
    """The source a tool's output is filed under."""
    entry = catalog.get(tool)
    if entry.output_trusted:
        # Declared trusted: outsiders cannot write into it, so a detector finding on it
        # is a false positive (a directory's `email: …` line read as an instruction).
        return TRUSTED
    if flagged:
        return UNTRUSTED
    if approved and entry.trust_output_when_approved:
        return APPROVED
    return UNTRUSTED


class ConversationIndex:
    """The conversation grouped by source; built once per request (or per agent step)."""

    #: The user's words (`keepgate.policy.requested`), built on first need, with the text
    #: they were read from (an index that follows a session gets a fresh one per step).
    _user_words: tuple[str, UserWords] | None = None
    #: The trusted outputs read as records (`keepgate.policy.selection`), on first need.
    _listings: Listings | None = None

    def __init__(
        self,
        messages: Iterable[Any] | None,
        catalog: Catalog,
        *,
        approved_ids: Iterable[str] = (),
        detected: Iterable[Mapping[str, Any]] = (),
        extra_texts: Iterable[tuple[str, str | None, str]] = (),
        documents: Iterable[str] = (),
    ) -> None:
        self.catalog = catalog
        approved = set(approved_ids)
        flagged_ids = {d.get("tool_call_id") for d in detected if d.get("tool_call_id")}
        flagged_idx = {
            d.get("message_index") for d in detected if d.get("message_index") is not None
        }
        self.groups: dict[tuple[str, str | None], _Group] = {}
        self.untrusted_tools: list[str] = []
        self.untrusted_count = 0
        self.taint_sources: list[dict[str, Any]] = []
        self._operands: list[Decimal] | None = None
        #: (type, value) -> `_matcher(value)`: a pure function of the value, so an index
        #: that follows one session's history (keepgate.policy.sliding) shares its own.
        self.matchers: dict[tuple[type, Any], Any] = {}
        #: (id, tool name, arguments as sent: JSON text or object) of the assistant's
        #: earlier calls, in order; parsed only where a total needs them.
        self.history_calls: list[tuple[str | None, str, Any]] = []
        # Each inlined document is cut once per time it was attached (longest first: a
        # title may be part of a longer text), so the user's own copy of a value stays.
        pending = Counter(d for d in documents if isinstance(d, str) and d)
        docs = sorted(pending, key=len, reverse=True)
        for doc in docs:
            self.add_document(doc)
        names: dict[str, str] = {}
        #: Tool name by the id of the assistant's call (placing input-guard findings).
        self.call_tools = names
        calls = self.history_calls
        # The source of one output depends only on (tool, approved, flagged) while the
        # catalogue is fixed: looked up once per combination (histories repeat one tool).
        filed: dict[tuple[str, bool, bool], str] = {}
        for i, m in enumerate(messages or ()):
            if not isinstance(m, dict):
                continue
            role = m.get("role")
            if role == "assistant":
                for tcid, name, arguments in assistant_calls(m):
                    if tcid:
                        names[tcid] = name
                    calls.append((tcid, name, arguments))
                continue
            content = m.get("content")
            if role in _ROLE_SOURCE:
                text, files = _split_content(content)
                for doc in docs:  # cut out of the user's words (the adapter inlined it)
                    while pending[doc] and doc in text:
                        text = text.replace(doc, "\n", 1)
                        pending[doc] -= 1
                self._add(_ROLE_SOURCE[role], None, text)
                for f in files:
                    self.add_document(f, message_index=i)
                continue
            if role not in ("tool", "function"):
                continue
            text = content if isinstance(content, str) else message_text(content)
            tcid = m.get("tool_call_id")
            if not isinstance(tcid, str):
                tcid = None
            tool = names.get(tcid or "") or (m.get("name") if role == "function" else None)
            tool = tool if isinstance(tool, str) else "unknown"
            # add_output, with the source looked up once per combination
            was_approved = tcid in approved
            flagged = (tcid in flagged_ids) or (i in flagged_idx)
            source = filed.get((tool, was_approved, flagged))
            if source is None:
                source = filed[(tool, was_approved, flagged)] = self.source_of_output(
                    tool, approved=was_approved, flagged=flagged
                )
            if source == TRUSTED and text:
                self._add_trusted(tool, tcid, i, text)
                continue
            if source == UNTRUSTED:
                self._taint(tool, tcid, i)
            self._add(source, tool, text)
        for source, tool, text in extra_texts:
            self._add(source, tool, text)

    def _add_trusted(
        self, tool: str, call_id: str | None, message_index: int | None, text: str
    ) -> None:
        """Index a trusted output: its fields as trusted, its prose (`split_trusted`) as
        untrusted output of the same tool. Folded first, and both parts come back folded,
        so they are filed as they are (as the sliding index files them), not folded again."""
        fields, prose = split_trusted(V.fold(text))
        self._add(TRUSTED, tool, fields, folded=True)
        if prose:
            self._taint(tool, call_id, message_index)
            self._add(UNTRUSTED, tool, prose, folded=True)

    def _add(self, source: str, tool: str | None, text: str, *, folded: bool = False) -> None:
        if not text:
            return
        g = self.groups.get((source, tool))
        if g is None:
            g = self.groups[(source, tool)] = _Group()
        g.parts.append(text if folded else V.fold(text))
        g._text = g._unique = g._data = None

    def source_of_output(self, tool: str, *, approved: bool = False, flagged: bool = False) -> str:
        return output_source(self.catalog, tool, approved=approved, flagged=flagged)

    def finding_on_trusted_output(self, source: Mapping[str, Any]) -> bool:
        """Does this input-guard taint source point at the output of a tool the catalogue
        declares `output: trusted`? Such a finding is reported but does not count as a
        detection (`facts.detected`). The tool is resolved only through the call id's
        assistant turn in this conversation, never from the source's own `tool` field or
        a message index (route-specific numbering could point at the wrong message): a
        finding in a tool *definition*, in an id-less `function` message or anywhere the
        index cannot place still counts (fail closed)."""
        tcid = source.get("tool_call_id")
        if not isinstance(tcid, str) or not tcid:
            return False
        tool = self.call_tools.get(tcid)
        return tool is not None and self.catalog.get(tool).output_trusted

    def add_output(
        self,
        tool: str,
        text: str,
        *,
        call_id: str | None = None,
        approved: bool = False,
        flagged: bool = False,
        message_index: int | None = None,
    ) -> str:
        """Index one tool output; returns the source it was filed under."""
        source = self.source_of_output(tool, approved=approved, flagged=flagged)
        if source == TRUSTED and text:
            self._add_trusted(tool, call_id, message_index, text)
            return source
        if source == UNTRUSTED:
            self._taint(tool, call_id, message_index)
        self._add(source, tool, text)
        return source

    def add_document(self, text: str, *, message_index: int | None = None) -> None:
        """Index the text of an attached document: untrusted output of `DOCUMENT` (filed
        as untrusted directly: the catalogue's default must not make a document trusted)."""
        if not text:
            return
        self._taint(DOCUMENT, None, message_index)
        self._add(UNTRUSTED, DOCUMENT, text)

    def _taint(self, tool: str, call_id: str | None, message_index: int | None) -> None:
        """Count one untrusted output of `tool` and record where it came from (the first 20)."""
        self.untrusted_count += 1
        if tool not in self.untrusted_tools:
            self.untrusted_tools.append(tool)
        if len(self.taint_sources) < 20:
            self.taint_sources.append(
                {
                    "source": UNTRUSTED,
                    "tool": tool[:200],
                    "tool_call_id": call_id,
                    "message_index": message_index,
                }
            )

    def user_words(self) -> UserWords:
        """The stems of the words of the user's messages (not the system prompt's: it
        says what the assistant can change, not what this user asked for)."""
        g = self.groups.get((USER, None))
        text = g.text if g is not None else ""
        cached = self._user_words
        if cached is None or cached[0] is not text:
            cached = self._user_words = (text, UserWords(text))
        return cached[1]

    def derived(self, value: Any) -> bool:
        """Is the number one arithmetic step (+, -, x, /) from two numbers the user or the
        system prompt wrote ("split the 300 bill three ways" -> 100)? Operands are the first
        MAX_OPERANDS distinct numbers of those messages; computed once, on first use."""
        d = V.number(value)
        if d is None:
            return False
        if self._operands is None:
            found: list[Decimal] = []
            for source in (SYSTEM, USER):
                g = self.groups.get((source, None))
                if g is None:
                    continue
                for m in _NUMBER.finditer(g.text[:100_000]):
                    n = V.number(m.group(0).rstrip(","))
                    if n is not None and n not in found:
                        found.append(n)
                    if len(found) >= MAX_OPERANDS:
                        break
            self._operands = found
        ops = self._operands
        for i, a in enumerate(ops):
            if d == a + a:  # "double it"
                return True
            # Two distinct operands: a number with itself gives 0 (a - a) and 1 (a / a)
            # from any message that holds one number, so `replicas: 0` or `days: 1`
            # would always count as derived.
            for b in ops[i + 1 :]:
                if d in (a + b, abs(a - b), a * b) or (b and d == a / b) or (a and d == b / a):
                    return True
        return False

    def picked(self, value: Any, tools: list[str], ignore: frozenset[str] = frozenset()) -> bool:
        """Do the user's words single out the record of a trusted (or approved) output of
        `tools` that holds `value` (`keepgate.policy.selection`)? True when no such output
        holds it as a JSON field (not decidable: the value stays vouched)."""
        texts: list[str] = []
        for tool in tools:
            for source in (TRUSTED, APPROVED):
                g = self.groups.get((source, tool))
                if g is not None:
                    texts.extend(g.distinct if g.distinct is not None else g.parts)
        return picked(texts, value, self.user_words, self.listings, ignore) is not False

    @property
    def listings(self) -> Listings:
        if self._listings is None:
            self._listings = Listings()
        return self._listings

    def current_values(self, arguments: Any, field: str) -> list[tuple[Any, list[Any]]]:
        """What `field` holds now in the trusted (or approved) records of the call's other
        string values that the user chose (`card_id: card-7702`, picked by "Tom's card" ->
        that card's `status`), with what it holds in the other records of their list: read
        only when a setting value is not in the user's words."""
        texts: list[str] = []
        for (source, _tool), g in self.groups.items():
            if source in (TRUSTED, APPROVED):
                texts.extend(g.distinct if g.distinct is not None else g.parts)
        if not texts or not isinstance(arguments, Mapping):
            return []

        def chosen(value: str) -> bool:
            return USER in self.locate(value)[0] or (
                picked(texts, value, self.user_words, self.listings) is True
            )

        return record_fields(texts, arguments, field, self.listings, chosen)

    # -- lookups ------------------------------------------------------------------------
    def locate(self, value: Any) -> tuple[list[str], list[str]]:
        """(sources, tools) in which `value` appears, sources in a fixed order."""
        key = (value.__class__, value)
        try:
            found = self.matchers.get(key, _UNSEEN)
        except TypeError:  # unhashable: not a leaf value
            found = self._matcher(value)
        else:
            if found is _UNSEEN:
                if len(self.matchers) >= MAX_MATCHERS:
                    self.matchers.clear()
                found = self.matchers[key] = self._matcher(value)
        if found is None:
            return [], []
        sources: list[str] = []
        tools: list[str] = []
        for (source, tool), g in self.groups.items():
            if found(g):
                if source not in sources:
                    sources.append(source)
                if tool is not None and tool not in tools:
                    tools.append(tool)
        order = (SYSTEM, USER, TRUSTED, APPROVED, UNTRUSTED)
        return sorted(sources, key=order.index), tools

    def _matcher(self, value: Any) -> Any:
        """A predicate over a group for one value, or None when the value is not checkable."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            d = V.number(value)
            return None if d is None else (lambda g, d=d: V.find_number(g.unique_text, d))
        if not isinstance(value, str):
            return None
        raw = value.strip()
        if len(raw) > 2000:
            raw = raw[:2000]
        e = V.email_parts(raw)
        if e:
            return _within(e[0] + "@" + e[1])
        if V.looks_like_account(raw):
            c, grouped = _within(V.compact(raw).lower()), _within(V.iban_grouped(V.compact(raw)))
            return lambda g: c(g) or grouped(g)
        d = V.number(raw) if any(ch.isdigit() for ch in raw[:3]) else None
        if d is not None:
            return lambda g: V.find_number(g.unique_text, d)
        u = V.parse_url(raw) if "." in raw else None
        if u is not None:
            return _within(u.core)
        s = V.squash(raw)
        if len(s) < MIN_STRING:
            return None
        if " " in s:
            words = s.split(" ")
            compiled: list[Any] = []

            def pattern() -> Any:  # compiled on the first text that needs it
                if not compiled:
                    compiled.append(V.words_pattern(words))
                return compiled[0]

            return lambda g: V.find_words(g.text, words, pattern, g.data)
        return _within(s)


def _within(needle: str) -> Any:
    """`find_token` of `needle` over a group: on its distinct texts (`_Group.unique_text`)
    unless the needle holds the "\\n" the parts are joined on (then it could match
    across two of them). A number's forms (`find_number`) never hold one."""
    if "\n" in needle:
        return lambda g: V.find_token(g.text, needle)
    return lambda g: V.find_token(g.unique_text, needle)


#: Values embedded in free text (a message body, a comment): e-mail addresses, URLs (with a
#: scheme, `www.`, or a bare host: `name.tld` with an alphabetic TLD that is not a common
#: file extension, so `ci.yml` and `prod.env` are files while `sso-check.support` is a
#: host), and secrets (`…password=…`, `…_key: …`, provider key prefixes). Run on folded
#: text; RE2, so linear; alternatives are tried leftmost-first at each position.
_FILE_EXTENSIONS = frozenset(
    (
        "yml yaml json jsonl env txt md rst py pyc js mjs cjs ts tsx jsx sh bash zsh ps1 bat cmd "
        "csv tsv pdf doc docx xls xlsx ppt pptx odt png jpg jpeg gif svg webp ico bmp tif tiff "
        "html htm css scss less lock toml ini cfg conf log xml sql db sqlite rb go rs java kt kts "
        "scala c h cc cpp hpp cs swift m mm php pl pm r lua dart ex exs erl hs ml clj vue svelte "
        "tar gz tgz bz2 xz zst rar 7z jar war whl egg deb rpm apk dmg iso img bin exe dll so "
        "dylib o a obj class mp3 mp4 wav flac ogg avi mkv webm mov key pem crt cer der p12 pfx "
        "pub gpg asc sig tmp bak old orig swp patch diff ipynb parquet avro proto tf tfvars hcl "
        "gradle pom mk cmake dockerfile gitignore editorconfig eslintrc prettierrc npmrc nvmrc "
        "e g i etc vs al".split()
    )
)
_EMBEDDED = re2.compile(
    (
        r"[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}"
        r"|(?:https?://|www\.)[^\s<>\"'`()\[\]{}|\\^]{3,}"
        r"|(?:password|passwd|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|"
        r"private[_\-]?key|[a-z0-9]+_key|[a-z0-9]+_token|[a-z0-9]+_secret)"
        r"[\"']?\s{0,3}[:=]\s{0,3}[\"']?[^\s\"'`,;<>]{6,}"
        r"|\b(?:sk-[a-z0-9_\-]{16,}|sk_(?:live|test)_[a-z0-9]{8,}|rk_(?:live|test)_[a-z0-9]{8,}|"
        r"gh[pousr]_[a-z0-9]{20,}|github_pat_[a-z0-9_]{20,}|akia[a-z0-9]{16}|"
        r"xox[abposre]-[a-z0-9\-]{10,})"
        r"|\b[a-z0-9][a-z0-9\-]{0,62}(?:\.[a-z0-9\-]{1,63}){0,6}\.[a-z]{2,24}\b"
        r"(?:/[^\s<>\"'`()\[\]{}|\\^]*)?"
    ).encode()
)
_KEY_PREFIXES = (
    "sk-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "akia",
    "xox",
)
MAX_EMBEDDED = 20
#: Distinct matches of one value read in Python (each may parse a URL, ~8 µs); past it the
#: value reports `unchecked` (fail closed) instead of costing seconds on 4 MB of `f1.py`.
MAX_EXAMINED = 2_000
_TRAIL = ".,;:!?)]}'\"`"


def embedded_values(text: str) -> list[tuple[str, str]]:
    """(kind, folded value) for each e-mail address, URL and secret inside `text`: `url`,
    `email`, `secret`. A host right after `@`, `.`, `-`, `_` or `/` is part of something
    else. The pattern has no capture groups (RE2 then runs its DFA only, ~6x faster than
    with groups); which alternative matched is read off the match itself.

    The whole text is scanned (RE2, ~7 ms a MB) and a repeat is read once: a bound on
    characters or on matches was a bypass (red team 8: twenty copies of the user's own
    link, or 20,000 characters of filler, before the attacker's URL). Past `MAX_EMBEDDED`
    distinct values (or `MAX_EXAMINED` distinct matches) one `("unchecked", "")` ends the
    list: not looked up, so not vouched."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[bytes, bool]] = set()
    data = V.fold(text).encode("utf-8")
    for m in _EMBEDDED.finditer(data):
        raw, start = m.group(0), m.start()
        # a host right after `@`, `.`, `-`, `_` or `/` is read otherwise: not the same repeat
        joined = start > 0 and data[start - 1 : start] in (b"@", b".", b"-", b"_", b"/")
        if (raw, joined) in seen:
            continue
        seen.add((raw, joined))
        if len(out) >= MAX_EMBEDDED or len(seen) > MAX_EXAMINED:
            out.append(("unchecked", ""))
            break
        found = raw.decode("utf-8", "replace")
        head = found[:12]
        if "@" in found and not head.startswith(("http", "www.")):
            out.append(("email", found.strip(_TRAIL)))
        elif head.startswith(("http://", "https://", "www.")):
            value = found.rstrip(_TRAIL)
            if V.parse_url(value) is not None:
                out.append(("url", value))
        elif (cut := _assignment_cut(found)) is not None:
            secret = found[cut:].strip(" \t\"'").strip(_TRAIL)
            if any(ch.isdigit() or ch in "!@#$%^&*+/=_-" for ch in secret):
                out.append(("secret", secret))  # "token: expires" is prose
        elif head.startswith(_KEY_PREFIXES) and "." not in found:
            out.append(("secret", found))
        else:
            if joined:
                continue
            value = found.rstrip(_TRAIL)
            url = V.parse_url(value)
            if url is not None and url.host.rsplit(".", 1)[-1] not in _FILE_EXTENSIONS:
                out.append(("url", value))
    return out


def _assignment_cut(found: str) -> int | None:
    """Where the value starts in a `name = value` / `name: value` match (None: no such
    match; a host with a path such as `x.com/a?token=1` has a dot or slash before it)."""
    cuts = [i for i in (found.find("="), found.find(":")) if i > 0]
    if not cuts:
        return None
    i = min(cuts)
    name = found[:i]
    if "." in name or "/" in name:
        return None
    return i + 1


def _embedded_facts(index: ConversationIndex, value: str) -> list[dict[str, Any]]:
    """Each embedded value of one free-text leaf with its own sources, and whether it is
    unvouched (a URL or address no trusted source wrote; a secret the user or the system
    prompt did not write)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for kind, v in embedded_values(value):
        if (kind, v) in seen:
            continue
        seen.add((kind, v))
        if kind == "unchecked":  # more than are looked up: not vouched (fail closed)
            out.append({"kind": kind, "sources": [], "tools": [], "unvouched": True})
            continue
        sources, tools = index.locate(v)
        vouching = SECRET_SOURCES if kind == "secret" else TRUSTED_SOURCES
        out.append(
            {
                "kind": kind,
                "sources": sources,
                "tools": tools[:10],
                "unvouched": not vouching.intersection(sources),
            }
        )
    return out


def _parse(arguments: Any) -> Any:
    if type(arguments) is dict or isinstance(arguments, Mapping):
        return arguments
    if isinstance(arguments, str) and arguments:
        try:
            return json.loads(arguments)
        except (ValueError, RecursionError):
            return None
    return None


def leaves(arguments: Any) -> Iterator[tuple[Any, str, Any]]:
    """(key chain, top-level argument name, value) for each string/number leaf, in order,
    at any depth (`requested.pointer(chain)` is its JSON pointer, joined only when needed).
    Every leaf: a bound here was a bypass (red team 8: a 201st recipient after 200 allowed
    ones passed a domain constraint). Iterative: no recursion limit."""
    if not (type(arguments) is dict or isinstance(arguments, Mapping)):
        return
    stack: list[tuple[Any, Any, str]] = [
        (x, (None, str(k)), str(k)) for k, x in reversed(list(arguments.items()))
    ]
    while stack:
        v, chain, top = stack.pop()
        if type(v) is str:  # the common leaf first (no ABC check on the way)
            yield chain, top, v
        elif type(v) is dict or isinstance(v, Mapping):
            stack.extend((x, (chain, str(k)), top) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((v[i], (chain, str(i)), top) for i in range(len(v) - 1, -1, -1))
        elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
            yield chain, top, v


def arguments_ci(arguments: Any) -> dict[str, list[Any]] | None:
    """Top-level arguments by lower-case name, each a list of its non-null values (an array
    contributes its items; `To` and `to` both land under "to"). Rego checks read this."""
    if not (type(arguments) is dict or isinstance(arguments, Mapping)):
        return None
    out: dict[str, list[Any]] = {}
    for k, v in arguments.items():
        if v is None:
            continue
        items = [x for x in v if x is not None] if isinstance(v, list) else [v]
        out.setdefault(str(k).lower(), []).extend(items)
    return out


def schema_check(
    entry: ToolEntry, arguments: Any, schema: Mapping[str, Any] | None
) -> tuple[list[str] | None, list[str] | None]:
    """(extra, missing) argument names against the tool's schema or catalogue list; (None,
    None) when neither says which arguments exist."""
    if not (type(arguments) is dict or isinstance(arguments, Mapping)):
        return None, None
    known: set[str] | None = None
    required: list[str] = []
    props = schema.get("properties") if type(schema) is dict else None
    if schema is not None and (
        type(props) is dict
        or (isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping))
    ):
        known = set()
        for k in schema["properties"]:
            known.add(str(k).lower())
        req = schema.get("required")
        if isinstance(req, list):
            for r in req:
                required.append(str(r))
    if entry.arguments is not None:
        known = (known or set()) | set(entry.arguments)
    if known is None:
        return None, None
    # Loops, not comprehensions: each of those was a frame of its own (~23 K instructions
    # per MCP call for one argument); `present` only when something is required.
    extra: list[str] = []
    for k in arguments:
        if str(k).lower() not in known:
            extra.append(str(k))
    extra.sort()
    missing: list[str] = []
    if required:
        present = set()
        for k, v in arguments.items():
            if v is not None:
                present.add(str(k).lower())
        for r in required:
            if r.lower() not in present:
                missing.append(r)
        missing.sort()
    return extra[:20], missing[:20]


def call_facts_words(arguments: Any) -> frozenset[str]:
    """The record words of a call's short string values (its settings: `role: admin`)."""
    out: set[str] = set()
    for _chain, _top, v in itertools.islice(leaves(arguments), 50):
        if isinstance(v, str) and len(v) <= 100:
            out |= selection_words(v)
    return frozenset(out)


def call_facts(
    index: ConversationIndex, entry: ToolEntry, arguments: Any, principal: Mapping[str, Any]
) -> dict[str, Any]:
    """The per-call part of the facts: provenance per leaf, untrusted sensitive leaves,
    constraint results."""
    prov: dict[str, dict[str, Any]] = {}
    untrusted: list[str] = []
    unchosen: list[str] = []
    embedded: list[dict[str, str]] = []
    violations: list[dict[str, Any]] = []
    user_lists: dict[str, list[Any]] = {}
    #: Leaves found only in untrusted output, and whether any leaf has a trusted source:
    #: a call made only of outsiders' values is theirs, whatever `sensitive` says.
    outside: list[str] = []
    vouched = False
    exact: set[str] = set()
    #: Sensitive values a trusted listing holds but the user's words did not pick, and
    #: numbers only untrusted output wrote (both read only after untrusted output).
    unselected: list[str] = []
    numbers: list[str] = []
    tainted = index.untrusted_count > 0 and entry.effects != "none"
    count = 0
    past: set[str] = set()  # past MAX_LEAVES: the kinds of fact already reported once
    cw: frozenset[str] | None = None  # the words of the call's values, on first need
    if index._listings is not None:
        index._listings.begin()  # the selection work cap is per call
    for chain, top, value in leaves(arguments):
        count += 1
        top_l = top.lower()
        sensitive = entry.is_sensitive(top_l)
        c = entry.constraints.get(top_l)
        allowlisted = None
        match: str | None = None
        if c is not None:
            uv: list[Any] = []
            if c.per_user:
                if c.per_user not in user_lists:
                    user_lists[c.per_user] = index.catalog.user_values(principal, c.per_user)
                uv = user_lists[c.per_user]
            match = c.match(value, uv)
            allowlisted = match is not None
            if not allowlisted and c.action != "provenance" and c.action not in past:
                violations.append(
                    {"path": pointer(chain), "argument": top[:100], "action": c.action}
                )
                if count > MAX_LEAVES:
                    past.add(c.action)
        if count > MAX_LEAVES:
            # Not looked up (bounded work), so not vouched: a sensitive value waits; so
            # does a call with a URL, address or secret in free text, or (after untrusted
            # output) a number, past the leaves looked up (review 1, H2: `["ok"] * 200 +
            # [URL]` had passed). The RE2 scan is linear in the body, the lookups are not.
            if sensitive and match != EXACT and "sensitive" not in past:
                untrusted.append(pointer(chain))
                past.add("sensitive")
            elif (
                not sensitive
                and "embedded" not in past
                and isinstance(value, str)
                and len(value) > 5
                and entry.effects != "none"
                and embedded_values(value)
            ):
                embedded.append({"path": pointer(chain), "kind": "unchecked"})
                past.add("embedded")
            elif (
                tainted
                and not sensitive
                and "number" not in past
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
            ):
                numbers.append(pointer(chain))
                past.add("number")
            continue
        path = pointer(chain)
        sources, tools = index.locate(value)
        if match == EXACT:  # a domain/host/pattern match constrains; it does not vouch
            sources.append(ALLOWLISTED)
            exact.add(path)
        if (
            sensitive
            and not TRUSTED_SOURCES.intersection(sources)
            and not isinstance(value, bool)
            and V.number(value) is not None
            and index.derived(value)
        ):
            sources.append(DERIVED)
        prov[path] = {
            "sources": sources,
            "tools": tools[:10],
            "sensitive": sensitive,
            "allowlisted": allowlisted,
            "matched_by": match,
        }
        trusted = not TRUSTED_SOURCES.isdisjoint(sources)
        if trusted:
            vouched = True
        elif sources:  # found, and only in untrusted output
            outside.append(path)
        if sensitive and not trusted:
            untrusted.append(path)
        elif sensitive and entry.destructive and not CHOSEN_SOURCES.intersection(sources):
            unchosen.append(path)
        elif (
            sensitive
            and tainted
            and isinstance(value, str)
            and not CHOSEN_SOURCES.intersection(sources)
            and not index.picked(
                value, tools, (cw := cw or call_facts_words(arguments)) - selection_words(value)
            )
        ):
            unselected.append(path)
        if (
            tainted
            and not sensitive
            and not trusted
            and sources
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and not index.derived(value)
        ):
            numbers.append(path)
        if not sensitive and isinstance(value, str) and len(value) > 5 and entry.effects != "none":
            found = _embedded_facts(index, value)
            if found:
                prov[path]["embedded"] = found
                embedded.extend({"path": path, "kind": e["kind"]} for e in found if e["unvouched"])
    return {
        "provenance": prov,
        "untrusted_sensitive": untrusted,
        "unchosen_destructive": unchosen,
        "untrusted_embedded": embedded[:MAX_EMBEDDED],
        "untrusted_only": [] if vouched else outside[:MAX_EMBEDDED],
        "unselected": unselected[:MAX_EMBEDDED],
        "untrusted_numbers": numbers[:MAX_EMBEDDED],
        # Read by the policy only after untrusted output: not computed before it.
        "unrequested_settings": unrequested(
            entry,
            arguments,
            index.user_words,
            exact,
            lambda field: index.current_values(arguments, field),
            lambda path: path in prov and not TRUSTED_SOURCES.isdisjoint(prov[path]["sources"]),
        )[:MAX_EMBEDDED]
        if index.untrusted_count
        else [],
        "constraint_violations": violations,
    }


class Totals:
    """Conversation-level sums: calls per tool, amounts per tool, distinct recipients."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.calls: dict[str, int] = {}
        self.amounts: dict[str, Decimal] = {}
        self.recipients: dict[str, set[str]] = {}
        #: Tools whose calls are only counted (no amount, not egress): no catalogue lookup.
        self._counted_only: set[str] = set()

    def add(self, name: str, arguments: Any) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        if name in self._counted_only:
            return
        part = self.contribution(name, arguments)
        if part is None:
            if len(self._counted_only) < 1000:
                self._counted_only.add(name)
            return
        self.apply(name, *part)

    def contribution(self, name: str, arguments: Any) -> tuple[Decimal | None, set[str]] | None:
        """What one call adds to the amounts and recipients (None: it is only counted)."""
        entry = self.catalog.get(name)
        if entry.amount_argument is None and entry.effects != "egress":
            return None
        arguments = _parse(arguments)
        args = arguments if (type(arguments) is dict or isinstance(arguments, Mapping)) else {}
        return _amount(entry, args), self._recipients(name, args)

    def apply(self, name: str, amount: Decimal | None, rec: set[str]) -> None:
        """Add one call's `contribution` (its count is added separately)."""
        if amount is not None:
            self.amounts[name] = self.amounts.get(name, Decimal(0)) + amount
        if rec:
            self.recipients.setdefault(name, set()).update(rec)

    def _recipients(self, name: str, args: Mapping[str, Any]) -> set[str]:
        entry = self.catalog.get(name)
        if entry.effects != "egress":
            return set()
        out: set[str] = set()
        for _, top, v in leaves(args):
            if (
                isinstance(v, str)
                and entry.is_sensitive(top)
                and (V.email_parts(v) or V.looks_like_account(v) or V.parse_url(v))
            ):
                out.add(forms(v)[-1])
        return out

    def facts(self, name: str, arguments: Any) -> dict[str, Any]:
        """The totals including the call being decided."""
        args = arguments if (type(arguments) is dict or isinstance(arguments, Mapping)) else {}
        if not self.amounts and not self.recipients:  # only counted so far (most sessions)
            a = _amount(self.catalog.get(name), args)
            new = self._recipients(name, args)
            return {
                "calls": dict(self.calls),
                "amounts": {} if a is None else {name: float(Decimal(0) + a)},
                "recipients": {name: len(new)} if new else {},
                "distinct_recipients": len(new),
            }
        amounts = dict(self.amounts)
        a = _amount(self.catalog.get(name), args)
        if a is not None:
            amounts[name] = amounts.get(name, Decimal(0)) + a
        rec = {k: set(v) for k, v in self.recipients.items()}
        new = self._recipients(name, args)
        if new:
            rec.setdefault(name, set()).update(new)
        everyone = set().union(*rec.values()) if rec else set()
        return {
            "calls": dict(self.calls),
            "amounts": {k: float(v) for k, v in amounts.items()},
            "recipients": {k: len(v) for k, v in rec.items()},
            "distinct_recipients": len(everyone),
        }


def _amount(entry: ToolEntry, args: Mapping[str, Any]) -> Decimal | None:
    field = entry.amount_argument
    if field is None:
        return None
    for k, v in args.items():
        if str(k).lower() == field:
            return V.number(v)
    return None
