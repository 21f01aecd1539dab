"""Casing and context checks on the tagger's spans: words that are not names at all.

The tagger learned from English tweets, web text and news. On short questions and on
other languages it reads casing it has never seen: a whole Spanish question becomes one
place (`¿<LOCATION>?` for "¿Cuál es la contraseña …"), a greeting at the start of a
message (`Hallo`, `Merhaba`) or a product in a short question (`in <LOCATION>?` for
"Windows") a name. Two checks that hold in any language written with capitals:

* **a name's words are capitalised, unless the writer capitalises nothing.** In a span
  that mixes capitalised and lower-case words, the lower-case words that are not name
  particles (`de`, `van`, `von der`, `bin`, `of`) are not part of a name: the span is cut
  there and only its capitalised runs are kept (`Cuál es la contraseña` → `Cuál`). A span
  written all in lower case is kept only where the text itself is written without
  capitals at sentence starts (chat: "hi, this is maría josé de la fuente"). Spans with a
  digit (addresses: `12 rue des Lilas`) are left whole;
* **in a text that is not English, a span needs a known name in it.** The tagger's
  cues are English ones; German capitalises every noun (`Wohnung`, `Möglichkeiten`), and
  a Spanish question reads to it like a place. So where most lower-case words are not
  common English words, a span is kept when one of its words is in the tagger's
  first-name, surname, place or organisation gazetteers (built from many locales), a title
  stands before it, it holds a digit (an address), it fills its line after at most a
  `Label:` (a form, an address or signature block), or it is a handle or an acronym;
* **a lone capitalised word at the start of a sentence needs evidence.** Every sentence
  capitalises its first word, so a single word there is a name only when the tagger's
  gazetteers know it as a first name, surname, place or organisation word, a title
  (`Dr.`, `Frau`, `Mme`) stands before it, or it is followed by another capitalised word
  the tagger did not take (then the whole reads as a name it cut short). `Hallo`,
  `Pourquoi`, `Necesito`, `Cannot` go; `Chiara:` (a known first name) stays.

Neither uses a list of the words it drops: the evidence is casing, position and the
tagger's own name gazetteers.
"""

from __future__ import annotations

from collections.abc import Callable

import re2
import regex as re

from keepgate.scrubbing.ner.tagger import G_COMMON, G_FIRST, G_LAST, G_ORG, G_PLACE, Entity, _id

#: Lower-case words that belong inside names and organisation names, in the languages
#: whose names use them (`María José de la Fuente`, `Ludwig van Beethoven`, `Bank of
#: America`, `Abdullah bin Zayed`).
PARTICLES = frozenset(
    "de la las los del da das do dos di du des le van von der den ter ten te zu zum zur "
    "y e i d l s bin binti bint ibn al el ben bat of the and for on upon st af av".split()
)
#: Words that stand before a person's name (any case, trailing dot optional).
TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir madam herr frau fr hr sr sra srta don doña dona mme mlle "
    "m monsieur madame signor signora sig dott dhr mevr pan pani bay bayan shri smt sri "
    "san sama kun chan ssi mister".split()
)
#: A house number, a postcode, a flat (`45`, `1100-053`, `84/92`, `2b`, `3º`): an address.
_NUMBER = re.compile(r"\d[\d\-/.]*[^\W\d_]{0,2}")
_PARTS = re.compile(r"['’\-]")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d[\w\-/]*")
#: What ends a sentence (or a line item). Not `:` or `(`: a value follows them in forms
#: and chat (`Agent (Chiara)`, `Contact: Bongani`), where a lone word is often a name.
_SENTENCE_END = '.!?¿¡\n"“”«»|>*•-–—'
_NAME_FLAGS = G_FIRST | G_LAST | G_PLACE | G_ORG

Flags = Callable[[int], int]
#: A text is English when at least this share of its lower-case words are common English
#: words. On the dev sources: 95-99 % of news, templated and tweet texts reach it; 88 % of
#: the non-English tldr pages and 64 % of the translated guides do not.
ENGLISH_SHARE = 0.3


def _capitalised(word: str) -> bool:
    """`Jürgen`, and `al-Jadaan`, `d'Aubigné`: a capital at the start of some part."""
    return any(p[:1].isupper() for p in _PARTS.split(word))


def _lower_word(word: str) -> bool:
    return word[:1].islower() and not _capitalised(word) and word.lower() not in PARTICLES


#: Spanish opens a question or an exclamation with `¿` / `¡`; no English text does.
_INVERTED = re.compile("[¿¡]")
#: Below this English share, a lower-case word with a letter outside ASCII makes a text
#: not English (see `english`).
ACCENTED_SHARE = 0.5


def _accented(word: str, flags: Flags) -> bool:
    """A word with a letter outside ASCII that the gazetteers do not know as a name
    (`contraseña`, `öffnen`; not `københavn` in a lower-case address)."""
    return not all(c.isascii() or not c.isalpha() for c in word) and not _known(word, flags)


