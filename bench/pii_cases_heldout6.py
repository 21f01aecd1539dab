"""Held-out PII set 6: structured text, written on 2026-12-07 before the seventh round.

Round 7 adds key-aware redaction (a value under a field name that says what it is). This
set was written before that code, without running the scrubber on it: JSON tool results,
CSV with a header row, YAML, `.env` files, `key: value` logs, in English and a few
German, Spanish, French and Portuguese keys; values that the NER cannot tell from their
shape (lone first names, surnames, names that are ordinary words, lower-case user names,
PINs, passwords without digits). Every value is fake.

`BENIGN` is structured text whose `name`-like keys name things (tools, models, files,
packages, products, cities in a weather tool, services), with the rules of set 4: spans
labelled `PUBLIC` are not scored; a benign text is a false alarm when any redaction
overlaps no label.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        '{"id": 4471, "first_name": "Yuki", "last_name": "Tanaka", "plan": "pro"}',
        [("Yuki", "PERSON"), ("Tanaka", "PERSON")],
    ),
    (
        '{"customer": {"name": "Will Hope", "email": "w.hope@mailbox.org", "tier": "gold"}}',
        [("Will Hope", "PERSON"), ("w.hope@mailbox.org", "EMAIL_ADDRESS")],
    ),
    (
        '{"results": [{"firstName": "Rose", "lastName": "Summers", "age": 41}, '
        '{"firstName": "Bill", "lastName": "Frost", "age": 37}]}',
        [("Rose", "PERSON"), ("Summers", "PERSON"), ("Bill", "PERSON"), ("Frost", "PERSON")],
    ),
    (
        '{"patient": "grace mbeki", "dob": "1979-02-14", "ward": "B3"}',
        [("grace mbeki", "PERSON"), ("1979-02-14", "DATE_OF_BIRTH")],
    ),
    (
        '{"username": "daniel.okafor", "role": "admin", "last_login": "2026-11-30"}',
        [("daniel.okafor", "PERSON")],
    ),
    (
        '{"device": "front-door", "door_pin": "7391", "battery": 82}',
        [("7391", "PASSWORD")],
    ),
    (
        '{"service": "smtp", "user": "mailer", "password": "sunshine", "port": 587}',
        [("sunshine", "PASSWORD")],
    ),
    (
        '{"employee": "Frank", "manager": "Dawn Rivers", "department": "Sales"}',
        [("Frank", "PERSON"), ("Dawn Rivers", "PERSON")],
    ),
    (
        '{"shipping": {"full_name": "Amara Nwosu", "street": "14 Orchard Close", '
        '"city": "Leeds", "postcode": "LS6 2QT", "phone": "+44 113 496 0321"}}',
        [
            ("Amara Nwosu", "PERSON"),
            ("14 Orchard Close", "ADDRESS"),
            ("Leeds", "ADDRESS"),
            ("+44 113 496 0321", "PHONE_NUMBER"),
        ],
    ),
    (
        '{"contact": "lee", "ssn": "536-22-8491", "iban": "DE89370400440532013000"}',
        [("lee", "PERSON"), ("536-22-8491", "US_SSN"), ("DE89370400440532013000", "IBAN_CODE")],
    ),
    (
        "id,first_name,last_name,email\n"
        "1,Hope,Walker,hope.w@example.net\n"
        "2,Sunny,Park,spark@example.net",
        [
            ("Hope", "PERSON"),
            ("Walker", "PERSON"),
            ("hope.w@example.net", "EMAIL_ADDRESS"),
            ("Sunny", "PERSON"),
            ("Park", "PERSON"),
            ("spark@example.net", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Vorname;Nachname;Stadt\nJonas;Weber;Köln\nLea;Fischer;Bonn",
        [
            ("Jonas", "PERSON"),
            ("Weber", "PERSON"),
            ("Köln", "ADDRESS"),
            ("Lea", "PERSON"),
            ("Fischer", "PERSON"),
            ("Bonn", "ADDRESS"),
        ],
    ),
    (
        "order_id,customer,total\n9912,Mark Green,41.20\n9913,Joy Bell,18.00",
        [("Mark Green", "PERSON"), ("Joy Bell", "PERSON")],
    ),
    (
        "owner:\n  name: Ivy Chase\n  email: ivy@chase.dev\n  phone: 555-0142-881",
        [
            ("Ivy Chase", "PERSON"),
            ("ivy@chase.dev", "EMAIL_ADDRESS"),
            ("555-0142-881", "PHONE_NUMBER"),
        ],
    ),
    (
        "DB_HOST=db.internal\nDB_USER=app\nDB_PASS=correcthorse\nADMIN_PIN=4821",
        [("correcthorse", "PASSWORD"), ("4821", "PASSWORD")],
    ),
    (
        "user=carter password=letmein host=10.0.0.5",
        [("carter", "PERSON"), ("letmein", "PASSWORD"), ("10.0.0.5", "IP_ADDRESS")],
    ),
    (
        "Name: Sandy Shore\nAddress: 22 Baker Row, Hull\nDOB: 03/07/1988",
        [
            ("Sandy Shore", "PERSON"),
            ("22 Baker Row, Hull", "ADDRESS"),
            ("03/07/1988", "DATE_OF_BIRTH"),
        ],
    ),
    (
        '{"nombre": "Lucía", "apellido": "Vega", "telefono": "612 345 678"}',
        [("Lucía", "PERSON"), ("Vega", "PERSON"), ("612 345 678", "PHONE_NUMBER")],
    ),
    (
        '{"nom": "Martin", "prenom": "Claire", "adresse": "5 rue des Lilas, Lyon"}',
        [("Martin", "PERSON"), ("Claire", "PERSON"), ("5 rue des Lilas, Lyon", "ADDRESS")],
    ),
    (
        '{"nome": "Joao", "sobrenome": "Lima", "senha": "flamengo"}',
        [("Joao", "PERSON"), ("Lima", "PERSON"), ("flamengo", "PASSWORD")],
    ),
    (
        '{"tool": "crm_lookup", "result": {"contact_name": "Pat", "account": "ACME-22"}}',
        [("Pat", "PERSON")],
    ),
    (
        '{"passcode": "112358", "holder": "Ray"}',
        [("112358", "PASSWORD"), ("Ray", "PERSON")],
    ),
    (
        "surname: Gold\ngiven_name: Amber\nbirth_date: 1990-12-01",
        [("Gold", "PERSON"), ("Amber", "PERSON"), ("1990-12-01", "DATE_OF_BIRTH")],
    ),
    (
        '[{"author": "Mona Reyes", "comment": "ship it"}, {"author": "Kit", "comment": "lgtm"}]',
        [("Mona Reyes", "PERSON"), ("Kit", "PERSON")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    (
        '{"name": "get_weather", "description": "Current weather", '
        '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}',
        [],
    ),
    ('{"tool_name": "search_docs", "arguments": {"query": "reset password"}}', []),
    ('{"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 512}', []),
    ('{"name": "keepgate", "version": "1.4.0", "dependencies": {"httpx": "^0.27"}}', []),
    ('{"filename": "report.pdf", "size": 20411, "mime": "application/pdf"}', []),
    ('{"app_name": "Outlook", "platform": "windows", "status": "installed"}', []),
    ("name,version,license\nrequests,2.32.3,Apache-2.0\nDjango,4.2.11,BSD-3-Clause", []),
    ("services:\n  web:\n    image: nginx:1.27\n    container_name: web\n    restart: always", []),
    ('{"product": {"name": "Excel", "vendor": "Microsoft"}, "seats": 40}', []),
    ('{"job": {"name": "nightly-build", "runner": "Jenkins", "status": "passed"}}', []),
    ('{"city": "Paris", "temp_c": 14, "conditions": "cloudy"}', [("Paris", "PUBLIC")]),
    ("APP_NAME=keepgate\nLOG_LEVEL=info\nPORT=8080\nPASSWORD_MIN_LENGTH=12", []),
    ('{"name": "WhatsApp", "category": "messaging", "rating": 4.3}', []),
    ("- name: Install packages\n  apt:\n    name: nginx\n    state: present", []),
    ('{"branch": "main", "name": "CI", "conclusion": "success"}', []),
    ('{"field": "password", "error": "too short", "min_length": 12}', []),
    ("key,value\ntimeout,30\nretries,3\nname,default", []),
    ('{"queue_name": "emails", "pending": 12, "workers": 4}', []),
]
