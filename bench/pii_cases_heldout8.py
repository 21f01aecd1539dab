"""Held-out PII set 8: written on 2026-12-07 (18:52 UTC) before the ninth PII round.

Aimed at the five families round 8 left (docs/pii.md, "Round 8"): e-mail addresses
written out (`at`/`dot`, bracketed, spaced), session tokens after `sid=`/`session=`/
`token=` in cookies and URLs, field labels of more than one word (`Teléfono de
contacto:`), postcodes at an address's end (Canada, Australia, UK, Japan, Korea) and
Chinese, Japanese and Korean names in Latin letters. Written without running the scrubber
on it; none of its texts comes from set 7. Every value is fake.

`BENIGN` is the hard benign part (rules of set 4): prose with `at` and `dot` near domain
names, product names, cookies and URLs whose parameters carry no secret.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- e-mail addresses written out ---------------------------------------------------
    (
        "You can write to priya.raman at outlook dot com for the slides.",
        [("priya.raman at outlook dot com", "EMAIL_ADDRESS")],
    ),
    (
        "Contact: olaf_berg [at] posteo [dot] de",
        [("olaf_berg [at] posteo [dot] de", "EMAIL_ADDRESS")],
    ),
    (
        "mail me: t.nguyen(at)uni-heidelberg(dot)de",
        [("t.nguyen(at)uni-heidelberg(dot)de", "EMAIL_ADDRESS")],
    ),
    (
        "reach me at kofi.mensah @ proton . me if the form fails",
        [("kofi.mensah @ proton . me", "EMAIL_ADDRESS")],
    ),
    (
        "Her address is lucia.ferri at libero.it, not the old one.",
        [("lucia.ferri at libero.it", "EMAIL_ADDRESS")],
    ),
    ("email: hans {at} gmx {dot} net", [("hans {at} gmx {dot} net", "EMAIL_ADDRESS")]),
    (
        "Send CVs to jobs AT brightlane DOT co DOT uk",
        [("jobs AT brightlane DOT co DOT uk", "EMAIL_ADDRESS")],
    ),
    (
        "ping sam_okafor at yahoo dot co dot uk when you land",
        [("sam_okafor at yahoo dot co dot uk", "EMAIL_ADDRESS")],
    ),
    ("Mein Kontakt: anna.keller [at] web.de", [("anna.keller [at] web.de", "EMAIL_ADDRESS")]),
    (
        "write to r.dubois <at> orange <dot> fr",
        [("r.dubois <at> orange <dot> fr", "EMAIL_ADDRESS")],
    ),
    # -- session tokens in cookies and URLs -----------------------------------------------
    (
        "Cookie: lang=en; sid=8f3KqL92mZx0PaW7vYt4Rb1c; theme=dark",
        [("8f3KqL92mZx0PaW7vYt4Rb1c", "API_KEY")],
    ),
    (
        "GET /dashboard?session=c41e9a07b3d24f6e8a15d0c7e2b9f318 HTTP/1.1",
        [("c41e9a07b3d24f6e8a15d0c7e2b9f318", "API_KEY")],
    ),
    (
        "the link was https://files.example.net/dl?id=42&token=Zq7pW3xRt9LmB2vK8sNf5Hd",
        [("Zq7pW3xRt9LmB2vK8sNf5Hd", "API_KEY")],
    ),
    (
        "Set-Cookie: session=eyJ1aWQiOjQyfQ.Zk3pQw.h7Gf2LqPzX0vR9sT; Path=/; HttpOnly",
        [("eyJ1aWQiOjQyfQ.Zk3pQw.h7Gf2LqPzX0vR9sT", "API_KEY")],
    ),
    (
        "curl -b 'PHPSESSID=t9v2k5m8q1w4e7r0y3u6i9o2p5' https://shop.example.org/cart",
        [("t9v2k5m8q1w4e7r0y3u6i9o2p5", "API_KEY")],
    ),
    # -- labels of more than one word ------------------------------------------------------
    ("Teléfono móvil: 612 48 93 07", [("612 48 93 07", "PHONE_NUMBER")]),
    ("Numéro de téléphone : 06 71 23 45 89", [("06 71 23 45 89", "PHONE_NUMBER")]),
    (
        "Correo de contacto: marta.gil@telefonica.net",
        [("marta.gil@telefonica.net", "EMAIL_ADDRESS")],
    ),
    ("Nome completo: Giulia Bianchi", [("Giulia Bianchi", "PERSON")]),
    ("Home phone number: 0161 496 0732", [("0161 496 0732", "PHONE_NUMBER")]),
    # -- postcodes at an address's end -----------------------------------------------------
    (
        "Ship to 220 Yonge St, Toronto, ON M5B 2H1",
        [("220 Yonge St, Toronto, ON M5B 2H1", "LOCATION")],
    ),
    (
        "Mailing address: 1450 Rue Sherbrooke O, Montréal, QC H3G 1K4",
        [("1450 Rue Sherbrooke O, Montréal, QC H3G 1K4", "LOCATION")],
    ),
    (
        "Deliver to 17 Smith Street, Fitzroy VIC 3065",
        [("17 Smith Street, Fitzroy VIC 3065", "LOCATION")],
    ),
    (
        "Office: Level 4, 88 Adelaide St, Brisbane QLD 4000",
        [("Level 4, 88 Adelaide St, Brisbane QLD 4000", "LOCATION")],
    ),
    ("Return it to 14 Elm Grove, Leeds LS6 2AZ", [("14 Elm Grove, Leeds LS6 2AZ", "LOCATION")]),
    (
        "His flat is at 3 Cornwall Road, London SE1 8TW.",
        [("3 Cornwall Road, London SE1 8TW", "LOCATION")],
    ),
    ("〒150-0002 東京都渋谷区渋谷2-21-1", [("〒150-0002 東京都渋谷区渋谷2-21-1", "LOCATION")]),
    (
        "Address: 2-4-1 Umeda, Kita-ku, Osaka 530-0001",
        [("2-4-1 Umeda, Kita-ku, Osaka 530-0001", "LOCATION")],
    ),
    ("주소: 부산광역시 해운대구 우동 1408", [("부산광역시 해운대구 우동 1408", "LOCATION")]),
    (
        "Address: 52 Teheran-ro, Gangnam-gu, Seoul 06164",
        [("52 Teheran-ro, Gangnam-gu, Seoul 06164", "LOCATION")],
    ),
    # -- CJK names in Latin letters --------------------------------------------------------
    ("I spoke with Chen Jing about the refund yesterday.", [("Chen Jing", "PERSON")]),
    (
        "Please cc Huang Lei and Zhou Min on the reply.",
        [("Huang Lei", "PERSON"), ("Zhou Min", "PERSON")],
    ),
    ("Yamamoto Kenji will cover the night shift.", [("Yamamoto Kenji", "PERSON")]),
    ("The badge was issued to Choi Seo-yeon last week.", [("Choi Seo-yeon", "PERSON")]),
    ("Thanks, Nakamura Yuki, for the quick fix!", [("Nakamura Yuki", "PERSON")]),
    ("Lee Ji-hoon signed for the parcel.", [("Lee Ji-hoon", "PERSON")]),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    ("We met at the dot com bubble's peak and never looked back.", []),
    ("Look at example.com for the API reference.", []),
    ("The office is at 9 am sharp; dot your i's on the forms.", []),
    ("Connect the dots at scale: graph analytics at Netflix dot-product style.", []),
    ("Point the resolver at cloudflare dot com's 1.1.1.1 and retry.", []),
    ("He works at Google and lives at the edge of town.", []),
    ("Set session=true in the config to keep users logged in.", []),
    ("Cookie: lang=en; theme=dark; tz=UTC", []),
    ("GET /search?q=token&page=2 HTTP/1.1", []),
    ("Use token=${API_TOKEN} in the template; never paste the real value.", []),
    ("The sid= parameter is optional and defaults to none.", []),
    ("Nombre de usuario: el campo acepta letras y números.", []),
    ("Ship by Friday; the ON switch is on the left, QLD office closed Monday.", []),
    ("Tickets at the door, doors at 8, see ticketmaster dot com.", []),
    ("The TSV file has columns at, dot, com and net.", []),
    ("Order 4000 units at $3 each, NSW warehouse.", []),
]
