"""Names in Chinese, Japanese and Korean script, which the tagger cannot read.

The tagger learned from English text and its gazetteers hold Latin-script names, so `王芳`,
`山田太郎` and `이서연` were never found. Chinese and Japanese write no spaces between words,
and a name is written surname first, so the cue here is a surname the lists know followed
by a given name they know (`model/cjk_names.txt`, built from faker's zh_CN, zh_TW, ja_JP and
ko_KR lists by `training/ner/cjk_names.py`; no name added by hand), where it stands apart:

* **Han script** (Chinese, Japanese kanji): surname + given name (the longest known ones)
  at the edge of a run of Han characters (kana, punctuation, Latin letters or the text's
  ends bound it: `联系人：王芳，`, `担当者は山田太郎です`), or next to a word that joins names
  (`给`, `和`, `与`, `跟`, `叫`, `是` before; `和`, `与`, `的`, `说`, `是`, `在` and the particles `了`, `吗`, `呢` after) or
  before an honorific (`先生`, `女士`, `老师`, `さん`, `様`, `氏`). In Japanese text (any kana),
  kana bound every kanji word, so a surname of one character needs an honorific after the
  name (`センスの全文と` is not `全` + `文`). A Japanese surname of two
  or more characters followed by an honorific is a name on its own (`鈴木さん`). A surname
  of one character alone is not (`王` is also "king").
* **Hangul** (Korean, written with spaces): a word that is exactly a surname and a given
  name (`이서연`), after dropping a particle or an honorific (`이서연씨`, `김민준님은`).

Common words that happen to read as a surname + given name inside a longer run of Han
characters are not taken (`高明` inside a sentence); at a run's edge they can be.
"""

from __future__ import annotations

import functools
from pathlib import Path

import re2

from keepgate.scrubbing.ner.tagger import Entity
from keepgate.scrubbing.re2text import re2_safe

CJK_NAMES_FILE = Path(__file__).resolve().parent / "model" / "cjk_names.txt"
SCORE = 0.85
#: Any Han or Hangul character: the cheap test before anything else (one RE2 pass).
_ANY = re2.compile(r"[\p{Han}\p{Hangul}]")
_HAN_RUN = re2.compile(r"[\p{Han}々]+")
_HANGUL_WORD = re2.compile(r"\p{Hangul}+")
#: Kana: the text is Japanese, where kana bound every kanji word (`センスの全文と`).
_KANA = re2.compile(r"[\p{Hiragana}\p{Katakana}]")
#: Joining words right before or after a name in a run of Han characters.
_BEFORE = frozenset("给給和与與跟叫是由找问問请請向对對被让讓把及或")
_AFTER = frozenset("和与與跟及或的说說是在了吗嗎呢吧啊")
#: Honorifics after a name (in the run: Han; or right after it: kana).
_HAN_HONORIFICS = (
    "先生", "女士", "小姐", "老师", "老師", "经理", "經理", "教授", "博士", "医生", "醫生",
    "同学", "同學", "总", "總", "様", "氏", "君", "殿", "さま",
)  # fmt: skip
_KANA_HONORIFICS = ("さん", "さま", "くん", "ちゃん", "せんせい")
#: Particles and honorifics a Korean name is written with, longest first.
_KO_SUFFIXES = (
    "선생님", "입니다", "이에요", "께서", "에게", "한테", "씨는", "씨가", "씨의", "님은",
    "님이", "님의", "씨", "님", "은", "는", "이", "가", "을", "를", "의", "과", "와", "도",
)  # fmt: skip
MAX_SUFFIXES = 3
MAX_SURNAME = 3
MAX_GIVEN = 3


@functools.cache
def names() -> tuple[frozenset[str], frozenset[str]]:
    """(surnames, given names), read once per process."""
    s: set[str] = set()
    g: set[str] = set()
    for line in CJK_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, name = line.split("\t")
            (s if kind == "S" else g).add(name)
    return frozenset(s), frozenset(g)


def _longest(text: str, i: int, end: int, known: frozenset[str], most: int) -> int:
    """End of the longest known word starting at `i` (not past `end`), or -1."""
    for n in range(min(most, end - i), 0, -1):
        if text[i : i + n] in known:
            return i + n
    return -1


def _honorific(text: str, j: int) -> bool:
    return text.startswith(_HAN_HONORIFICS, j) or text.startswith(_KANA_HONORIFICS, j)


def _han(
    text: str, a: int, b: int, surnames: frozenset[str], given: frozenset[str], kana: bool
) -> list[Entity]:
    out: list[Entity] = []
    i = a
    while i < b:
        if i > a and text[i - 1] not in _BEFORE:
            i += 1
            continue
        s = _longest(text, i, b, surnames, MAX_SURNAME)
        if s == -1:
            i += 1
            continue
        g = _longest(text, s, b, given, MAX_GIVEN)
        j = g if g != -1 else s
        apart = j == b or text[j] in _AFTER or _honorific(text, j)
        if kana and s - i < 2 and not _honorific(text, j):
            apart = False  # Japanese: a one-kanji surname + one kanji is any kanji word
        if (g != -1 and apart) or (g == -1 and s - i >= 2 and _honorific(text, s)):
            out.append(Entity(i, j, "PERSON", SCORE))
            i = j
        else:
            i += 1
    return out


def _hangul(word: str, surnames: frozenset[str], given: frozenset[str]) -> int:
    """Length of the name a Hangul word is (surname + given name, then a suffix), or 0."""
    core = word
    for _ in range(MAX_SUFFIXES):  # `김민준씨에게`: an honorific, then a particle
        suffix = next((x for x in _KO_SUFFIXES if core.endswith(x) and len(core) - len(x) >= 3), "")
        if not suffix:
            break
        core = core[: -len(suffix)]
    for n in (1, 2):
        if core[:n] in surnames and core[n:] in given:
            return len(core)
    return 0


def cjk_names(text: str) -> list[Entity]:
    """PERSON spans of native-script Chinese, Japanese and Korean names (module doc)."""
    text = re2_safe(text)
    if _ANY.search(text) is None:
        return []
    surnames, given = names()
    out: list[Entity] = []
    kana = _KANA.search(text) is not None
    for m in _HAN_RUN.finditer(text):
        out += _han(text, m.start(), m.end(), surnames, given, kana)
    for m in _HANGUL_WORD.finditer(text):
        n = _hangul(m.group(), surnames, given)
        if n:
            out.append(Entity(m.start(), m.start() + n, "PERSON", SCORE))
    return out
