"""Build the Chinese, Japanese and Korean name lists the NER reads native script with
(`keepgate/scrubbing/ner/model/cjk_names.txt`).

Why: the tagger learned from English text and its gazetteers hold Latin-script names, so a
name written in Han characters or Hangul (`王芳`, `山田太郎`, `이서연`) is never found.
These scripts write no spaces between words (Chinese, Japanese) and a name is a surname
then a given name, so a known surname followed by a known given name is a strong cue
(`keepgate/scrubbing/ner/cjk.py` says where one is accepted).

Source: faker's person providers (faker==40.54.0, pinned in `requirements.lock`, MIT) for
zh_CN, zh_TW, ja_JP and ko_KR: their surnames and given names in native script. No name
was added by hand.

Run: `PYTHONPATH=. .venv/bin/python -m training.ner.cjk_names` (rewrites the file).
"""

from __future__ import annotations

from keepgate.scrubbing.ner.cjk import CJK_NAMES_FILE

LOCALES = ("zh_CN", "zh_TW", "ja_JP", "ko_KR")
_GIVEN = ("first_names", "first_names_male", "first_names_female")
HEADER = (
    "# Chinese, Japanese and Korean surnames (S) and given names (G) in native script.\n"
    "# Built by `python -m training.ner.cjk_names` (see its docstring); do not edit.\n"
    "# Source: faker==40.54.0 person providers zh_CN, zh_TW, ja_JP, ko_KR (MIT).\n"
)


def _native(name: str) -> bool:
    return bool(name) and all(not c.isascii() and c.isalpha() for c in name)


def build() -> tuple[list[str], list[str]]:
    """(surnames, given names), sorted."""
    from faker import Faker

    surnames: set[str] = set()
    given: set[str] = set()
    for loc in LOCALES:
        for prov in Faker(loc).providers:
            surnames.update(n for n in getattr(prov, "last_names", ()) or () if _native(n))
            for attr in _GIVEN:
                given.update(n for n in getattr(prov, attr, ()) or () if _native(n))
    return sorted(surnames), sorted(given)


def main() -> None:
    surnames, given = build()
    body = "".join(f"S\t{n}\n" for n in surnames) + "".join(f"G\t{n}\n" for n in given)
    CJK_NAMES_FILE.write_text(HEADER + body, encoding="utf-8")
    print(f"{len(surnames)} surnames, {len(given)} given names -> {CJK_NAMES_FILE}")


if __name__ == "__main__":
    main()
