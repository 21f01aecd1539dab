"""Names the tagger leaves where the layout says "a person": after a title, under a closing.

Two places where a name stands by convention, in any language, and where the tagger (whose
cues are English sentence casing) often finds nothing:

* **after a title** (`titled_names`): `Dear Ms Oyebanji,`, `Sr. Beltrán`, `Herr Krüger`,
  `Mme Benali`: a title of `precision.TITLES` written capitalised, then one to three
  capitalised words. The first word must not be a common English word unless the
  gazetteers know it as a name (`Sr Software Engineer`, `Mr Clean` stay); a name the
  gazetteers do not know only where it is addressed (followed by `,`/`:`/line end, or
  after `Dear`/`Hi`) or after a title only a person bears (`Mr Panvalkar said`):
  `Dr. Pepper tastes odd.` and `Sir Mix-a-Lot` stay;
* **under a closing** (`signed_names`): the line after `Regards,`, `Cheers,`, `Thanks,`,
  `Mit freundlichen Grüßen`, `Cordialement,`, `Saludos,`, `Atenciosamente,`, `Met
  vriendelijke groet,`, ... or after a `-- ` signature mark: one to four words, each
  capitalised or the whole line in lower case (`-- tunde`, `nguyen van thanh`; three or
  four capitalised words need a known given name: `Best\nPython Java Rust` stays), none a
  common English word unless the gazetteers know it as a name (`The Team`, `Support`,
  `sent from my phone` stay).

* **after a greeting** (`greeted_names`): the one to three words between a greeting that
  opens a line (`Hola`, `Cześć`, `Привет,`, `Γεια σου`, `مرحبا`, `שלום`, `नमस्ते`, `hey`)
  and the `,` `!` `:` (or `،` `，`) or line end that closes the address: `Cześć Kasia,`,
  `Привет, Ольга!`, `hey marco,`. Words in a script the gazetteers know must not be
  common English words unless known names (`Hi team,`, `Hello world!` stay), and in lower
  case must hold a known name (`Good morning dolls!` stays); no word may address a group
  (`Hallo zusammen`, `Hola a todos`, `Привет всем`).

One RE2 pass each (linear); per match a few gazetteer look-ups.
"""

from __future__ import annotations

import re2

from keepgate.scrubbing.ner.precision import PARTICLES, TITLES, Flags
from keepgate.scrubbing.ner.tagger import G_COMMON, G_FIRST, G_LAST, Entity, _id

