"""Instruction-in-data detector: does a tool result or document tell the assistant what to do?

An injected instruction is a small part of a long document, so a whole-document bag of
n-grams dilutes it. This stage cuts the text into segments (lines, sentences, JSON/dict/CSV
values, table cells, HTML comments and tags, chat-log turns), scores each with a logistic
model and takes the maximum. The model sees only *structure* cues, no vocabulary (word
n-grams memorised the training sources' phrasing and did not transfer to held-out document
sources), so it carries over to unseen phrasings:

* is it an imperative or a request ("send…", "please forward…", "can you…", "you must…"),
  after any speaker or field label ("sam:", "Notes:")?
* is it addressed to the assistant ("AI", "assistant", "model", "your reply")?
* does it name an action target (an e-mail address, URL, amount, account, tool name) or
  something worth stealing (the conversation, system prompt, credentials, private records)?
* does it try to override ("ignore", "instead", "new instructions", "IMPORTANT"), change
  the reply ("before answering", "respond only with", "end your reply with"), talk about
  the user in the third person ("tell the user"), send something somewhere ("forward … to")
  or keep it quiet ("do not tell", "silently")?
* does it break the document's register (an imperative in a document of statements)?
* (round 5) does it act on the writer's own accounts or data ("my savings account"), set a
  task only a language model gets (a poem, a joke, fun facts), change the reply's form
  (a language, an encoding) or steer what the reader is told (recommend, "say that")? Is
  it in a field value, a table cell, a comment or markup rather than running text?

and their pairwise combinations. Weak cues (possession, "instead", a warning label, "the
user", "your reply", a model named) count only beside an imperative, a request, a modal,
a vocative or a leading clause: alone they are document text, and a bare request carries
one of those anyway. Human-directed imperatives inside documents (CLI pages,
READMEs, procedures) are the negatives it learned from, so "Delete old branches after
merging" in a README stays benign while "Please email my file to x@y" in a review does not.

Cost: the segmentation and the cues read anywhere in a segment are RE2 passes over the whole
text (linear time; one pass per cue, skipped when none of its literals occurs), each match
assigned to its segment; the cues read at a segment's start are stdlib `.match` calls on
one segment of at most MAX_SEGMENT_BYTES bytes (anchored and with bounded repeats, so
at most a few hundred steps each whatever the text). A segment's score depends only on its
cue tokens, a small closed set, so tokens, slots and scores are cached.

Numpy only at run time; the artefact is an `.npz` of plain arrays. `train.py` fits it.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from keepgate.input_guards import directive
from keepgate.input_guards import instructions_intl as intl
from keepgate.input_guards import linear, mention

FORMAT = 1
MAX_SEGMENT_BYTES = 400

# -- segmentation --------------------------------------------------------------------------

#: Boundaries: line breaks, JSON / Python-dict / CSV value edges, sentence ends (the mark
#: stays with its sentence), tags and HTML comment marks, table cells, chat-log timestamps,
#: and a capitalised word right after code or a closing bracket ("…`cmd` Please send…").
#: An instruction hidden in a comment, a JSON value or a table cell thus becomes a segment
#: of its own that starts with its first word, where the imperative and vocative cues look.
_SPLIT = linear.compile(
    r"\n+|[\"']\s*[,:]\s*[\"']|[\"']\s*[}\]]+|[{\[]\s*[\"']|,\"|\",|[.!?]\s+"
    r"|<!--|-->|<[^<>]{0,80}>|\||\[\d{1,2}:\d{2}(?::\d{2})?\]|[`)}\]][ \t]+[A-Z]"
    # full-width sentence ends (Chinese, Japanese), with or without a space after them
    r"|[。！？]\s*"
)
_SPLIT_MATCH = linear.match_function(_SPLIT)
_UNANCHORED = linear.UNANCHORED
_STRIP = b" \t\"'{}[],:;-*#>`/\\()!^"
_MARKS = frozenset(b".!?")
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)?")
#: The first four `_WORD`s of a text in one match (groups 1-4, None past the last word):
#: `finditer` skips what no word starts with (`\W` and "_"), then takes the longest word
#: it can; each optional group does the same after the previous word, and never has to
#: give a character back (a word that ends in "'" or "-" without a letter after it keeps
#: them out, as `finditer` does). A Python-level `finditer` loop cost ~1.6 µs per segment.
_W = r"([^\W_]+(?:['-][^\W_]+)?)"
_FIRST_WORDS = re.compile(rf"[\W_]*{_W}(?:[\W_]*{_W}(?:[\W_]*{_W}(?:[\W_]*{_W})?)?)?")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def byte_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte offsets of the non-trivial pieces of UTF-8 `data` in document
    order, each at most MAX_SEGMENT_BYTES. Every piece is read, however long the text:
    padding a document does not push an instruction out of reach (the cost stays linear).

    The boundaries are the matches of `_SPLIT` (as `linear.byte_spans` finds them), then
    the end of the text; RE2's matcher is called in this loop rather than through that
    generator (a few dozen boundaries per KB: its frames were a good part of the cost)."""
    out: list[tuple[int, int]] = []
    n = len(data)
    match = _SPLIT_MATCH
    strip, marks, cap = _STRIP, _MARKS, MAX_SEGMENT_BYTES
    start = pos = 0
    more = True
    while more:
        m_start, m_end = match(_UNANCHORED, data, pos, n)[0] if pos <= n else (-1, -1)
        if m_start < 0:
            m_start = m_end = n
            more = False
        else:
            pos = m_end if m_end > m_start else m_end + 1
        end = m_start + (m_start < n and data[m_start] in marks)  # the sentence keeps its mark
        if end - start >= 12:  # shorter pieces stay short when stripped: not read
            piece = data[start:end].lstrip(strip)
            a = end - len(piece)
            b = a + len(piece.rstrip(strip))
            if b - a >= 12:
                if b - a <= cap:
                    out.append((a, b))
                else:
                    out.extend((i, min(i + cap, b)) for i in range(a, b, cap))
        # "…`code` Please do X": the capital the boundary ends with starts the next piece
        start = m_end - 1 if m_end > m_start and 65 <= data[m_end - 1] <= 90 else m_end
    return out