def english(text: str, flags: Flags) -> bool:
    """Are most of the text's lower-case words common English words (the tagger's own list
    of the training text's frequent words)? A text with none is given the benefit.

    The frequent-word list comes from tweets and web text, so it holds the short function
    words other languages share with English text quoted there (`de`, `la`, `el`, `en`,
    `in`): a short Spanish question reached the 30 % share on them alone ("¿Cómo cambio la
    contraseña de mi cuenta?"). So an inverted `¿`/`¡` (no English sentence opens with
    one) makes a text not English, and so does a lower-case word with a letter outside
    ASCII (`contraseña`, `öffnen`) when fewer than half the words are common English
    words: on the English dev sources (tweets, news, Presidio's synthetic set) that moves
    13 of 4,156 texts, most of them Spanish or Portuguese tweets."""
    if _INVERTED.search(text):
        return False
    words = [w.lower() for w in _WORD.findall(text) if w[:1].islower() and len(w) > 1]
    if not words:
        return True
    share = sum(bool(flags(_id(w)) & G_COMMON) for w in words) / len(words)
    if share < ENGLISH_SHARE:
        return False
    return share >= ACCENTED_SHARE or not any(_accented(w, flags) for w in words)


def _sentence_start(text: str, start: int) -> bool:
    """Nothing but punctuation or whitespace since a sentence end (or the text start)?"""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "¿¡\"'“‘«(["):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def writes_capitals(text: str) -> bool:
    """Does the writer capitalise sentence starts? (Then a name in lower case is unusual.)"""
    starts = [m for m in _WORD.finditer(text) if m.group()[:1].isalpha()]
    firsts = [m.group() for m in starts if _sentence_start(text, m.start())]
    return bool(firsts) and all(_capitalised(w) for w in firsts)


def _pieces(text: str, e: Entity) -> list[Entity]:
    """The capitalised runs of a mixed-case span (particles inside a run stay, at its edges
    they go); the span itself when it is not mixed."""
    words = list(_WORD.finditer(text, e.start, e.end))
    if any(_NUMBER.fullmatch(w.group()) for w in words):
        return [e]
    lower = [_lower_word(w.group()) and not _tagged(text, w.start()) for w in words]
    if not any(lower) or not any(_capitalised(w.group()) for w in words):
        return [e]
    out: list[Entity] = []
    run: list[re.Match[str]] = []
    for w, low in [*zip(words, lower, strict=True), (None, True)]:
        if w is not None and not low:
            run.append(w)
            continue
        while run and run[-1].group().lower() in PARTICLES:
            run.pop()
        while run and run[0].group().lower() in PARTICLES:
            run.pop(0)
        if run:
            out.append(Entity(run[0].start(), run[-1].end(), e.label, e.score))
        run = []
    return out


def _titled(text: str, start: int) -> bool:
    m = re.search(r"(?r)([^\W\d_]+)\.?\s+$", text[max(0, start - 16) : start])
    return m is not None and m.group(1).lower() in TITLES


def _known(word: str, flags: Flags) -> bool:
    low = word.lower()
    return any(flags(_id(part)) & _NAME_FLAGS for part in (low, *_PARTS.split(low)))


def _tagged(text: str, start: int) -> bool:
    """A handle or a hashtag (`@jane`, `# tag` as tokenised tweets write them)?"""
    before = text[max(0, start - 2) : start].rstrip()
    return before[-1:] in ("@", "#")


def _lone_opener(text: str, e: Entity, flags: Flags, foreign: bool) -> bool:
    """A single capitalised word at a sentence start with no evidence it is a name: an
    ordinary English word (`Cannot`, `Install`), or any word in a text that is not English
    (the tagger knows English sentence starts, not German or Turkish ones)."""
    words = _WORD.findall(text, e.start, e.end)
    if len(words) != 1 or not _capitalised(words[0]) or words[0].isupper():
        return False  # `TRONDHEIM`, `IBM`: capitals all through are not sentence casing
    if not _sentence_start(text, e.start) or _known(words[0], flags) or _titled(text, e.start):
        return False
    if not foreign and not flags(_id(words[0].lower())) & G_COMMON:
        return False
    line_end = text.find("\n", e.end)
    rest = text[e.end : line_end if line_end != -1 else len(text)]
    # a sentence goes on after it; a word alone on its line is a label, a company, a town
    return any(w[:1].islower() for w in _WORD.findall(rest))


def _own_line(text: str, e: Entity) -> bool:
    """Does the span fill its line, after at most a `Label:` (a form field, an address or
    signature block)? Then nothing around it says it is an ordinary word."""
    start = text.rfind("\n", 0, e.start) + 1
    end = text.find("\n", e.end)
    before, after = text[start : e.start].strip(), text[e.end : end if end != -1 else len(text)]
    if before and not before.endswith(":") and any(c.isalnum() for c in before):
        return False
    return not any(w[:1].islower() for w in _WORD.findall(after))


