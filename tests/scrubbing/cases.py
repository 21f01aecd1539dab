"""Labelled sample values, one per entity type the default config scrubs (all fake)."""

from __future__ import annotations

#: entity type -> (value, a sentence around it); values pass Presidio's checksums.
CASES: dict[str, tuple[str, str]] = {
    "EMAIL_ADDRESS": ("john.smith@acme.io", "Write to {} for details."),
    "PHONE_NUMBER": ("+1 (212) 555-1234", "Call {} after nine."),
    "CREDIT_CARD": ("4111 1111 1111 1111", "The card 4111 is not it; use {} instead."),
    "IBAN_CODE": ("GB82 WEST 1234 5698 7654 32", "Transfer to {} today."),
    "IP_ADDRESS": ("192.168.10.42", "The host is {} on the office network."),
    "US_SSN": ("536-90-4399", "Her SSN is {} per the form."),
    "URL": ("https://intranet.acme.io/hr/records?session=Zk8Qw2Lm9Xv4Tp7R", "See {} for the file."),
    "CRYPTO": ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "Send BTC to {} now."),
    "OPENAI_API_KEY": ("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "Use {} as the key."),
    "ANTHROPIC_API_KEY": ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1H", "Set it to {} please."),
    "AWS_ACCESS_KEY": ("AKIAIOSFODNN7EXAMPLE", "The id {} belongs to ci."),
    "GITHUB_TOKEN": ("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "Token {} was leaked."),
    "SLACK_TOKEN": ("xoxb-123456789012-abcdefghijKL", "Bot uses {} today."),
    "STRIPE_KEY": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Charge with {} only."),
    "JWT": (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "Header Authorization: {} ok.",
    ),
    "PRIVATE_KEY": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7\nq9Zk3\n-----END RSA PRIVATE KEY-----",
        "Here:\n{}\nDone.",
    ),
    "SECRET": ("Xk9#mP2$vL7qR4", "The password: {} is temporary."),
}


def sentence(entity: str) -> tuple[str, str]:
    value, template = CASES[entity]
    return value, template.format(value)


#: The formats issue 15 listed as missed, one sentence each: (id, entity, value, template).
#: Reformatted values are redacted in their original form.
FORMATS: list[tuple[str, str, str, str]] = [
    ("password_no_separator", "SECRET", "Qr7!dke#39", "My password {} is on the note."),
    ("password_pair", "SECRET", "W!nter2024", "Log in as admin / {} please."),
    ("password_equals", "SECRET", "hunter2hunter2", "Set password={} and retry."),
    ("password_config_line", "SECRET", "s3cr3tPa55word", "DB_USER=app\nDB_PASSWORD={}\n"),
    (
        "aws_secret_key",
        "AWS_SECRET_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key = {}\nregion = eu-west-1",
    ),
    (
        "google_api_key",
        "GOOGLE_API_KEY",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "The Maps key {} is restricted.",
    ),
    ("ssn_no_dashes", "US_SSN", "536228491", "His SSN {} is on file."),
    ("in_pan", "IN_PAN", "ABCDE1234F", "PAN: {} for the return."),
    ("in_aadhaar", "IN_AADHAAR", "2345 6789 0124", "Aadhaar {} is linked."),
    ("uk_nino", "UK_NINO", "QQ 12 34 56 C", "NI number: {} on the payslip."),
    ("passport", "PASSPORT", "533380006", "Passport number: {}, expires 2030."),
    ("driver_license", "DRIVER_LICENSE", "D1234-56789-01234", "Driver's licence {} (NY)."),
    ("tax_id", "TAX_ID", "12-3456789", "Our tax ID: {} on invoices."),
    ("card_double_spaces", "CREDIT_CARD", "4111  1111  1111  1111", "Card {} on file."),
    ("card_tabs", "CREDIT_CARD", "4111\t1111\t1111\t1111", "Card {} on file."),
    ("card_newlines", "CREDIT_CARD", "4111\n1111\n1111\n1111", "Card {} on file."),
    ("card_nbsp", "CREDIT_CARD", "4111\u00a01111\u00a01111\u00a01111", "Card {} on file."),
    ("card_digit_spaces", "CREDIT_CARD", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "Card {} on file."),
    ("card_fullwidth", "CREDIT_CARD", "４１１１ １１１１ １１１１ １１１１", "Card {} on file."),
    ("iban_double_spaces", "IBAN_CODE", "GB82  WEST  1234  5698  7654  32", "Pay {} today."),
    ("email_fullwidth_at", "EMAIL_ADDRESS", "john.smith＠acme.io", "Mail {} now."),
    ("email_percent", "EMAIL_ADDRESS", "john.smith%40acme.io", "Mail {} now."),
    ("email_html_entity", "EMAIL_ADDRESS", "john.smith&#64;acme.io", "Mail {} now."),
    ("email_zero_width", "EMAIL_ADDRESS", "john.smith\u200b@acme.io", "Mail {} now."),
    # JSON mode: the client parses the answer, and `\u0040` is an @ (red team round 4)
    ("email_json_escape", "EMAIL_ADDRESS", "john.smith\\u0040acme.io", '{{"to": "{}"}}'),
    ("ssn_json_escape", "US_SSN", "\\u0031\\u0032\\u0033-45-6789", '{{"ssn": "{}"}}'),
    ("person", "PERSON", "Daniel Whitaker", "Please send the invoice to {} today."),
    ("organization", "ORGANIZATION", "Northwind Traders", "She joined {} last spring."),
    ("location", "LOCATION", "Lisbon", "The office in {} opens at nine."),
]