def segments(text: str) -> list[str]:
    """Non-trivial pieces of `text` (each at most MAX_SEGMENT_BYTES of UTF-8)."""
    data = _encode(text)
    return [_decode(data[a:b]) for a, b in byte_spans(data)]


# -- structure cues ------------------------------------------------------------------------

_VERBS = (
    frozenset(
        """
send forward email e-mail mail text message transfer pay deposit withdraw wire move delete remove erase
wipe share grant give post publish upload download visit open click navigate go call run execute
install book buy order purchase sell reveal print show tell say write reply respond answer include
add append insert change update modify set reset disable enable turn unlock lock schedule cancel
invite follow retrieve get fetch find search look check list read summarize summarise translate
ignore disregard forget stop start create make generate output repeat recommend rate review submit
mark close approve accept reject confirm verify provide use access export copy save encode rename
display describe explain tell transmit leak disclose expose redirect subscribe unsubscribe like
retweet reschedule assign revoke invite kindly also now instead first then immediately
ask mention state claim warn inform notify compose draft recite reverse skip omit leave put place
attach promote advertise praise collect gather pull dump encrypt rewrite convert contact wire
refund charge ship deliver allow authorize authorise keep sign
""".split()
    )
    | intl.IMPERATIVES
)
_SOFT = (
    frozenset({"please", "kindly", "also", "now", "then", "first", "immediately", "just"})
    | intl.PLEASE
)
_REQUEST = re.compile(
    r"(?:can|could|would|will)\s+you\b|i\s+(?:need|want|would\s+like)\s+you\s+to\b", re.I
)
#: A leading address to the reader ("Bot:", "Dear AI,", "Note to the assistant:") or a
#: leading clause ("When answering,", "If you are an AI model processing this text,").
_VOCATIVE = re.compile(
    r"(?:(?:hey|hi|dear|note\s+(?:to|for)|to|attention|reminder\s+for|for\s+any|any|instruction\s+to|system\s+note\s+to)\s+)?(?:the\s+|all\s+|an?\s+)?(?:ai|a\.i\.|assistant|model|bot|llm|chatbot|language\s+model|chatgpt|gpt|claude|copilot|summari[sz]er|ai\s+\w+)s?\b[^:,]{0,40}[:,]\s*",
    re.I,
)
_CLAUSE = re.compile(
    r"(?:when|if|before|after|while|once|whenever|as\s+soon\s+as)\b[^,:]{0,80}[,:]\s*", re.I
)
#: The same in other languages (`instructions_intl`): tried only where the segment's first
#: word could start one (`intl.LEAD_WORDS`) or it is not ASCII, so English segments pay
#: one set lookup, not two more regexes.
_VOCATIVE_INTL = re.compile(intl.VOCATIVE, re.I)
_CLAUSE_INTL = re.compile(intl.CLAUSE, re.I)
_VOCATIVE_TAIL = re.compile(intl.VOCATIVE_TAIL, re.I)
_COLON = re.compile(r"[:：]")


def _foreign_lead(body: str) -> bool:
    """Whether `body` may open with another language's address or clause."""
    if not body[:1].isascii():
        return True
    first = body[:24].split(None, 1)
    return bool(first) and first[0].lower().strip(",:!") in intl.LEAD_WORDS