#: Titles that are also other things when written without a dot (`M` a size, `St` a
#: street, `San` a place's first word) or that follow the name (`san`, `sama`): left out.
_AFTER_NAME = frozenset("san sama kun chan ssi m".split())
_TITLE_WORDS = "|".join(
    sorted((t[:1].upper() + t[1:] for t in TITLES - _AFTER_NAME), key=len, reverse=True)
)
#: A capitalised word of a name (`Okonkwo-Eze`, `O'Brien`, `d'Aubigné` is the tagger's).
_CAP = r"\p{Lu}[\p{Ll}\p{Lu}]*(?:['’\-]\p{Lu}?\p{Ll}{2,})*"
_TITLED = re2.compile(
    r"(?:^|[^\pL\pN])(?P<title>" + _TITLE_WORDS + r"|M)\.?[ \t]+"
    r"(?P<name>"
    + _CAP
    + r"(?:[ \t]+(?:(?:"
    + "|".join(sorted(PARTICLES))
    + r")[ \t]+)?"
    + _CAP
    + r"){0,2})"
)
#: Closings in the languages of the gazetteers' locales; then the signature's next line.
_CLOSINGS = (
    r"(?:best|kind|warm|warmest|many|with)?[ \t]*(?:regards|wishes|thanks)|best|cheers|"
    r"thanks(?: again| a lot)?|thank you|thx|ta|sincerely|yours(?: sincerely| truly)?|"
    r"br|mfg|lg|vg|mit freundlichen gr(?:ü|ue)(?:ß|ss)en|(?:viele|liebe|beste|herzliche) "
    r"gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)|cordialement|bien (?:à|a) vous|amiti[ée]s|"
    r"bien cordialement|(?:un )?saludos?(?: cordiales)?|atentamente|abrazos?|"
    r"atenciosamente|abra[çc]os|obrigad[oa]|(?:met )?vriendelijke groet(?:en)?|groet(?:jes|en)|"
    r"(?:distinti|cordiali)? ?saluti|pozdrawiam|pozdrowienia|saygılarımla|selamlar"
)
_SIGNED = re2.compile(
    r"(?im)(?:^[ \t]*(?:" + _CLOSINGS + r")[ \t]*[,.!]*[ \t]*\n|^[ \t]*--[ \t]*(?:\n[ \t]*)?)"
    r"[ \t]*(?P<name>[\pL'’\-]+(?:[ \t]+[\pL'’\-]+){0,3})[ \t]*$"
)
_NAME_SCORE = 0.8
#: Titles only a person bears (no `Dr. Pepper`, `Sir Mix-a-Lot`, `Don Quixote` drink or
#: book): the name after one is taken in running prose too (`Mr Panvalkar said`, `Ms
#: Hopley added`; news held out of training, `bench/ner_loso.py`), its first word still
#: not a common word (`Mr Clean`). Not `Miss` (a verb in headings: `Never Miss Updates`)
#: nor `Herr`/`Frau` (before German nouns: `Herr Direktor`). `Ms Excel` is redacted.
_PERSON_TITLES = frozenset("Mr Mrs Ms Mx Mister Mme Mlle".split())
#: A titled name no gazetteer knows is taken where a name is addressed: followed by `,`
#: `:` `!` `?` `)` or the line's end (`Dear Ms Oyebanji,`), or after a greeting (`Hi Dr.
#: Nakamura`); not in running prose (`Dr. Pepper tastes odd.`).
_ADDRESSED = re2.compile(r"[ \t]*(?:[,:;!?)]|\r?\n|\z)")
_GREETED = re2.compile(
    r"(?i)(?:dear|hi|hello|hey|hallo|hola|ol[aá]|bonjour|ciao|liebe[r]?)[ \t,]+\S*$"
)


#: Greetings that open a line and are followed by whom they address, in the languages of
#: the closings above and the scripts users write in.
_GREETINGS = (
    r"hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|hola|buenos d[ií]as|"
    r"buenas(?: tardes| noches)?|querid[oa]|estimad[oa]|ciao|salve|buongiorno|gentile|"
    r"caro|cara|hallo|moin|servus|gr[üu](?:ß|ss|e)? ?dich|guten (?:morgen|tag|abend)|"
    r"liebe[rs]?|sehr geehrte[r]?|bonjour|bonsoir|salut|coucou|cher|ch[èe]re|ol[áa]|oi|"
    r"prezad[oa]|querid[oa]|bom dia|boa (?:tarde|noite)|dag|hoi|beste|goedemorgen|"
    r"goedemiddag|cze[śs][ćc]|witaj|dzie[ńn] dobry|hej|hei|moi|merhaba|selam|sayın|"
    r"привет|здравствуй(?:те)?|добрый (?:день|вечер)|уважаем(?:ый|ая)|"
    r"γει[αά] σου|γει[αά] σας|αγαπητ[έεή]|مرحبا|أهلا|اهلا|عزيزي|عزيزتي|שלום|היי|"
    r"नमस्ते|नमस्कार|प्रिय"
)
#: Words that address a group, not a person (`Hallo zusammen,`, `Hola a todos`).
_GROUP = frozenset(
    "all everyone everybody folks guys team there zusammen allerseits alle leute tous "
    "todos todas equipo chicos chicas amigos tutti ragazzi pessoal galera gente allemaal "
    "iedereen jongens wszystkim wszyscy państwo alla allihopa kaikki herkese arkadaşlar "
    "всем все коллеги друзья ребята όλοι παιδιά الجميع כולם सभी".split()
)
_GREETED_LINE = re2.compile(
    r"(?im)^[ \t]*(?:" + _GREETINGS + r")[ \t]*,?[ \t]+"
    r"(?P<name>\pL[\pL\pM'’\-]*(?:[ \t]+\pL[\pL\pM'’\-]*){0,2})[ \t]*(?:[,!:،，]|\r?$)"
)