#: Shapes added on 2026-12-07 (docs/pii.md, "Generalisation"), found by their shape and
#: context on text written for bench/pii_cases_heldout.py: also part of FORMATS.
NEW_SHAPES: list[tuple[str, str, str, str]] = [
    (
        "auth_basic_header",
        "SECRET",
        "ZXRsOnBhc3M5OTJ4cXo=",
        "Send Authorization: Basic {} with it.",
    ),
    ("cli_password_flag", "SECRET", "Vb7!qLz3m", "Then run: mysql -u root -p'{}' orders"),
    ("cli_password_flag_bare", "SECRET", "Tq4!mWz8", "$ docker login -u deploy -p {}"),
    (
        "query_password_mid_string",
        "SECRET",
        "Hw7qZ3kP",
        "Use jdbc:mysql://db-main:3306/crm?user=etl&password={}&useSSL=true now.",
    ),
    ("ado_net_password", "SECRET", "Rq5kTmz8w", "Server=sql01;Uid=svc;Pwd={};Encrypt=yes"),
    ("sshpass_password", "SECRET", "Zq4!vR8m2", "Run sshpass -p '{}' ssh deploy@build-host uptime"),
    ("curl_user_password", "SECRET", "Tq4!mWz8z", "curl -u deploy:{} https://ci.example.com"),
    ("pin_digits", "SECRET", "8302", "The PIN for the card is {} today."),
    ("prefixed_token", "SECRET", "hf_Qz8kLm3NbV7xWp2RtY6cJd9FgH4sKa", "Set HF to {} in CI."),
    (
        "dotted_prefixed_token",
        "SECRET",
        "SG.Xk3mPq9Lz2WvBn7Rt4Yc.Hj8Fd2Ks6Gm1Qw9Ez3Rx7Tv5Ny",
        "Mail uses {} now.",
    ),
    ("password_shape_in_prose", "SECRET", "Gr8!tOak2Q", "Log in as ops with {} and rotate it."),
    ("date_of_birth_words", "DATE_OF_BIRTH", "14 July 1979", "She was born on {} in a small town."),
    ("date_of_birth_numeric", "DATE_OF_BIRTH", "1983-02-27", "DOB: {} (verified)."),
    ("date_of_birth_month_first", "DATE_OF_BIRTH", "October 9, 1962", "DOB: {} (verified)."),
    ("br_cpf", "NATIONAL_ID", "318.604.771-43", "The number on file is {} today."),
    ("cl_rut", "NATIONAL_ID", "12.345.678-5", "The number on file is {} today."),
    ("cl_rut_k", "NATIONAL_ID", "10.000.013-K", "The number on file is {} today."),
    ("be_national_register", "NATIONAL_ID", "85.07.30-033.28", "The number on file is {} today."),
    ("jp_my_number", "NATIONAL_ID", "1234 5678 9018", "マイナンバー: {} です。"),
    ("cn_resident_id", "NATIONAL_ID", "11010519491231002X", "The number on file is {} today."),
    ("phone_passing_nhs_check", "PHONE_NUMBER", "401 023 2137", "Phone: {} after six."),
    ("door_code_digits", "SECRET", "5521#", "The gate code is {} tonight."),
    ("session_cookie", "SECRET", "Rk2Lm8Qz4Xv7Tp1Wn9Bc", "Cookie: sessionid={}; HttpOnly"),
    ("key_prefixed_hex", "SECRET", "key-9a1b2c3d4e5f60718293a4b5c6d7e8f9", "MAILER_KEY={}\n"),
    (
        "date_of_birth_format_hint",
        "DATE_OF_BIRTH",
        "04/12/1987",
        "Date of Birth (MM/DD/YYYY): {} on the form.",
    ),
    (
        "date_of_birth_bracket_hint",
        "DATE_OF_BIRTH",
        "04.12.1987",
        "her dob [dd.mm.yyyy] {} is on file.",
    ),
    ("date_of_birth_dashed_month", "DATE_OF_BIRTH", "05-Nov-1969", "DOB {} on the chart."),
    ("email_internal_domain", "EMAIL_ADDRESS", "priya.n@payroll.corp.internal", "Mail {} now."),
    ("mastercard_series_2", "CREDIT_CARD", "2720 9931 0000 0000", "Pay with {} today."),
    # Round 9: e-mail addresses written out (keepgate/scrubbing/written_email.py) and
    # session cookies by their name (`sid=`, `PHPSESSID=`)
    ("email_at_dot_words", "EMAIL_ADDRESS", "marek.nowak at onet dot pl", "Mail {} today."),
    ("email_bracketed", "EMAIL_ADDRESS", "ines [at] sapo [dot] pt", "Contact: {} please."),
    ("email_parenthesised", "EMAIL_ADDRESS", "b.osei(at)ug(dot)edu(dot)gh", "Write {} soon."),
    ("email_spaced_at", "EMAIL_ADDRESS", "yara.haddad @ gmx . net", "Reach me at {} ok."),
    ("email_at_word_real_dot", "EMAIL_ADDRESS", "d_kowal at wp.pl", "Send it to {} now."),
    ("session_cookie_sid", "SECRET", "Hq3Zt8Wm2Kx7Lp4Vr9", "Cookie: lang=de; sid={}; tz=CET"),
    ("session_cookie_phpsessid", "SECRET", "r4k8m2q6w1t5y9u3i7o0", "Header Cookie: PHPSESSID={}"),
]
FORMATS += NEW_SHAPES