def _vocative(body: str, foreign: bool) -> int:
    """The end of a leading address in `body` (`_VOCATIVE`; in a `foreign` text also
    `_VOCATIVE_INTL` where the segment may open with one, or an AI noun before the first
    colon within 60 characters, its modifier first), or -1."""
    m = _VOCATIVE.match(body)
    if m:
        return m.end()
    if not foreign:
        return -1
    if _foreign_lead(body):
        m = _VOCATIVE_INTL.match(body)
        if m:
            return m.end()
    if not body.isascii():
        c = _COLON.search(body, 0, 60)
        if c and _VOCATIVE_TAIL.search(body, 0, c.start()):
            return c.end()
    return -1


#: A request in Japanese, Chinese or Korean, whose imperative ends the sentence.
_CJK_REQUEST = re.compile(intl.CJK_REQUEST)
#: A speaker or field label ("sam:", "Notes:", "[ASSISTANT]") before the text proper.
_LABEL = re.compile(r"[\w .'^\]-]{1,24}:\s+")  # also a footnote's "[^1]: "
_MODAL_LEAD = re.compile(r"(?:make\s+sure|be\s+sure|do\s+not|don't|never|always)\b", re.I)

#: Cue patterns read anywhere in a segment, matched all at once: one RE2 set (linear time,
#: one automaton for every pattern) per segment says which of them occur in it.
#: MODAL: "you must/should…"; ADDR: addressed to an AI; RESP: "your reply"; OVR: override;
#: SECRET_ACT: "do not tell"; REPLY: the reply as object ("before answering", "respond only
#: with"); USER3: the user in the third person; EXFIL: send something to somewhere;
#: PRIVATE: what is worth stealing; FAKE_END: "Answer: task complete."; T_*: action targets.
_ANYWHERE: tuple[tuple[str, str], ...] = (
    (
        "MODAL",
        r"\b(?:you|assistant|model|ai|it|bot)\b[^.!?]{0,24}?\b(?:must|should|need\s+to|have\s+to|are\s+(?:required|instructed)\s+to|will\s+now)\b",
    ),
    (
        "ADDR",
        r"\b(?:assistants?|ai\s+(?:models?|agents?|helpers?|assistants?|systems?)|chat\s?gpt|gpt-?\d|claude|gemini|copilot|llms?|language\s+models?|chatbots?|summari[sz]er)\b",
    ),
    (
        "RESP",
        r"\byour\s+(?:(?:next|final|whole|entire|full)\s+)?(?:answers?|repl(?:y|ies)|responses?|output|summary|message|task|instructions|rules|system\s+prompt|initial\s+prompt)\b",
    ),
    #: An override of what the reader was told. "system" and "user" count as its object
    #: only as a head noun ("ignore the system", "the user's request", "user input"), not
    #: as a modifier of something in the document's own world ("override user permissions",
    #: "ignore the system defaults below"), which is what a config comment or a user story
    #: says (round 9: such lines were blocked on this cue alone).
    (
        "OVR",
        r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?]{0,30}?(?:\b(?:instructions?|prompts?|rules|guidelines|directions|tasks?|context|question|request|everything|above)\b|\b(?:system|user)(?:'s\b|\s*(?:[^\w\s']|$)|\s+(?:prompts?|messages?|instructions?|requests?|questions?|input|rules|guidelines|context|and|or|entirely|completely|altogether)\b))|\bnew\s+(?:task|instructions?|rules?|objective)\b",
    ),
    #: "instead" alone: a weak override, common in documentation ("use X instead").
    ("INSTEAD", r"\binstead\b"),
    ("ALARM", r"\b(?:important|attention|urgent|priority|warning)\b\s*(?::|!+)"),
    (
        "SECRET_ACT",
        r"\b(?:do\s+not|don't|never|without)\s+(?:tell|mention|inform|telling|let|reveal|disclose|say)\b|\bsilently\b|\bsecretly\b|\bquietly\b",
    ),
    (
        "REPLY",
        r"\b(?:before|when|while|after)\s+(?:you\s+)?(?:answer|respond|repl(?:y|ies|ying)\b|summari[sz]|continu|proceed|process)\w*|\b(?:respond|reply|answer)\s+(?:only\b|with\b|using\b|that\b|in\s+(?:\w+\s+)?(?:language|words|emoji|capitals|code|form|style|english|french|german|spanish)\b)|\b(?:in|to|into|of)\s+(?:your|each|every)\s+(?:answers?|repl(?:y|ies)|responses?|output|summary)\b|\b(?:each|every)\s+(?:answer|reply|response|question|message)\b|\b(?:respond|reply|answer)\s+to\s+(?:every|each|all|any)\b|\b(?:start|begin|end|finish|prefix|conclude)\s+(?:your|the|each|every)\s+(?:answer|reply|response|output|message|summary)|\bfrom\s+now\s+on\b",
    ),
    ("USER3", r"\b(?:the|this)\s+(?:user|human|requester)\b|\buser's\b"),
    (
        "EXFIL",
        r"\b(?:send|forward|e-?mail|upload|post|share|transfer|wire|copy|leak|exfiltrate|submit|cc|bcc|sync|export|paste|append|attach)\w*\b[^.!?\n]{0,80}?\b(?:to|at|via|into)\b",
    ),
    (
        "PRIVATE",
        r"\b(?:conversation|chat\s+history|system\s+(?:prompt|message)|hidden\s+(?:prompt|instructions?|rules)|(?:previous|earlier|prior)\s+(?:messages?|instructions?)|attachments?|contacts?|payment|bank|medical|health|genetic|financial|private|confidential|inbox|personal\s+(?:data|details|information|info|files?|records?)|saved\s+(?:passwords?|addresses|cards?|payment|logins?|credentials)|(?:chat|browsing|search|order|purchase|transaction|call|payment)\s+history)\b",
    ),
    (
        "FAKE_END",
        r"\b(?:answer|response|output|result|reply|status)\s*:\s*(?:the\s+)?(?:task\s+)?(?:is\s+)?(?:complete|completed|done|finished)\b|\bend\s+of\s+(?:the\s+)?(?:document|data|text|file|context|input|email|message)\b|\btask\s+(?:is\s+)?(?:complete|completed|done|finished)\b",
    ),
    ("MY", r"\b(?:my|me|i'm|mine)\b"),
    #: The writer's own account, data or device as the object ("my savings account",
    #: "my medical records", "my front door"): what an agent acting for its user can touch.
    (
        "OWNED",
        r"\bmy\s+(?:[\w-]+\s+){0,2}?(?:accounts?|bank|cards?|passwords?|e-?mails?|inbox|files?|folders?|documents?|contacts?|calendar|events?|appointments?|location|address|orders?|phone|records?|data|history|photos?|messages?|notes?|drive|dropbox|repositor(?:y|ies)|savings|wallet|portfolio|holdings|devices?|door|house|home|car|thermostat|cameras?|alarm|robot|statements?|results?|details|information|keys?)\b",
    ),
    #: A task for a language model, not for a person: write a poem / story / joke / script,
    #: list fun facts, make up a slogan.
    (
        "LLM_TASK",
        r"\b(?:write|compose|draft|generate|create|produce|tell|give|recite|make\s+up|come\s+up\s+with|list)\b[^.!?\n]{0,30}?\b(?:poems?|poetry|limericks?|haikus?|sonnets?|songs?|lyrics|rap|story|stories|essays?|jokes?|riddles?|tweets?|slogans?|fun\s+facts|facts\s+about|fake\s+\w+|script\s+that|program\s+that)\b",
    ),
    #: The form of the reply changed: a language, an encoding, a register.
    (
        "FORM",
        r"\b(?:in|into|using|with)\s+(?:only\s+)?(?:emojis?|base64|rot13|morse(?:\s+code)?|hex(?:adecimal)?|binary|leetspeak|pig\s+latin|all\s+caps|capital\s+letters|upper\s?case|pirate|shakespearean|caesar|reverse(?:d)?\s+order)\b|\b(?:in|into)\s+(?:english|french|german|spanish|italian|portuguese|dutch|japanese|chinese|korean|russian|arabic|latin|klingon|swahili|hindi|polish|turkish|greek)\b|\b(?:encode|encrypt|reverse)\s+(?:the|each|every|your|it|all)\b",
    ),
    #: Steering what the reader is told: promote, recommend, rate, claim, warn.
    (
        "STEER",
        r"\b(?:recommend|promote|advertise|endorse|praise|praising|glowing|sponsored|one-star|five-star|1-star|5-star|discredit)\b|\b(?:tell|inform|warn|convince|assure|notify)\s+(?:the\s+)?(?:users?|readers?|customers?|them|everyone|people)\s+(?:that|to|about)\b|\b(?:say|state|claim|pretend|insist|mention)\s+that\b",
    ),
    ("T_EMAIL", r"[\w.+-]+@[\w-]+\.[\w.]+"),
    ("T_URL", r"https?://|www\.|(?:^|[^@\w.-])[\w-]+\.(?:com|net|org|io|example|xyz|ru|cn)\b"),
    ("T_MONEY", r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:usd|eur|dollars|euros|btc|bitcoin)\b"),
    (
        "T_NUM",
        r"\b\d{3,6}(?:[ -]\d{3,6}){2,}\b|\b\d{9,19}\b|\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}\b",
    ),
    ("T_SECRET", r"\b(?:password|api\s?key|token|credentials?|secret|card\s+number|ssn|address)\b"),
)
#: Case-sensitive: CamelCase tool names (`GmailSendEmail`) and the word "tool".
_TOOL = r"\b[A-Z][a-z]+(?:[A-Z][a-z]+){2,}\b|\b(?:tool|function\s+call)\b"
#: Case-sensitive too: "AI", "model", "bot" alone are weak addresses ("ai" is a word in
#: Romanian and Italian, "model" in every ML README), kept apart from ADDR.
_ADDR_WEAK = r"\b(?:AI|A\.I\.|[Mm]odels?|[Bb]ots?)\b"
_SET_NAMES = tuple(n for n, _ in _ANYWHERE) + ("T_TOOL", "ADDR_WEAK")
_SET = linear.compile_set([f"(?i:{rx})" for _, rx in _ANYWHERE] + [_TOOL, _ADDR_WEAK])
#: RE2's set matcher itself (a list of indices, empty for none), without the wrapper's frame.
_SET_MATCH = linear.set_match_function(_SET)
#: The same cues in other languages too (`instructions_intl`), on the same tokens: a second
#: set, read only in a text that is not plain English (`_FOREIGN`), since its automaton is
#: ~3x the English one's to build on new text and most documents are English.
_ANYWHERE_INTL = tuple(
    (n, f"(?:{rx})|(?:{intl.ANYWHERE[n]})" if n in intl.ANYWHERE else rx) for n, rx in _ANYWHERE
)
_SET_INTL = linear.compile_set([f"(?i:{rx})" for _, rx in _ANYWHERE_INTL] + [_TOOL, _ADDR_WEAK])
_SET_INTL_MATCH = linear.set_match_function(_SET_INTL)
#: A text that may be in another language: a letter outside ASCII (not a curly quote or a
#: dash, common in English), or a function word of the
#: alphabetic languages `instructions_intl` reads (they are often written in plain ASCII).
_FOREIGN = linear.match_function(
    linear.compile(
        r"[\x{C0}-\x{24F}\x{370}-\x{1FFF}\x{3040}-\x{9FFF}\x{AC00}-\x{D7AF}]|(?i:\b(?:el|los|las|del|que|por|para|und|der|das|nicht|ist|les|pour|"
        r"che|della|sono|yang|untuk|het|een|niet|bir|voor|naar|uma)\b)"
    )
)
_MAIN = ("IMP", "REQ", "MODAL")
#: The token of a segment with no cue (training leaves such segments out of the positives).
NONE = "NONE"
#: Cues that pair with the main ones (IMP, REQ, MODAL) and with each other.
_PAIRED = frozenset(n for n, _ in _ANYWHERE if n not in ("MODAL", "MY")) | {
    "VOC",
    "SHOUT",
    "T_TOOL",
    "ADDR_WEAK",
    "SEND_TARGET",
    "MY_DATA",
    "AFTER_OVR",
}
#: Derived cues (a pair model cannot express "all three"): sending to a concrete target,
#: the writer's own private data, and a segment right after an override or a fake end.
_TARGETS = frozenset({"T_EMAIL", "T_URL", "T_NUM"})
_DATA = frozenset({"PRIVATE", "T_SECRET", "T_MONEY"})
_BREAKS = frozenset({"OVR", "ALARM", "FAKE_END"})  # not INSTEAD: "use X instead." is docs


