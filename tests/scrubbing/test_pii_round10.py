"""Round 10 (docs/pii.md): names and passwords the independent evaluation saw leak.

Each family is checked whole (the value is redacted, the words around it are not) and
streamed: split into two chunks at every position, the client sees exactly the scrub of the
whole answer (zero leaks at any split), with the NER on and, for the credential families,
with patterns only. None of these texts is from held-out set 10.
"""

from __future__ import annotations

import pytest

from tests.scrubbing.test_pii_stream_splits import (
    GUARD,
    P_GUARD,
    P_SCRUBBER,
    SCRUBBER,
    new_call,
    run,
    stream_of,
    text_of,
)

pytestmark = pytest.mark.slow(cpu_s=0.5)  # scheduled first: tests/conftest.py

#: (family, text, values that must go, words that must stay)
NAMES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "postcode_au",
        "Send it to 40 George St, Sydney NSW 2000 please.",
        ("40", "George", "Sydney", "NSW", "2000"),
        ("Send", "please"),
    ),
    (
        "postcode_ca",
        "Office: 300 King St E, Toronto ON M5A 1K4",
        ("300", "King", "Toronto", "M5A", "1K4"),
        ("Office",),
    ),
    (
        "postcode_jp",
        "Our branch is in Tokyo 150-0002 now.",
        ("Tokyo", "150-0002"),
        ("branch", "now"),
    ),
    (
        "street_line",
        "Parcel goes to 200 Queen St W today",
        ("200", "Queen", "St W"),
        ("Parcel goes to", "today"),
    ),
    (
        "titled_name",
        "Dear Ms Oyebanji,\nyour parcel is ready.",
        ("Oyebanji",),
        ("Dear", "Ms", "parcel"),
    ),
    ("signed_name", "done, thanks!\n-- tunde", ("tunde",), ("done, thanks!",)),
    (
        "table_names",
        "2023-11-01;Ingrid;55.10\n2023-11-02;Bartholomew;7.00\n2023-11-03;Yetunde;3.30",
        ("Ingrid", "Bartholomew", "Yetunde"),
        ("55.10", "7.00"),
    ),
    (
        "csv_header_joined_rows",
        "date,client,amount\n2024-01-02,Greta,10.00\n2024-01-03,Ulf,12.00",
        ("Greta", "Ulf"),
        ("client", "10.00"),
    ),
]
SECRETS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("vietnamese", "anh ơi, mật khẩu mới là bienxanh99 nhé", ("bienxanh99",), ("mới",)),
    ("indonesian", "kata sandi saya adalah merdeka45", ("merdeka45",), ("saya",)),
    ("arabic", "كلمة السر هي Nil2023x", ("Nil2023x",), ("السر",)),
    ("psk_yaml", "wpa:\n  psk: cafeconleche", ("cafeconleche",), ("psk",)),
    ("psk_env", "psk=Tr0picana", ("Tr0picana",), ("psk",)),
    (
        "quoted_phrase",
        'I set my passphrase to "copper lantern winter 77" yesterday',
        ("copper", "lantern", "77"),
        ("yesterday",),
    ),
    ("line_phrase", "PASSPHRASE=ocean mango violet 2001", ("ocean", "violet", "2001"), ()),
]
#: (text, words that must stay): a year after a place, a common word after `Mr`, a team
#: under a closing, prose after `passphrase:`, a modulation, a table of codes, a road.
BENIGN: list[tuple[str, tuple[str, ...]]] = [
    ("She moved to Lyon in 1989 and never left.", ("in 1989",)),
    ("The Olympics came to Berlin, 1936 was the year.", ("1936",)),
    ("Ask Mr Clean for the Software Engineer post.", ("Mr Clean",)),
    ("Thanks,\nThe Team", ("The Team",)),
    ("passphrase: must be at least 12 characters", ("must be at least 12 characters",)),
    ("The password 'is too short' error shows up on the form.", ("is too short",)),
    ("The QPSK modulation uses 4 phases.", ("4 phases",)),
    ("sku,price\nA-1,3.00\nB-2,4.00", ("A-1,3.00", "B-2,4.00")),
    ("Walk 5 miles down the road to the lake.", ("5 miles down the road",)),
]


def _check(scrubber, text: str, gone: tuple[str, ...], kept: tuple[str, ...]) -> str:
    out, _ = scrubber.scrub(text)
    for v in gone:
        assert v not in out, (v, out)
    for w in kept:
        assert w in out, (w, out)
    return out


@pytest.mark.parametrize("case", NAMES, ids=[c[0] for c in NAMES])
def test_names_and_addresses_are_redacted_whole(case) -> None:
    _, text, gone, kept = case
    _check(SCRUBBER, text, gone, kept)


@pytest.mark.parametrize("case", SECRETS, ids=[c[0] for c in SECRETS])
@pytest.mark.parametrize("ner", [True, False], ids=["ner", "patterns"])
def test_passwords_are_redacted(case, ner: bool) -> None:
    _, text, gone, kept = case
    _check(SCRUBBER if ner else P_SCRUBBER, text, gone, kept)


@pytest.mark.parametrize("case", BENIGN, ids=[c[0][:24] for c in BENIGN])
def test_benign_lookalikes_keep_their_words(case: tuple[str, tuple[str, ...]]) -> None:
    text, kept = case
    out, counts = SCRUBBER.scrub(text)
    assert "SECRET" not in counts, out
    for w in kept:
        assert w in out, (w, out)


def test_kontakt_and_correo_are_labels_not_names() -> None:
    out, counts = SCRUBBER.scrub("Kontakt: Maria Huber")
    assert out.startswith("Kontakt: ") and "Huber" not in out, out
    out, _ = SCRUBBER.scrub("Correo de contacto: ana.lopez@uv.es")
    assert out.startswith("Correo de contacto: "), out


async def _every_split(guard, scrubber, text: str, gone: tuple[str, ...]) -> None:
    expected, _ = scrubber.scrub(text)
    assert not any(v in expected for v in gone), expected
    for k in range(1, len(text)):
        out = await run(guard, new_call(), stream_of([text[:k], text[k:]]))
        assert text_of(out) == expected, f"split at {k}"
    out = await run(guard, new_call(), stream_of(list(text)))
    assert text_of(out) == expected


@pytest.mark.parametrize("case", NAMES, ids=[c[0] for c in NAMES])
async def test_names_at_every_split(case) -> None:
    _, text, gone, _ = case
    await _every_split(GUARD, SCRUBBER, text, gone)


@pytest.mark.parametrize("case", SECRETS, ids=[c[0] for c in SECRETS])
@pytest.mark.parametrize("ner", [True, False], ids=["ner", "patterns"])
async def test_passwords_at_every_split(case, ner: bool) -> None:
    _, text, gone, _ = case
    if ner:
        await _every_split(GUARD, SCRUBBER, text, gone)
    else:
        await _every_split(P_GUARD, P_SCRUBBER, text, gone)