#: Round 7: values only their field name identifies (keepgate/scrubbing/fields.py): a
#: common word as a first name, a PIN, a password with no digit, in JSON, env and YAML.
FIELDS: list[tuple[str, str, str, str]] = [
    ("json_first_name", "PERSON", "Hope", '{{"id": 7, "first_name": "{}", "plan": "pro"}}'),
    ("json_door_pin", "SECRET", "7391", '{{"device": "front-door", "door_pin": "{}"}}'),
    ("json_password_word", "SECRET", "sunshine", '{{"user": "mailer", "password": "{}"}}'),
    ("env_db_pass", "SECRET", "correcthorse", "DB_USER=app\nDB_PASS={}\n"),
    ("yaml_surname", "PERSON", "Gold", "surname: {}\nrole: editor"),
]
FORMATS += FIELDS

#: Round 8: names in Han script and Hangul, which the tagger cannot read
#: (keepgate/scrubbing/ner/cjk.py): a Chinese name between joining words, a Japanese one
#: before an honorific, a Korean one with an honorific and a particle.
CJK_NAMES: list[tuple[str, str, str, str]] = [
    ("zh_name_han", "PERSON", "刘洋", "请把文件交给{}和团队。"),
    ("ja_name_kanji", "PERSON", "佐藤健", "担当は{}さんです。"),
    ("ko_name_hangul", "PERSON", "김민준", "{}씨에게 연락하세요"),
]
FORMATS += CJK_NAMES


def format_sentence(case: tuple[str, str, str, str]) -> tuple[str, str]:
    _, _, value, template = case
    return value, template.format(value)