#: Cues that a quoted mention can carry ("an attacker types 'ignore previous instructions'"):
#: in a segment with an override, each is dropped when every match of its lies in one
#: (`mention`). Only an override opens the check: the others are common in documents.
_MENTIONABLE = ("OVR", "PRIVATE", "RESP", "REPLY", "SECRET_ACT")
_CUE_RX = {n: linear.compile(f"(?i:{rx})") for n, rx in _ANYWHERE_INTL if n in _MENTIONABLE}


def _drop_mentioned(data: bytes, bounds: list[tuple[int, int]], found: list[set[str]]) -> None:
    """Remove from each segment's cues the `_MENTIONABLE` ones that occur only inside a
    quoted mention of the text (read only where a segment has one of them)."""
    if not mention.has_marks(data):  # most documents: no quotation, nothing to read
        return
    mentions: list[tuple[int, int]] | None = None
    for (a, b), f in zip(bounds, found):
        if "OVR" not in f or not mention.has_marks(data[a - (a > 0) : b]):
            continue  # no override (the others are common), or no quotation can open here
        hit = [n for n in _MENTIONABLE if n in f]
        if mentions is None:
            mentions = mention.spans(data)
        if not mentions:
            return
        if not any(x < b and a < y for x, y in mentions):
            continue
        seg = data[a:b]
        for n in hit:
            spans = [(a + x, a + y) for x, y in linear.byte_spans(_CUE_RX[n], seg)]
            if mention.all_mentioned(spans, mentions):
                f.discard(n)