def _nameish(word: str, flags: Flags, first: bool) -> bool:
    f = flags(_id(word.lower()))
    if f & G_COMMON and not f & (G_FIRST | G_LAST):
        return False
    return not first or word[:1].isupper() or bool(f & G_FIRST)


def titled_names(text: str, flags: Flags) -> list[Entity]:
    """Capitalised words after a capitalised title (module doc)."""
    out = []
    for m in _TITLED.finditer(text):
        s, e = m.span(_TITLED.groupindex["name"])
        words = text[s:e].split()
        if not _nameish(words[0], flags, True) or text[e : e + 1] in ("-", "'", "’"):
            continue  # `Sir Mix-a-Lot`: a word joined on is no name part here
        known = any(flags(_id(w.lower())) & (G_FIRST | G_LAST) for w in words)
        if (
            known
            or m.group("title") in _PERSON_TITLES
            or _ADDRESSED.match(text, e)
            or _GREETED.search(text[max(0, m.start() - 12) : s])
        ):
            out.append(Entity(s, e, "PERSON", _NAME_SCORE))
    return out


def signed_names(text: str, flags: Flags) -> list[Entity]:
    """The name line right under a closing or a `-- ` mark (module doc)."""
    out = []
    for m in _SIGNED.finditer(text):
        s, e = m.span(_SIGNED.groupindex["name"])
        words = text[s:e].split()
        lower = all(w.islower() for w in words)
        if lower:
            ok = words[0] not in PARTICLES and all(
                w in PARTICLES or _nameish(w, flags, False) for w in words
            )
        else:
            ok = all(
                w in PARTICLES or (w[:1].isupper() and _nameish(w, flags, False)) for w in words
            )
            # three or four capitalised words (`Python Java Rust`) are a name only with a
            # given name the gazetteers know among them
            if ok and len(words) > 2:
                ok = any(flags(_id(w.lower())) & G_FIRST for w in words)
        if ok:
            out.append(Entity(s, e, "PERSON", _NAME_SCORE))
    return out


def greeted_names(text: str, flags: Flags) -> list[Entity]:
    """The words a line-opening greeting addresses (module doc)."""
    out = []
    for m in _GREETED_LINE.finditer(text):
        s, e = m.span(_GREETED_LINE.groupindex["name"])
        words = text[s:e].split()
        if words[0].lower() in PARTICLES or any(w.lower() in _GROUP for w in words):
            continue
        if words[0].lower().rstrip(".") in TITLES:
            continue  # `Good morning sir,`; `Dear Ms Oyebanji,` is `titled_names`' to read
        ok = all(
            w in PARTICLES or not w.isascii() and not _latin(w) or _nameish(w, flags, False)
            for w in words
        )
        if ok and all(w.islower() and _latin(w) for w in words):
            # lower case (`hey marco,`) says nothing by itself: a given name or surname the
            # gazetteers know (`Good morning dolls!` stays)
            ok = any(flags(_id(w.lower())) & (G_FIRST | G_LAST) for w in words)
        if ok and len(words) > 1 and all(w.isascii() for w in words):
            # two or three words after a greeting (`Good morning sunshine`, `Hi there
            # friend`) are a name only with a known given name or surname among them
            ok = any(flags(_id(w.lower())) & (G_FIRST | G_LAST) for w in words)
        if ok:
            out.append(Entity(s, e, "PERSON", _NAME_SCORE))
    return out


def _latin(word: str) -> bool:
    """Written in Latin letters (accents included): the gazetteers' script."""
    return all(c.isascii() or "\u00c0" <= c <= "\u024f" for c in word if c.isalpha())
