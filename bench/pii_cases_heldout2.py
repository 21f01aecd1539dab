"""Held-out PII set 2: written on 2026-12-07 *after* the day's recognizer changes.

Set 1 (`bench/pii_cases_heldout.py`) was scored once and then used to find what to fix,
so its figures after the fixes are no longer an estimate for unseen text. This set was
written afterwards, fresh, with other people, places, vendors, countries and layouts than
set 1, and without running the scrubber on it while writing; it was scored once. Same
format as the other case files; every value is fake (cards, IBANs and most ids carry
valid checksums, keys are random).
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- names ------------------------------------------------------------------------------
    (
        "Forwarding to María José Fernández Ruiz, who replaced Nguyễn Văn Hùng as site lead.",
        [("María José Fernández Ruiz", "PERSON"), ("Nguyễn Văn Hùng", "PERSON")],
    ),
    (
        "The reviewers were Ayşe Yılmaz, Tadesse Bekele and Aroha Ngata.",
        [("Ayşe Yılmaz", "PERSON"), ("Tadesse Bekele", "PERSON"), ("Aroha Ngata", "PERSON")],
    ),
    (
        "search_users(query='cohen') returned: [{'name': 'Yael Cohen-Levi', 'dept': 'R&D'}]",
        [("Yael Cohen-Levi", "PERSON")],
    ),
    (
        "thanks!! pls loop in arjun.mehta and bogdan when u get a sec",
        [("arjun.mehta", "PERSON"), ("bogdan", "PERSON")],
    ),
    (
        "Kind regards,\nHamza El Amrani\nSenior Buyer | hamza.elamrani@logistik-nord.example.de",
        [
            ("Hamza El Amrani", "PERSON"),
            ("hamza.elamrani@logistik-nord.example.de", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Ms. Oyelaran-Whitfield asked whether Dr. Kenji Watanabe could join remotely.",
        [("Oyelaran-Whitfield", "PERSON"), ("Kenji Watanabe", "PERSON")],
    ),
    # -- addresses ----------------------------------------------------------------------------
    (
        "Mailing address: 2207 Rue Sainte-Catherine O, Montréal QC H3H 1M6, Canada",
        [("2207 Rue Sainte-Catherine O, Montréal QC H3H 1M6", "ADDRESS")],
    ),
    (
        "Bezorgadres: Prinsengracht 263-1, 1016 GV Amsterdam",
        [("Prinsengracht 263-1, 1016 GV Amsterdam", "ADDRESS")],
    ),
    (
        "Av. Insurgentes Sur 1602, Col. Crédito Constructor, 03940 Ciudad de México, CDMX",
        [("Av. Insurgentes Sur 1602, Col. Crédito Constructor, 03940 Ciudad de México", "ADDRESS")],
    ),
    (
        "He moved to 88 Church Road, Dublin 4, D04 X2K7 last month.",
        [("88 Church Road, Dublin 4, D04 X2K7", "ADDRESS")],
    ),
    # -- credentials --------------------------------------------------------------------------
    (
        'services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: "mK8tPw2vQz"\n',
        [("mK8tPw2vQz", "PASSWORD")],
    ),
    (
        "apiVersion: v1\nkind: Secret\ndata:\n  password: a1Q3I3B3ITl6UQ==\n",
        [("a1Q3I3B3ITl6UQ==", "PASSWORD")],
    ),
    (
        "~/.netrc:\nmachine api.heroku.example login ops@team.example password Fj3kQ9zRw",
        [("ops@team.example", "EMAIL_ADDRESS"), ("Fj3kQ9zRw", "PASSWORD")],
    ),
    (
        "Shopify admin token 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 (do not share)",
        [("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", "API_KEY")],
    ),
    (
        "doctl auth init -t dop_v1_fa0344d8d5cb0f15088a7386180f2a0934e4be77a8e5b8e969362b03bea81fde",
        [
            (
                "dop_v1_fa0344d8d5cb0f15088a7386180f2a0934e4be77a8e5b8e969362b03bea81fde",
                "API_KEY",
            )
        ],
    ),
    (
        "MAILGUN_API_KEY=key-65d27b74e2f8b83c2728ca56f0b2d044",
        [("key-65d27b74e2f8b83c2728ca56f0b2d044", "API_KEY")],
    ),
    (
        "DD_API_KEY: 2bf2594089855fc7787a26c0ab2a5993",
        [("2bf2594089855fc7787a26c0ab2a5993", "API_KEY")],
    ),
    (
        "The Telegram bot token is 5341160144:AAo3l7jVratpA4Ed8QebMOnGLogM-LdvhtO",
        [("5341160144:AAo3l7jVratpA4Ed8QebMOnGLogM-LdvhtO", "API_KEY")],
    ),
    (
        '{"web": {"client_id": "8812.apps.example.com", "client_secret": '
        '"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"}}',
        [("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", "API_KEY")],
    ),
    (
        "x-api-key: XJYFIDAW7U77Dly1LgnjqyoHRnES0QHqvpc3YylC",
        [("XJYFIDAW7U77Dly1LgnjqyoHRnES0QHqvpc3YylC", "API_KEY")],
    ),
    (
        "Databricks: set DATABRICKS_TOKEN to dapi50143475ef59cc1629c4f73361e234ef",
        [("dapi50143475ef59cc1629c4f73361e234ef", "API_KEY")],
    ),
    (
        "SENTRY_DSN=https://4f1e2d3c9b8a@o451234.ingest.sentry.example/5567",
        [("4f1e2d3c9b8a", "API_KEY")],
    ),
    (
        "Set-Cookie: sessionid=Uygy6kXM2QrrW2o6BblriXoG; HttpOnly; Secure",
        [("Uygy6kXM2QrrW2o6BblriXoG", "API_KEY")],
    ),
    ("I changed it to Summer2025 again, sorry", [("Summer2025", "PASSWORD")]),
    ("the door code is 4829#, the alarm code 7713", [("4829#", "PASSWORD"), ("7713", "PASSWORD")]),
    (
        "Your one-time passcode: 662913. It expires in 10 minutes.",
        [("662913", "PASSWORD")],
    ),
    ("root password on the NAS: tr0mb0ne-Velvet", [("tr0mb0ne-Velvet", "PASSWORD")]),
    # -- ids ----------------------------------------------------------------------------------
    ("T.C. Kimlik No: 10485736240", [("10485736240", "NATIONAL_ID")]),
    ("Fødselsnummer 15038912337 er registrert.", [("15038912337", "NATIONAL_ID")]),
    ("personnummer 811218-9876", [("811218-9876", "NATIONAL_ID")]),
    ("US passport 561234987, issued 2019", [("561234987", "PASSPORT")]),
    ("CURP: GOMC850312HDFRRL09", [("GOMC850312HDFRRL09", "NATIONAL_ID")]),
    ("Driving licence number MORGA753116SM9IJ", [("MORGA753116SM9IJ", "DRIVER_LICENSE")]),
    ("Medicare card 2123 45670 1", [("2123 45670 1", "NATIONAL_ID")]),
    # -- money --------------------------------------------------------------------------------
    (
        "Discover 6011 7970 0540 1596 and JCB 3530-7934-3371-4360",
        [("6011 7970 0540 1596", "CREDIT_CARD"), ("3530-7934-3371-4360", "CREDIT_CARD")],
    ),
    ("Mastercard ending 9831: 2221678572489831", [("2221678572489831", "CREDIT_CARD")]),
    ("Überweisung an CH56 0483 5012 3456 7800 9", [("CH56 0483 5012 3456 7800 9", "IBAN_CODE")]),
    (
        "IBAN SA03 8000 0000 6080 1016 7519 / BE68 5390 0754 7034",
        [("SA03 8000 0000 6080 1016 7519", "IBAN_CODE"), ("BE68 5390 0754 7034", "IBAN_CODE")],
    ),
    # -- dates of birth, network, phones ------------------------------------------------------
    ("Patient DOB: 12-Aug-1974, allergies: none", [("12-Aug-1974", "DATE_OF_BIRTH")]),
    ("Birthdate 7/4/62 per the intake form", [("7/4/62", "DATE_OF_BIRTH")]),
    ("fecha de nacimiento: 23 de abril de 1991", [("23 de abril de 1991", "DATE_OF_BIRTH")]),
    ("sshd: Accepted publickey from 198.51.100.23 port 52144", [("198.51.100.23", "IP_ADDRESS")]),
    ("client fe80::1ff:fe23:4567:890a connected", [("fe80::1ff:fe23:4567:890a", "IP_ADDRESS")]),
    (
        "Lagos office: +234 803 123 4567; Jakarta: +62 812-3456-7890",
        [("+234 803 123 4567", "PHONE_NUMBER"), ("+62 812-3456-7890", "PHONE_NUMBER")],
    ),
    (
        "Seoul +82 10-2345-6789, Monterrey +52 81 1234 5678",
        [("+82 10-2345-6789", "PHONE_NUMBER"), ("+52 81 1234 5678", "PHONE_NUMBER")],
    ),
    ("ring me at 07700 900461 after 5", [("07700 900461", "PHONE_NUMBER")]),
    # -- hard benign --------------------------------------------------------------------------
    ("Generate a token with `openssl rand -hex 32` and store it as WEBHOOK_SECRET.", []),
    ("kubectl create secret generic db --from-literal=password=$(cat pw.txt)", []),
    ("const apiKey = process.env.STRIPE_SECRET_KEY; if (!apiKey) throw new Error('missing');", []),
    ("pip install torch==2.3.1+cu121 -f https://download.pytorch.org/whl/torch_stable.html", []),
    ("The build 20241107.3 passed on ubuntu-22.04 and macos-14; artifact id 884213.", []),
    ("Example: `curl -u USERNAME:TOKEN https://api.example.com/v1/me`", []),
    (
        "In 1969 Apollo 11 landed; Armstrong was born in 1930 in Ohio.",
        [("Armstrong", "PERSON"), ("Ohio", "LOCATION")],
    ),
    ('Use the password field\'s `autocomplete="new-password"` attribute in the form.', []),
    ("Container ports: 0.0.0.0:5432->5432/tcp, :::6379->6379/tcp", []),
    ("The model ckpt-7b-instruct-v0.3 uses rope_theta=1000000 and 32 layers.", []),
]