def _is_foreign(data: bytes) -> bool:
    """Whether UTF-8 `data` may be in another language (`_FOREIGN`: one RE2 pass)."""
    return _FOREIGN(_UNANCHORED, data, 0, len(data))[0][0] >= 0


def _anywhere(
    data: bytes, bounds: list[tuple[int, int]], foreign: bool, mentions: bool = True
) -> list[set[str]]:
    """The `_ANYWHERE` cues of each segment (one RE2 set match per segment; the set with
    the other-language forms where the text is `foreign`), less those only in a quoted
    mention (unless not `mentions`), and the derived ones."""
    names = _SET_NAMES
    match = _SET_INTL_MATCH if foreign else _SET_MATCH
    found = [{names[k] for k in match(data[a:b])} for a, b in bounds]
    if mentions:
        _drop_mentioned(data, bounds, found)
    after = False  # the previous segment overrode or faked an end
    for f in found:
        if f:  # most segments have no cue: nothing to derive
            if "EXFIL" in f and not f.isdisjoint(_TARGETS):
                f.add("SEND_TARGET")
            if "MY" in f and not f.isdisjoint(_DATA):
                f.add("MY_DATA")
        if after:
            f.add("AFTER_OVR")
        after = not f.isdisjoint(_BREAKS)
    return found


