"""Held-out PII set 1: assistant answers and tool outputs as an agent sees them.

Written on 2026-12-07 *before* any change to the recognizers of that day, without reading
them, to estimate how the scrubber does on text nobody tuned it on: names from many
cultures (in Latin script, lower-case, next to titles and e-mails, a few in their own
script), addresses in several countries' formats, credentials in the shapes they take in
config files, headers, logs and prose, national ids of several countries, split or spaced
cards and IBANs, dates of birth, IPs and international phone numbers; then hard benign
texts (code, config docs with placeholders, changelogs) with no PII at all.

Do not tune on it: `bench/pii_cases_heldout2.py` is the second fresh set, written after
the changes. Each case is the text and its values with their type (as in
`bench/pii_cases.py`; a value occurs once per text). Every value is fake: cards, IBANs and
ids carry valid checksums so that a checksum recognizer has a fair chance; keys are random.
"""

from __future__ import annotations

_PEM_BODY = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7k2Qm8vXp3RyT\n"
    "cGEoWFMwNbdRw6mF8u9oiqaNs0Gc4LtWa4pmDP4iXJ44MG508LOvndABLZCPvmDX\n"
    "qQYAMWHS5FwMezMv3q4W/hNeRM0CKSSXCb12XUFWTdnEBw+Y8u3yVdkmoBYp6Sm1\n"
    "EPNamiRt60mny+RxplSEt47m2qlc72i4/h58Smg0x2iGF2nSvbsNH3nCUj0kHO2N"
)
_OPENSSH_BODY = (
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "Dx1GeG6L0HA4uTNHNoFazROpRZ27WnV35PWTbTXSG9bU07fcLgoQ3HXMGaABhjDw"
)

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- names from many cultures -----------------------------------------------------------
    (
        "I've drafted the reply to Zhang Wei and copied Li Xiaoming, who owns the budget.",
        [("Zhang Wei", "PERSON"), ("Li Xiaoming", "PERSON")],
    ),
    (
        "Summary of the call: Venkatesh Subramaniam agreed to the timeline; "
        "Priya Raghunathan will send the revised SOW on Friday.",
        [("Venkatesh Subramaniam", "PERSON"), ("Priya Raghunathan", "PERSON")],
    ),
    (
        "The contract was signed by Mohammed bin Khalid Al-Qahtani on behalf of the buyer.",
        [("Mohammed bin Khalid Al-Qahtani", "PERSON")],
    ),
    (
        "Escalated to Oleksandr Kovalenko (team lead) and Katarzyna Wiśniewska from legal.",
        [("Oleksandr Kovalenko", "PERSON"), ("Katarzyna Wiśniewska", "PERSON")],
    ),
    (
        "ok so i talked to ravi and nguyen thi lan yesterday, they both want the late shift",
        [("ravi", "PERSON"), ("nguyen thi lan", "PERSON")],
    ),
    (
        "Dr. Chukwuemeka Obi will see you at 3 pm; please bring your referral letter.",
        [("Chukwuemeka Obi", "PERSON")],
    ),
    (
        "Reviewer: Prof. Hu Jintao-Ming <hu.jm@tsinghua-example.edu.cn>",
        [("Hu Jintao-Ming", "PERSON"), ("hu.jm@tsinghua-example.edu.cn", "EMAIL_ADDRESS")],
    ),
    (
        "Tool output:\n| id | name | role |\n|----|------|------|\n| 17 | Fatima Zahra Benali | admin |\n"
        "| 18 | Siddharth Iyer | viewer |",
        [("Fatima Zahra Benali", "PERSON"), ("Siddharth Iyer", "PERSON")],
    ),
    (
        "Per Svetlana's note, Mr. Dmitriy Kuznetsov prefers to be contacted after 6 pm Moscow time.",
        [("Svetlana", "PERSON"), ("Dmitriy Kuznetsov", "PERSON"), ("Moscow", "LOCATION")],
    ),
    (
        "The patient, 王芳, was discharged; her son Иван Петров signed the form.",
        [("王芳", "PERSON"), ("Иван Петров", "PERSON")],
    ),
    (
        "Sure — I'll address the letter to Ms. Yuki Tanaka-Hoffmann and cc Kwame Mensah.",
        [("Yuki Tanaka-Hoffmann", "PERSON"), ("Kwame Mensah", "PERSON")],
    ),
    (
        '{"customer": {"first_name": "Thandiwe", "last_name": "Nkosi", "tier": "gold"}}',
        [("Thandiwe", "PERSON"), ("Nkosi", "PERSON")],
    ),
    (
        "git log --format='%an <%ae>' | head -2\nSeo-yeon Park <seoyeon.park@mailbox.example>\n"
        "Aleksandar Jovanović <a.jovanovic@firma.example.rs>",
        [
            ("Seo-yeon Park", "PERSON"),
            ("seoyeon.park@mailbox.example", "EMAIL_ADDRESS"),
            ("Aleksandar Jovanović", "PERSON"),
            ("a.jovanovic@firma.example.rs", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Hi Abdulrahman, thanks for your patience. Your ticket has been reassigned to Ingrid.",
        [("Abdulrahman", "PERSON"), ("Ingrid", "PERSON")],
    ),
    # -- addresses ----------------------------------------------------------------------------
    (
        "Ship to: Carlos Mendoza, 4821 Maple Ridge Dr, Apt 12B, Austin, TX 78745, USA",
        [
            ("Carlos Mendoza", "PERSON"),
            ("4821 Maple Ridge Dr, Apt 12B, Austin, TX 78745", "ADDRESS"),
        ],
    ),
    (
        "Her registered address is Flat 3, 27 Hollybush Lane, Leeds LS6 2QJ.",
        [("Flat 3, 27 Hollybush Lane, Leeds LS6 2QJ", "ADDRESS")],
    ),
    (
        "Lieferadresse: Jonas Becker, Lindenstraße 48, 10969 Berlin",
        [("Jonas Becker", "PERSON"), ("Lindenstraße 48, 10969 Berlin", "ADDRESS")],
    ),
    (
        "The invoice goes to 14 rue des Tanneurs, 69002 Lyon, France.",
        [("14 rue des Tanneurs, 69002 Lyon", "ADDRESS")],
    ),
    (
        "Courier pickup: Flat 402, Sai Krupa Residency, 5th Cross, Indiranagar, Bengaluru 560038",
        [("Flat 402, Sai Krupa Residency, 5th Cross, Indiranagar, Bengaluru 560038", "ADDRESS")],
    ),
    (
        "Endereço: Rua Augusta, 1508, apto 71, São Paulo - SP, 01304-001",
        [("Rua Augusta, 1508, apto 71, São Paulo - SP, 01304-001", "ADDRESS")],
    ),
    (
        "Deliver to Unit 5/18 Wattle St, Newtown NSW 2042 before noon.",
        [("Unit 5/18 Wattle St, Newtown NSW 2042", "ADDRESS")],
    ),
    (
        "Office: 〒150-0043 Tokyo-to, Shibuya-ku, Dogenzaka 2-14-3",
        [("150-0043 Tokyo-to, Shibuya-ku, Dogenzaka 2-14-3", "ADDRESS")],
    ),
    # -- credentials in config, headers, logs -------------------------------------------------
    (
        "Here's your .env:\n\nDATABASE_URL=postgres://app_rw:Vx7pQ2mZr9@db.internal.example:5432/orders\n"
        "REDIS_URL=redis://default:c4Lm9QzW2xT@cache.example:6379/0\nDEBUG=false\n",
        [("Vx7pQ2mZr9", "PASSWORD"), ("c4Lm9QzW2xT", "PASSWORD")],
    ),
    (
        "Connect with: mongodb+srv://analytics:Tr0ub4dor&3@cluster0.ab1cd.mongodb.net/reports",
        [("Tr0ub4dor&3", "PASSWORD")],
    ),
    (
        "mysql -h 10.20.30.40 -u billing -p'Qw8#nZ3v!k' billing_prod",
        [("10.20.30.40", "IP_ADDRESS"), ("Qw8#nZ3v!k", "PASSWORD")],
    ),
    (
        '{\n  "username": "svc-export",\n  "password": "kT9vmQp2LxW4",\n  "host": "sftp.example.net"\n}',
        [("kT9vmQp2LxW4", "PASSWORD")],
    ),
    (
        "database:\n  host: localhost\n  user: reporting\n  secret: nB5rT8wQ1zXc\n  port: 5432\n",
        [("nB5rT8wQ1zXc", "PASSWORD")],
    ),
    (
        "curl -H 'Authorization: Basic ZGVwbG95OmVEOUtBMEVDT09qWWFz' https://ci.example.com/api/builds",
        [("ZGVwbG95OmVEOUtBMEVDT09qWWFz", "API_KEY")],
    ),
    (
        "GET /v2/orders HTTP/1.1\nHost: api.example.com\nAuthorization: Bearer "
        "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiODgxMiIsICJuYW1lIjogInVzZXIiLCAia"
        "WF0IjogMTczMzUwMDAwMH0.nsCT6WgPGk77SmJLekfi5nX69ctOrdnYlvGcfjpQtN8\n",
        [
            (
                "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiODgxMiIsICJuYW1lIjogInVzZXIiLCAia"
                "WF0IjogMTczMzUwMDAwMH0.nsCT6WgPGk77SmJLekfi5nX69ctOrdnYlvGcfjpQtN8",
                "API_KEY",
            )
        ],
    ),
    (
        "The deploy key is below, add it to the runner:\n\n-----BEGIN PRIVATE KEY-----\n"
        + _PEM_BODY
        + "\n-----END PRIVATE KEY-----\n",
        [(_PEM_BODY, "API_KEY")],
    ),
    (
        "~/.ssh/id_ed25519:\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + _OPENSSH_BODY
        + "\n-----END OPENSSH PRIVATE KEY-----",
        [(_OPENSSH_BODY, "API_KEY")],
    ),
    (
        "[default]\naws_access_key_id = AKIAHU66GO90952PAFHS\n"
        "aws_secret_access_key = LK6sNdVU72lZ/o2+YH19dCqgn28s9Dp68GZN9Z3z\nregion = eu-west-1",
        [
            ("AKIAHU66GO90952PAFHS", "API_KEY"),
            ("LK6sNdVU72lZ/o2+YH19dCqgn28s9Dp68GZN9Z3z", "API_KEY"),
        ],
    ),
    (
        "The temporary credentials from STS are ASIAG2A5UNZQWWY6EVF9 (expires in 1 h).",
        [("ASIAG2A5UNZQWWY6EVF9", "API_KEY")],
    ),
    (
        "export GITHUB_TOKEN=ghp_s1racjP4M9DZH7Fx6mqSFDGX0FZBJQ6c1suD",
        [("ghp_s1racjP4M9DZH7Fx6mqSFDGX0FZBJQ6c1suD", "API_KEY")],
    ),
    (
        "Fine-grained token created: github_pat_11G26Q2L14ER5XGM0J2AFA_CLI71fNYmphNcWI9rQWOwjauQLKX783"
        "FSU8iIoELi9M4SGsfAQk7iYY6LtG",
        [
            (
                "github_pat_11G26Q2L14ER5XGM0J2AFA_CLI71fNYmphNcWI9rQWOwjauQLKX783"
                "FSU8iIoELi9M4SGsfAQk7iYY6LtG",
                "API_KEY",
            )
        ],
    ),
    (
        "SLACK_BOT_TOKEN: xoxb-992298369579-3186032080737-TR4biPHnY4H59ikQ2lyrBIA3",
        [("xoxb-992298369579-3186032080737-TR4biPHnY4H59ikQ2lyrBIA3", "API_KEY")],
    ),
    (
        "Post alerts to https://hooks.slack.com/services/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",
        [("TGPBTHG9W/BU3CZUN31HX/3GR7qys80wdVTB4bsSvsU9XZ", "API_KEY")],
    ),
    (
        'stripe.api_key = "sk_live_6htXAuL5bI9vmJdUhkNhhciH"  # TODO move to vault',
        [("sk_live_6htXAuL5bI9vmJdUhkNhhciH", "API_KEY")],
    ),
    (
        "Restricted key for the reporting job: rk_live_wMPPtbBLiwAyypXAQoXilIbQT7IRJz4qYjobbrIEAq9ui8"
        "OLf1lJcP390G",
        [("rk_live_wMPPtbBLiwAyypXAQoXilIbQT7IRJz4qYjobbrIEAq9ui8OLf1lJcP390G", "API_KEY")],
    ),
    (
        "OPENAI_API_KEY=sk-proj-AYcOlftxIUqiTVg5bIn22SLtKc9zyI9HZPQk9GgfjUyvJqtc_VLQYmk5ssIswiymVOa2MPE8"
        "BwZX5X4IkUHbluIjk-b4hGQ4TPXa1xextnIjMN",
        [
            (
                "sk-proj-AYcOlftxIUqiTVg5bIn22SLtKc9zyI9HZPQk9GgfjUyvJqtc_VLQYmk5ssIswiymVOa2MPE8"
                "BwZX5X4IkUHbluIjk-b4hGQ4TPXa1xextnIjMN",
                "API_KEY",
            )
        ],
    ),
    (
        "client = OpenAI(api_key='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')",
        [("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", "API_KEY")],
    ),
    (
        'anthropic = Anthropic(api_key="sk-ant-api03-HCvP3QP_ZOwz7CSS0WBt4q3IQpOI4HsIDQspIL6ZZcQ0Rm_A2TQ'
        'hZwbIGqQ189RbeCpIPcA6JVkybmtQC7AvNk-KATHRLAA")',
        [
            (
                "sk-ant-api03-HCvP3QP_ZOwz7CSS0WBt4q3IQpOI4HsIDQspIL6ZZcQ0Rm_A2TQ"
                "hZwbIGqQ189RbeCpIPcA6JVkybmtQC7AvNk-KATHRLAA",
                "API_KEY",
            )
        ],
    ),
    (
        "AZURE_CLIENT_SECRET=UUP8Q~-M9l-P~ORUxjwGXnBd7EA2-q-BI~rPUYyt",
        [("UUP8Q~-M9l-P~ORUxjwGXnBd7EA2-q-BI~rPUYyt", "API_KEY")],
    ),
    (
        "Storage account key (key1): tsqheJMwrITq6vxgxt0+dMCUl70tPsf8ahmTGQduyl23zvEC/BVu226UAN49lBzo"
        "kTuowA3y2dsIKUYb96IT+r==",
        [
            (
                "tsqheJMwrITq6vxgxt0+dMCUl70tPsf8ahmTGQduyl23zvEC/BVu226UAN49lBzokTuowA3y2dsIKUYb96IT+r==",
                "API_KEY",
            )
        ],
    ),
    (
        "Hugging Face: hf_puT5DSpzpG32uAcFpMlCmXhLELyEHbF8ny, npm: npm_UcHDYisp3HurXB3VLbwM3Hk9HhKxZnLeJkDz",
        [
            ("hf_puT5DSpzpG32uAcFpMlCmXhLELyEHbF8ny", "API_KEY"),
            ("npm_UcHDYisp3HurXB3VLbwM3Hk9HhKxZnLeJkDz", "API_KEY"),
        ],
    ),
    (
        "GitLab CI variable CI_PUSH_TOKEN is glpat-on1ZaFzgHvIVkGveBo5e and SendGrid uses "
        "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",
        [
            ("glpat-on1ZaFzgHvIVkGveBo5e", "API_KEY"),
            ("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", "API_KEY"),
        ],
    ),
    (
        '"private_key": "-----BEGIN RSA PRIVATE KEY-----\\nqQYAMWHS5FwMezMv3q4W/hNeRM0CKSSXCb12XUFWTdnEBw+Y8u3'
        'yVdkmoBYp6Sm1\\n-----END RSA PRIVATE KEY-----\\n", "client_email": "etl@proj-4411.iam.gserviceaccount.com"',
        [
            ("qQYAMWHS5FwMezMv3q4W/hNeRM0CKSSXCb12XUFWTdnEBw+Y8u3yVdkmoBYp6Sm1", "API_KEY"),
            ("etl@proj-4411.iam.gserviceaccount.com", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Twilio: account AC34d68e46a59036ec2bc20b2876a82932, auth token 1be31943d73232c14e09dbe61d9485c1",
        [("1be31943d73232c14e09dbe61d9485c1", "API_KEY")],
    ),
    (
        "git clone https://oauth2:glpat-Xr4mTq9ZbW2kLp7Yv3Nc@gitlab.example.com/infra/terraform.git",
        [("glpat-Xr4mTq9ZbW2kLp7Yv3Nc", "API_KEY")],
    ),
    # -- passwords in prose -------------------------------------------------------------------
    ("my password is hunter2, can you check why login fails?", [("hunter2", "PASSWORD")]),
    ("pw: sunflower88 (same as the old one)", [("sunflower88", "PASSWORD")]),
    ("The router's admin passcode is 7731-zebra.", [("7731-zebra", "PASSWORD")]),
    (
        "user marta.k, password correcthorsebatterystaple, then hit Sign in.",
        [("marta.k", "PERSON"), ("correcthorsebatterystaple", "PASSWORD")],
    ),
    ("Log in as admin with Pa$$w0rd and rotate it afterwards.", [("Pa$$w0rd", "PASSWORD")]),
    ("Wifi: CafeLuna_5G / espresso2024!", [("espresso2024!", "PASSWORD")]),
    ("docker login registry.example.io -u ci-bot -p Zq4!vR8m2", [("Zq4!vR8m2", "PASSWORD")]),
    ("The PIN for the shared card is 4471.", [("4471", "PASSWORD")]),
    # -- national ids -------------------------------------------------------------------------
    (
        "Applicant SSN: 529-43-8821, DOB 04/11/1986.",
        [("529-43-8821", "US_SSN"), ("04/11/1986", "DATE_OF_BIRTH")],
    ),
    ("NI number QQ 12 34 56 C is on the payslip.", [("QQ 12 34 56 C", "NATIONAL_ID")]),
    (
        "Aadhaar: 7392 5184 0626, PAN: AFZPK7190K",
        [("7392 5184 0626", "NATIONAL_ID"), ("AFZPK7190K", "TAX_ID")],
    ),
    ("CPF do titular: 529.982.247-25", [("529.982.247-25", "NATIONAL_ID")]),
    ("居民身份证号码 110105198806142032", [("110105198806142032", "NATIONAL_ID")]),
    (
        "PESEL 88072314575, NIP 526-104-08-28",
        [("88072314575", "NATIONAL_ID"), ("526-104-08-28", "TAX_ID")],
    ),
    ("BSN van de klant: 111222333", [("111222333", "NATIONAL_ID")]),
    (
        "Numéro de sécurité sociale : 1 85 05 78 006 084 36",
        [("1 85 05 78 006 084 36", "NATIONAL_ID")],
    ),
    (
        "Codice fiscale RSSMRA85T10A562S, Steuer-ID 65 929 970 489",
        [("RSSMRA85T10A562S", "TAX_ID"), ("65 929 970 489", "TAX_ID")],
    ),
    (
        "SIN 046 186 250 and driver's licence D6101-40706-60905",
        [("046 186 250", "NATIONAL_ID"), ("D6101-40706-60905", "DRIVER_LICENSE")],
    ),
    (
        "South African ID 8801235111278, passport M00123457",
        [("8801235111278", "NATIONAL_ID"), ("M00123457", "PASSPORT")],
    ),
    ("주민등록번호 900101-1234568 확인했습니다.", [("900101-1234568", "NATIONAL_ID")]),
    (
        "NHS number 943 476 5919 — Mr Harjit Singh, born 2 March 1951",
        [
            ("943 476 5919", "NATIONAL_ID"),
            ("Harjit Singh", "PERSON"),
            ("2 March 1951", "DATE_OF_BIRTH"),
        ],
    ),
    # -- cards and bank accounts --------------------------------------------------------------
    (
        "Card on file: 4526 0181 5908 3012, exp 09/28, CVV 431",
        [("4526 0181 5908 3012", "CREDIT_CARD")],
    ),
    ("amex 3796-030824-62817", [("3796-030824-62817", "CREDIT_CARD")]),
    (
        "The card number is 5661 3186\n0913 9097 (split across lines in the scan).",
        [("5661 3186\n0913 9097", "CREDIT_CARD")],
    ),
    (
        "IBAN: DE35 3704 0044 0532 0130 99 (Commerzbank)",
        [("DE35 3704 0044 0532 0130 99", "IBAN_CODE")],
    ),
    (
        "Pay to FR25 2004 1010 0505 0001 3M02 699, ref INV-2291",
        [("FR25 2004 1010 0505 0001 3M02 699", "IBAN_CODE")],
    ),
    ("Beneficiary account GB57NWBK60161331926800", [("GB57NWBK60161331926800", "IBAN_CODE")]),
    (
        "iban pl65 1090 1014 0000 0712 1981 2899",
        [("pl65 1090 1014 0000 0712 1981 2899", "IBAN_CODE")],
    ),
    # -- dates of birth, IPs, phones ----------------------------------------------------------
    (
        "Date of birth: 1990-07-22. Place of birth: Porto.",
        [("1990-07-22", "DATE_OF_BIRTH"), ("Porto", "LOCATION")],
    ),
    (
        "She was born on March 3, 1985 in Lagos.",
        [("March 3, 1985", "DATE_OF_BIRTH"), ("Lagos", "LOCATION")],
    ),
    (
        "Failed logins from 203.0.113.77 and 2001:db8:85a3::8a2e:370:7334 in the last hour.",
        [("203.0.113.77", "IP_ADDRESS"), ("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS")],
    ),
    (
        "Call me on +44 20 7946 0958 or +91 98765 43210.",
        [("+44 20 7946 0958", "PHONE_NUMBER"), ("+91 98765 43210", "PHONE_NUMBER")],
    ),
    (
        "WhatsApp +86 138 0013 8000, mobile +33 6 12 34 56 78",
        [("+86 138 0013 8000", "PHONE_NUMBER"), ("+33 6 12 34 56 78", "PHONE_NUMBER")],
    ),
    (
        "Tel. +49 (0)30 901820-14, Japan office +81 90-1234-5678",
        [("+49 (0)30 901820-14", "PHONE_NUMBER"), ("+81 90-1234-5678", "PHONE_NUMBER")],
    ),
    (
        "Reach the driver at 0412 345 678 or +971 50 123 4567.",
        [("0412 345 678", "PHONE_NUMBER"), ("+971 50 123 4567", "PHONE_NUMBER")],
    ),
    ("Contato: (11) 91234-5678", [("(11) 91234-5678", "PHONE_NUMBER")]),
    # -- hard benign: no PII ------------------------------------------------------------------
    ("DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DBNAME  # replace with your own values", []),
    ("Set `OPENAI_API_KEY=sk-...` in your shell; never commit the real key.", []),
    ("```yaml\nauth:\n  password: ${DB_PASSWORD}\n  token: {{ .Values.token }}\n```", []),
    (
        "def check(password: str) -> bool:\n    return bcrypt.checkpw(password.encode(), stored_hash)",
        [],
    ),
    ("The header must be `Authorization: Bearer <token>`; a missing token returns 401.", []),
    ("Release 3.12.1 (2024-10-01): fixed #4412, bumped urllib3 to 2.2.3, sha 9c1e4f7.", []),
    ('for i in range(1024):\n    key = f"user:{i}"\n    cache.set(key, i * 31)', []),
    ("The password reset link expires after 30 minutes; request a new one if it did.", []),
    ("Ports 5432, 6379 and 8080 must be open; the subnet is 10.0.0.0/16 in the example.", []),
    (
        "SHA-256 of the release tarball: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        [],
    ),
    ("Use `secrets.token_urlsafe(32)` to generate the value of SECRET_KEY in production.", []),
    ('The API returns {"token_type": "bearer", "expires_in": 3600, "scope": "read"}.', []),
]
