"""Held-out PII set 3: written on 2026-12-07 after the second round of changes.

Set 2 (`bench/pii_cases_heldout2.py`) was scored once and its misses drove a second round
of changes, so its later figures are in-sample too. This set is the last fresh one of the
day: other vendors, layouts, countries and people than sets 1 and 2, written without
running the scrubber on it, scored once, not tuned on. Same format as the other case
files; every value is fake (cards, IBANs and most ids carry valid checksums, keys are
random).
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- names --------------------------------------------------------------------------------
    (
        "Approved by Somchai Jaidee; Siobhán Ní Bhriain will countersign tomorrow.",
        [("Somchai Jaidee", "PERSON"), ("Siobhán Ní Bhriain", "PERSON")],
    ),
    (
        "Assigned: Georgios Papadopoulos (QA), Lerato Dlamini (PM), Wojciech Zieliński (dev)",
        [
            ("Georgios Papadopoulos", "PERSON"),
            ("Lerato Dlamini", "PERSON"),
            ("Wojciech Zieliński", "PERSON"),
        ],
    ),
    (
        "@channel heads-up: farhan and mei-ling are out until the 14th",
        [("farhan", "PERSON"), ("mei-ling", "PERSON")],
    ),
    (
        "Автор: Олена Шевченко. Reviewed by Rafael Oliveira Santos.",
        [("Олена Шевченко", "PERSON"), ("Rafael Oliveira Santos", "PERSON")],
    ),
    # -- addresses ----------------------------------------------------------------------------
    (
        "Anschrift: Karl-Marx-Allee 91, 10243 Berlin-Friedrichshain",
        [("Karl-Marx-Allee 91, 10243 Berlin-Friedrichshain", "ADDRESS")],
    ),
    (
        "Send the replacement to PO Box 4471, Fairbanks, AK 99708.",
        [("PO Box 4471, Fairbanks, AK 99708", "ADDRESS")],
    ),
    (
        "서울특별시 강남구 테헤란로 152, 12층 (our Seoul office)",
        [("서울특별시 강남구 테헤란로 152, 12층", "ADDRESS")],
    ),
    # -- credentials --------------------------------------------------------------------------
    (
        "VAULT_TOKEN=hvs.RGkt8Mdn0lugJB6L55vVvjaf vault kv get secret/app",
        [("hvs.RGkt8Mdn0lugJB6L55vVvjaf", "API_KEY")],
    ),
    (
        "Linear: lin_api_vQrk4HM5Bcw9fRGZg0hqrn6B48MOdtMDdJCZ68sY, Notion: "
        "secret_hiYBrVuJXK8SVUwek0PUcr2AczplrzvnSXrhVMYe5Wm",
        [
            ("lin_api_vQrk4HM5Bcw9fRGZg0hqrn6B48MOdtMDdJCZ68sY", "API_KEY"),
            ("secret_hiYBrVuJXK8SVUwek0PUcr2AczplrzvnSXrhVMYe5Wm", "API_KEY"),
        ],
    ),
    (
        "Postman collection runner uses PMAK-f463972c982d1cfd332a36e2-3dc93c4b893cd884f61c1be6270cda8602",
        [("PMAK-f463972c982d1cfd332a36e2-3dc93c4b893cd884f61c1be6270cda8602", "API_KEY")],
    ),
    (
        "GROQ_API_KEY=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\n"
        "REPLICATE_API_TOKEN=r8_qncDGOmEWnz28dYJVxjzHLIhL6hBzAiIWnPAl",
        [
            ("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", "API_KEY"),
            ("r8_qncDGOmEWnz28dYJVxjzHLIhL6hBzAiIWnPAl", "API_KEY"),
        ],
    ),
    (
        "Okta: Authorization: SSWS 00_uJVaW90uhuI5t6f4aSmNckDuNiPPrifNsOLn1P0",
        [("00_uJVaW90uhuI5t6f4aSmNckDuNiPPrifNsOLn1P0", "API_KEY")],
    ),
    (
        "Blob URL: https://acmedata.blob.core.windows.net/exports/q3.csv?sv=2022-11-02&ss=b&sp=rl"
        "&se=2026-12-31T00:00:00Z&sig=w4H8FmCUEO9K5IWe37FHYMX7prXO7Lmw15FtaRAA8I%3D",
        [("w4H8FmCUEO9K5IWe37FHYMX7prXO7Lmw15FtaRAA8I%3D", "API_KEY")],
    ),
    (
        "Cloudflare API token: aeeBAurkMU9lZ2kTCK-aV55YYC8emG3miXv30IEU",
        [("aeeBAurkMU9lZ2kTCK-aV55YYC8emG3miXv30IEU", "API_KEY")],
    ),
    (
        "HEROKU_API_KEY=5b631fec-8b75-a97b-a2d7-34c4178bddc4",
        [("5b631fec-8b75-a97b-a2d7-34c4178bddc4", "API_KEY")],
    ),
    (
        "~/.pgpass\ndb.internal:5432:billing:report_ro:Gx2vN8qLm4\n",
        [("Gx2vN8qLm4", "PASSWORD")],
    ),
    (
        "jdbc:mysql://10.1.2.3:3306/crm?user=etl&password=Hw7qZ3kP&useSSL=true",
        [("10.1.2.3", "IP_ADDRESS"), ("Hw7qZ3kP", "PASSWORD")],
    ),
    (
        "Driver={ODBC Driver 18};Server=sql01;Database=hr;Uid=svc_hr;Pwd=Rq5!tMz8w;",
        [("Rq5!tMz8w", "PASSWORD")],
    ),
    (
        '$pw = ConvertTo-SecureString "Tn4$kVx9q" -AsPlainText -Force',
        [("Tn4$kVx9q", "PASSWORD")],
    ),
    (
        "sshpass -p 'Mb6zLq2w' ssh deploy@203.0.113.9",
        [("Mb6zLq2w", "PASSWORD"), ("203.0.113.9", "IP_ADDRESS")],
    ),
    ("honestly i just use letmein123 for everything lol", [("letmein123", "PASSWORD")]),
    ("The safe combination is 31-07-19.", [("31-07-19", "PASSWORD")]),
    # -- ids ----------------------------------------------------------------------------------
    ("RUT 12.345.678-5 (Chile)", [("12.345.678-5", "NATIONAL_ID")]),
    ("Rijksregisternummer 85.07.30-033.28", [("85.07.30-033.28", "NATIONAL_ID")]),
    ("マイナンバー: 1234 5678 9018", [("1234 5678 9018", "NATIONAL_ID")]),
    ("CPR-nummer 010190-1234 står på kortet", [("010190-1234", "NATIONAL_ID")]),
    ("DNI 30.123.456 (Argentina)", [("30.123.456", "NATIONAL_ID")]),
    # -- money --------------------------------------------------------------------------------
    (
        "Visa 4495 2498 5762 0220, Amex 3463 852853 65647",
        [("4495 2498 5762 0220", "CREDIT_CARD"), ("3463 852853 65647", "CREDIT_CARD")],
    ),
    ("cc: 5113-2493-0875-8859 exp 11/27", [("5113-2493-0875-8859", "CREDIT_CARD")]),
    (
        "Bankverbindung AT61 1904 3002 3457 3201, IE29 AIBK 9311 5212 3456 78",
        [("AT61 1904 3002 3457 3201", "IBAN_CODE"), ("IE29 AIBK 9311 5212 3456 78", "IBAN_CODE")],
    ),
    (
        "TR33 0006 1005 1978 6457 8413 26 numaralı hesaba",
        [("TR33 0006 1005 1978 6457 8413 26", "IBAN_CODE")],
    ),
    # -- dates of birth, phones, IPs ----------------------------------------------------------
    ("Date of Birth (MM/DD/YYYY): 02/29/1996", [("02/29/1996", "DATE_OF_BIRTH")]),
    ("DOB 3rd May 1975 — verified against passport", [("3rd May 1975", "DATE_OF_BIRTH")]),
    (
        "Handy: +49 170 1234567, Büro: 030 12345678",
        [("+49 170 1234567", "PHONE_NUMBER"), ("030 12345678", "PHONE_NUMBER")],
    ),
    (
        "call 98450 12345 or tel:+14155550199",
        [("98450 12345", "PHONE_NUMBER"), ("+14155550199", "PHONE_NUMBER")],
    ),
    ("Blocked 45.33.32.156 after 40 failed attempts", [("45.33.32.156", "IP_ADDRESS")]),
    # -- hard benign --------------------------------------------------------------------------
    ("Tokens are hashed with HMAC-SHA256 and compared with hmac.compare_digest().", []),
    ("Set `session_cookie_secure = True` and `SESSION_COOKIE_HTTPONLY = True`.", []),
    ("The OTP is sent by SMS; codes expire after 300 seconds.", []),
    ("Use a 6-digit PIN; never reuse the PIN from your bank card.", []),
    ("git checkout -b fix/login-timeout && git push -u origin fix/login-timeout", []),
    ("import { v4 as uuidv4 } from 'uuid'; const id = uuidv4();", []),
    ("Docker image python:3.12-slim-bookworm is 47.3 MB; node:20-alpine3.19 is 41 MB.", []),
    ("Error 0x80070005: access denied while reading HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies.", []),
]