def _lead_cues(seg: str, foreign: bool = True) -> list[str]:
    """Cues read at the start of a segment: a vocative, a leading clause, an imperative or
    a request (after a speaker/field label, if any); their other-language forms only in a
    `foreign` text (`_is_foreign`), where the segment may open with one (`_foreign_lead`)."""
    cues = []
    body = seg
    end = _vocative(body, foreign)
    if end < 0:
        lab = _LABEL.match(body)
        if lab and len(body) - lab.end() >= 12:
            body = body[lab.end() :]
            end = _vocative(body, foreign)
    if end >= 0:
        cues.append("VOC")
        body = body[end:]
    m = _CLAUSE.match(body) or (
        _CLAUSE_INTL.match(body) if foreign and _foreign_lead(body) else None
    )
    if m:
        cues.append("CLAUSE")
        body = body[m.end() :]
    m = _FIRST_WORDS.match(body)
    if m:
        lw = [w.lower() for w in m.groups() if w is not None]
        k = 0
        while k < len(lw) - 1 and (lw[k] in _SOFT or lw[k].isdigit()):
            k += 1
        if lw[k] in _VERBS or lw[0] in ("please", "kindly"):
            cues.append("IMP")
    if "IMP" not in cues and foreign and not seg.isascii() and _CJK_REQUEST.search(body):
        cues.append("IMP")
    if _REQUEST.match(body):
        cues.append("REQ")
    if _MODAL_LEAD.match(seg):
        cues.append("MODAL")
    return cues


_ASCII_UPPER = bytes(range(65, 91))


def _shout(seg: str) -> bool:
    """Starts with a capital, is not all capitals, and has more than 12 capitals among its
    first 30 characters. The count is taken first (it rejects most segments without reading
    the whole one), on bytes when the head is ASCII (where `str.isupper` is A–Z)."""
    head = seg[:30]
    if head.isascii():
        raw = head.encode("ascii")
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    else:
        upper = sum(map(str.isupper, head))
    return upper > 12 and seg[:1].isupper() and not seg.isupper()


#: Cues that count only beside an imperative, a request, a modal or a vocative: alone they
#: are everyday document text ("My first repository", "use X instead", "in reverse
#: order", "we recommend"), and a segment with nothing else is cue-less.
_GATED = frozenset(
    {
        "MY",
        "OWNED",
        "LLM_TASK",
        "FORM",
        "STEER",
        "AFTER_OVR",
        "INSTEAD",
        "USER3",
        "ALARM",
        "RESP",
        "ADDR",
        "ADDR_WEAK",
        "REPLY",
    }
)


@functools.lru_cache(maxsize=16384)
def _expand(lead: tuple[str, ...], found: tuple[str, ...]) -> tuple[str, ...]:
    """A segment's cue tokens with their pairs: main × paired cues, paired × paired; the
    `_GATED` cues only beside a main cue, a vocative or a leading clause (cached: a small
    closed set)."""
    cues = list(dict.fromkeys(lead + tuple(c for c in found if c not in _GATED)))
    mains = [c for c in cues if c in _MAIN]
    if mains or "VOC" in cues or "CLAUSE" in cues:
        cues += [c for c in found if c in _GATED and c != "MY"]
    pair = [c for c in cues if c in _PAIRED] + (["MY"] if mains and "MY" in found else [])
    out = cues + [f"{m}&{o}" for m in mains for o in pair]
    out += [f"{a}&{b}" for i, a in enumerate(pair) for b in pair[i + 1 :]]
    return tuple(out)


