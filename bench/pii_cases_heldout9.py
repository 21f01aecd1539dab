"""Held-out PII set 9 (19:05 UTC, 2026-12-07): a small check written after round 9's rules
were fixed, because set 8's e-mail and session rows were run through the scrubber while
those rules were written (so set 8 is development data for those two families). Nothing
was changed after this set was scored. Every value is fake.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Questions? Write to helga.s at tutanota dot com.",
        [("helga.s at tutanota dot com", "EMAIL_ADDRESS")],
    ),
    ("Kontakt: jurgen(at)uni-bonn(dot)de", [("jurgen(at)uni-bonn(dot)de", "EMAIL_ADDRESS")]),
    (
        "my mail is mwangi.k [at] gmail [dot] com",
        [("mwangi.k [at] gmail [dot] com", "EMAIL_ADDRESS")],
    ),
    ("reach ana AT correo DOT es", [("ana AT correo DOT es", "EMAIL_ADDRESS")]),
    ("ping rohit_99 at rediffmail.com tomorrow", [("rohit_99 at rediffmail.com", "EMAIL_ADDRESS")]),
    ("mail: dev.team @ acme-labs . io", [("dev.team @ acme-labs . io", "EMAIL_ADDRESS")]),
    ("email olga at yandex dot ru if it breaks", [("olga at yandex dot ru", "EMAIL_ADDRESS")]),
    ("Contact me: pierre {at} free {dot} fr", [("pierre {at} free {dot} fr", "EMAIL_ADDRESS")]),
    ("Cookie: _ga=GA1.2.3; sid=Tz8Kq3Wm5Lx2Rv9Pb4; lang=pt", [("Tz8Kq3Wm5Lx2Rv9Pb4", "API_KEY")]),
    (
        "GET /api/me?session=9a8b7c6d5e4f3a2b1c0d9e8f HTTP/2",
        [("9a8b7c6d5e4f3a2b1c0d9e8f", "API_KEY")],
    ),
    (
        "Cookie: JSESSIONID=7D3F9A1C5E8B2046DA91C3E7F05B8A26",
        [("7D3F9A1C5E8B2046DA91C3E7F05B8A26", "API_KEY")],
    ),
    (
        "https://app.example.com/reset?token=Hk29sLq8Zw3nVb7Rt5Yx",
        [("Hk29sLq8Zw3nVb7Rt5Yx", "API_KEY")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    ("She smiled at me and left at dawn.", []),
    ("Take a look at wikipedia.org for background.", []),
    ("Traffic at the dot matrix printer queue is low.", []),
    ("We arrived at Heathrow at 6 and took the train.", []),
    ("the cat sat at the mat dot com domain party", []),
    ("Results are at docs.python.org; the loop runs at O(n).", []),
    ("Aim at the target. Fire at will.", []),
    ("Set sid to any short label; it is not secret.", []),
    ("The session ended at noon. Token counts are below.", []),
    ("Prices start at 9.99 and peak at 19.99.", []),
]