def _evidence(text: str, e: Entity, words: list[str], flags: Flags) -> bool:
    """In a text that is not English, is any word of the span a known name, or does a title
    stand before it? (German capitalises every noun: `Wohnung`, `Möglichkeiten`.)"""
    if _tagged(text, e.start) or any(w.isupper() and len(w) > 1 for w in words):
        return True
    if any(_NUMBER.fullmatch(w) for w in words) or _own_line(text, e):
        return True  # an address, a name or a company on its own line of a form or a block
    return _titled(text, e.start) or any(_known(w, flags) for w in words if _capitalised(w))


def plausible(text: str, found: list[Entity], flags: Flags) -> list[Entity]:
    """The spans that can be names (see the module doc); `flags` is the tagger's gazetteer
    lookup (crc32 of a lower-cased word -> its flag bits)."""
    capitals = foreign = None
    out: list[Entity] = []
    for e in found:
        for p in _pieces(text, e):
            words = _WORD.findall(text, p.start, p.end)
            if words and not any(_capitalised(w) or w[:1].isdigit() for w in words):
                if capitals is None:
                    capitals = writes_capitals(text)
                if capitals and not _tagged(text, p.start):
                    continue  # lower case in a text that capitalises: not a name
            if foreign is None:
                foreign = not english(text, flags)
            if _lone_opener(text, p, flags, foreign):
                continue
            if foreign and not _evidence(text, p, words, flags):
                continue
            out.append(p)
    return out


#: Phrases that introduce a person by name, in the languages of `PARTICLES` (`my name is`,
#: `me llamo`, `ich heiße`, `nazywam się`): after them a word the gazetteers know as a
#: first name or surname is a name, in any case.
_NAMING = (
    r"my name is|my name's|name's|call me|me llamo|mi nombre es|je m['’]appelle|"
    r"mon nom est|ich hei(?:ß|ss)e|mein name ist|mi chiamo|il mio nome è|meu nome é|"
    r"me chamo|mijn naam is|ik heet|nazywam się|mam na imię|mera naam|mera nam"
)
#: Phrases after which a first name is likely but an ordinary word just as likely
#: (`i'm maria` / `i'm fine`): the word must be a known first name and not a common
#: English word.
_PRESENTING = (
    r"i am|i'm|i’m|this is|it's|it’s|here is|soy|je suis|moi c['’]est|ich bin|hier ist|"
    r"sono|sou|eu sou|aqui é|ik ben|met|jestem|tu|"
    r"my (?:wife|husband|son|daughter|mother|father|mom|mum|dad|brother|sister|friend|"
    r"colleague|boss|partner|manager|neighbou?r)"
)
_INTRO = re2.compile(
    r"(?i)(?:^|[^\w'’])(?:(?P<naming>" + _NAMING + r")|(?P<presenting>" + _PRESENTING + r"))"
    r"[ \t]+(?:(?:der|die|el|la|o|a|the)[ \t]+)?"
)
_NAME_WORD = re2.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_GAP = re2.compile(r"[ \t]+")  # between the words of an introduced name
MAX_INTRO_WORDS = 4


def introduced(text: str, flags: Flags) -> list[Entity]:
    """Names in lower case right after a phrase that introduces one ("my name is maria
    fernanda lopez", "hey it's dmitri here", "ich heiße jonas"): the tagger, trained on
    capitalised names, misses or (in a text that capitalises) drops them. The first word
    must be a first name or surname the gazetteers know (after `i'm`, `this is`, ...: a
    first name that is not a common English word; after `my name is` in English text, any
    word English does not use: `sanjay`); the next up to three words are taken while they
    are such names and not common English words (three letters or fewer: a known first
    name, since short surnames collide with function words: `und`), or particles between
    them (`de la`, `van`). A capitalised first word is the tagger's to judge."""
    out: list[Entity] = []
    plain: bool | None = None  # is the text English? (asked once, when it matters)
    for m in _INTRO.finditer(text):
        naming = m.group("naming") is not None
        pos, words, end = m.end(), 0, -1
        while words < MAX_INTRO_WORDS:
            w = _NAME_WORD.match(text, pos)
            if w is None or not w.group()[:1].islower():
                break
            word = w.group()
            f = flags(_id(word))
            name, common = bool(f & (G_FIRST | G_LAST)), bool(f & G_COMMON)
            if word in PARTICLES:
                ok = words > 0
            elif not naming and words == 0:
                ok = bool(f & G_FIRST) and not common
            elif naming and (name or not common):
                # after "my name is", a word English does not use is a name too
                # (`sanjay`), in English text; elsewhere the gazetteers must know it
                if plain is None:
                    plain = english(text, flags)
                ok = name or plain
                ok = ok and (words == 0 or not common) and (len(word) > 3 or bool(f & G_FIRST))
            else:
                ok = name and not common and (len(word) > 3 or bool(f & G_FIRST))
            if not ok:
                break
            words += 1
            if word not in PARTICLES:
                end = w.end()
            gap = _GAP.match(text[w.end() : w.end() + 4])
            if gap is None:
                break
            pos = w.end() + gap.end()
        if end > m.end():
            out.append(Entity(m.end(), end, "PERSON", 0.85))
    return out