def none_slots(bits: int) -> tuple[int, ...]:
    """The slots of a segment with no cue."""
    return (_hash(NONE, bits),)


@functools.lru_cache(maxsize=65536)
def _hash(token: str, bits: int) -> int:
    # Tokens are cue names and their pairs: a small closed set, so the cache hits.
    return zlib.crc32(token.encode("utf-8", "surrogatepass")) >> (32 - bits)


_COMMENT_MARKS = frozenset({b"#", b"##", b"//", b"///", b"--", b"/*", b"/**", b"*", b"<!--", b";"})
_VALUE_LEAD = frozenset(b":,=[{(")


def slot_kind(data: bytes, a: int) -> str:
    """Where the segment starting at byte `a` sits, read from the few bytes before it: a
    JSON / dict / CSV value, a table cell, markup (after a tag or an HTML comment), a code
    comment, or running text. An imperative in a field or a comment is not where a
    document's own instructions for its reader usually go."""
    w = data[max(0, a - 8) : a].rstrip(b" \t")
    if w.endswith(b">") or b"<!--" in w:
        return "SLOT_MARKUP"
    if b"|" in w:
        return "SLOT_CELL"
    if w[-1:] in (b'"', b"'"):
        before = w[:-1].rstrip(b" \t")
        if before[-1:] and before[-1] in _VALUE_LEAD:
            return "SLOT_VALUE"
    line = data[max(0, a - 12) : a]
    line = line[line.rfind(b"\n") + 1 :].strip(b" \t")
    if line in _COMMENT_MARKS:
        return "SLOT_COMMENT"
    return "SLOT_TEXT"


@functools.lru_cache(maxsize=16384)
def _slots(
    cues: tuple[str, ...], doc: str, pos: str, bits: int, slot: str = "SLOT_TEXT"
) -> tuple[int, ...]:
    """Sorted distinct hashed slots of one segment's tokens (cached like `_expand`). The
    document's register and the segment's position enter only beside a cue: alone they
    let the model score a cue-less line by where it sits (the training attacks are mostly
    appended at the end), which did not carry over to held-out documents; a cue-less
    segment has one token of its own (NONE). Where the segment sits (`slot_kind`: a
    field value, a table cell, a comment, markup) enters beside a main cue or a vocative."""
    if not cues:
        return none_slots(bits)
    toks = list(cues) + [f"{c}&{doc}" for c in cues if c in _MAIN or c in ("ADDR", "OVR", "VOC")]
    toks += [f"{c}&{pos}" for c in cues if c in _MAIN]
    if slot != "SLOT_TEXT":
        toks += [f"{c}&{slot}" for c in cues if c in _MAIN or c == "VOC"]
    return tuple(sorted({_hash(t, bits) for t in toks}))


def document_slots(text: str, bits: int) -> tuple[list[str], list[tuple[int, ...]]]:
    """The segments of one document and the distinct hashed feature slots of each."""
    _, _, segs, _, out, _ = _parse(text, bits)
    return segs, out


#: What `_parse` returns: the text's bytes, segment byte spans, segments, cue tokens,
#: hashed slots, and whether it may be in another language.
Parsed = tuple[
    bytes, list[tuple[int, int]], list[str], list[tuple[str, ...]], list[tuple[int, ...]], bool
]


def _parse(text: str, bits: int, mentions: bool = True) -> Parsed:
    """One document read once: what `document_slots` and the directive floor need; with
    `mentions` off, a cue inside a quoted mention counts like any other (`_anywhere`)."""
    data = _encode(text)
    bounds = byte_spans(data)
    segs = [_decode(data[a:b]) for a, b in bounds]
    foreign = _is_foreign(data)
    found = _anywhere(data, bounds, foreign, mentions)
    parsed = []
    for seg, f in zip(segs, found):
        if _shout(seg):
            f.add("SHOUT")
        parsed.append(_expand(tuple(_lead_cues(seg, foreign)), tuple(sorted(f))))
    n = len(parsed)
    imp_rate = (sum(1 for c in parsed if "IMP" in c or "REQ" in c) / n) if n else 0.0
    doc = "DOC_IMP_LOW" if imp_rate < 0.2 else ("DOC_IMP_MID" if imp_rate < 0.5 else "DOC_IMP_HIGH")
    out = []
    for i, cues in enumerate(parsed):
        pos = (
            "POS_ONLY"
            if n == 1
            else ("POS_FIRST" if i == 0 else ("POS_LAST" if i == n - 1 else "POS_MID"))
        )
        out.append(
            _slots(cues, doc, pos, bits, slot_kind(data, bounds[i][0]) if cues else "SLOT_TEXT")
        )
    return data, bounds, segs, parsed, out, foreign


def segment_cues(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each segment with its cue tokens (to read what the stage saw; tests and debugging)."""
    segs, _ = document_slots(text, 16)
    data = _encode(text)
    foreign = _is_foreign(data)
    found = _anywhere(data, byte_spans(data), foreign)
    return [
        (seg, _expand(tuple(_lead_cues(seg, foreign)), tuple(sorted(f))))
        for seg, f in zip(segs, found)
    ]


def segment_features(slots: list[tuple[int, ...]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sparse rows (indices, values) for each segment of one document (training)."""
    return [
        (
            np.asarray(idx, dtype=np.int64),
            np.full(len(idx), 1.0 / math.sqrt(len(idx)), dtype=np.float32),
        )
        for idx in slots
    ]


# -- the model -----------------------------------------------------------------------------


class InstructionDetectorError(RuntimeError):
    """The artefact is missing or malformed."""


class InstructionDetector:
    """Max over segments of a logistic segment model; score in [0, 1]."""

    def __init__(self, weights: np.ndarray, bias: float, bits: int) -> None:
        if weights.shape != (1 << bits,):
            raise InstructionDetectorError(
                f"weights have shape {weights.shape}, expected ({1 << bits},)"
            )
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.bits = bits
        directive.warm()  # once per process: the floor's automata, before the first request
        #: Python floats: a segment has a dozen slots, cheaper summed in Python than in numpy.
        self._w = self.weights.tolist()
        #: Segment score per distinct slot set: segments share a few hundred cue patterns.
        self._seg_score: dict[tuple[int, ...], float] = {}

    @classmethod
    def load(cls, path: Path) -> "InstructionDetector":
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"]) != FORMAT or str(z["kind"]) != "instructions":
                    raise InstructionDetectorError(f"{path}: not an instruction-detector artefact")
                return cls(z["weights"], float(z["bias"]), int(z["bits"]))
        except (OSError, KeyError, ValueError) as exc:
            raise InstructionDetectorError(
                f"cannot load instruction detector {path}: {exc}"
            ) from None

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, Any] = {
            "format": np.int32(FORMAT),
            "kind": np.str_("instructions"),
            "weights": self.weights.astype(np.float16),
            "bias": np.float32(self.bias),
            "bits": np.int32(self.bits),
            **{k: np.str_(v) for k, v in meta.items()},
        }
        np.savez_compressed(path, **arrays)

    def segment_scores(
        self, text: str, directives: bool = False, mentions: bool = True
    ) -> list[tuple[float, str]]:
        """Each segment's score; with `directives`, a segment that carries a directive
        addressed to the AI reader (`directive`) scores at least `directive.FLOOR`; with
        `mentions` off, cues inside quoted mentions count (`score_said`)."""
        out = []
        memo = self._seg_score
        data, bounds, segs, cues, slots, foreign = _parse(text, self.bits, mentions)
        for seg, idx in zip(segs, slots):
            p = memo.get(idx)
            if p is None:
                p = self._logistic(idx)
                if len(memo) < 65536:  # bounded, though the cue patterns are a closed set
                    memo[idx] = p
            out.append((p, seg))
        flags = (
            directive.directive_flags(data, bounds, segs, cues, foreign, _lead_cues, segment_cues)
            if directives and out
            else None
        )
        if flags:
            out = [
                (max(p, directive.FLOOR), seg) if hit else (p, seg)
                for (p, seg), hit in zip(out, flags)
            ]
        return out

    def _logistic(self, idx: tuple[int, ...]) -> float:
        z = sum(self._w[i] for i in idx) / math.sqrt(len(idx)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def score(self, text: str, mentions: bool = True) -> float:
        scores = self.segment_scores(text, directives=True, mentions=mentions)
        return max((s for s, _ in scores), default=0.0)

    def score_said(self, text: str, embedded: bool, min_segments: int = 3) -> float:
        """The score with every quoted mention read as said: what `score` (or, when
        `embedded`, `score_embedded`) gives once another stage has found something in the
        text, so a quotation no longer excuses the cues inside it (the scanner's call)."""
        if embedded:
            return self.score_embedded(text, min_segments, mentions=False)
        return self.score(text, mentions=False)

    def score_embedded(self, text: str, min_segments: int = 3, mentions: bool = True) -> float:
        """For a message that is a request by design (a user turn): the highest segment
        score of the document pasted into it. A text of fewer than `min_segments` segments
        is a request, not a document (0.0); the first segment — the writer's own "summarise
        this:" — is left out. The register cues still see the whole text, so a persona
        prompt (imperative throughout) reads differently from an e-mail with one."""
        scores = self.segment_scores(text, mentions=mentions)
        if len(scores) < min_segments:
            return 0.0
        return max(s for s, _ in scores[1:])
