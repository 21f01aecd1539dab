"""Passwords, cloud keys, identity numbers and URLs: what is redacted and what is left alone.

The positive sentences are the formats issue 15 lists as missed; the negative ones are the
hard benign cases a naive rule would mangle (code, hashing advice, plain links).
"""

from __future__ import annotations

import pytest

from keepgate.scrubbing.engine import Detector
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.scrubbing.settings import parse_settings
from keepgate.scrubbing.urls import sensitive_url

#: (text, value that must go, entity it is reported as)
CAUGHT = [
    ("My password Qr7!dke#39 is on the note.", "Qr7!dke#39", "SECRET"),
    ("Log in with jane.doe@acme.io / W!nter2024 please.", "W!nter2024", "SECRET"),
    ("password=hunter2hunter2", "hunter2hunter2", "SECRET"),
    ("pwd: hunter2hunter2 for the test box", "hunter2hunter2", "SECRET"),
    ("sshpass -p 'mK9#pLq2' ssh root@db1 'df -h'", "mK9#pLq2", "SECRET"),
    ("Her My Number is 123456789018.", "123456789018", "NATIONAL_ID"),
    ("jdbc:postgresql://pg:5432/app?sslmode=require&password=hunter22&x=1", "hunter22", "SECRET"),
    ("Data Source=sql;User ID=sa;Password=Wq8zLm3k;Pooling=true", "Wq8zLm3k", "SECRET"),
    ("mongodb://mongo:27017/app?authSource=admin&secret=Kx9mQ2vL7p&w=1", "Kx9mQ2vL7p", "SECRET"),
    ("Geburtsdatum (TT.MM.JJJJ): 12.03.1978", "12.03.1978", "DATE_OF_BIRTH"),
    ("SSHPASS: sshpass -p Hv7kQ2xWm9 rsync -a src/ host:/srv", "Hv7kQ2xWm9", "SECRET"),
    ("pwd hunter2hunter2", "hunter2hunter2", "SECRET"),
    ("DEA number AB1234563 on file.", "AB1234563", "MEDICAL_LICENSE"),
    (
        "Send to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT today.",
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        "CRYPTO",
    ),
    ("The password for the admin account is W!nter2024.", "W!nter2024", "SECRET"),
    ("login: admin / S3cret!pass", "S3cret!pass", "SECRET"),
    ("DB_PASSWORD=s3cr3tPa55word\nDB_USER=app", "s3cr3tPa55word", "SECRET"),
    ("the wifi passphrase is 'BlueOcean2023'", "BlueOcean2023", "SECRET"),
    (
        "Your API token for the sandbox is 7f3a9c2e8b1d4f6a0c5e9b2d7a4f1c8e, keep it safe.",
        "7f3a9c2e8b1d4f6a0c5e9b2d7a4f1c8e",
        "SECRET",
    ),
    (
        '"private_key_id": "3b9f2c7a1e8d4b6f0a5c9e2d7b4a1f8c6e3d0b9a"',
        "3b9f2c7a1e8d4b6f0a5c9e2d7b4a1f8c6e3d0b9a",
        "SECRET",
    ),
    (
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SECRET_KEY",
    ),
    (
        "Maps key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY works.",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "GOOGLE_API_KEY",
    ),
    (
        "AZURE_CLIENT_SECRET=abc8Q~Zx1yW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d",
        "abc8Q~Zx1yW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d",
        "AZURE_CLIENT_SECRET",
    ),
    (
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=q8Zr2mX9vT4pL7wN1kB6cF3hJ0sD5gE8==;",
        "q8Zr2mX9vT4pL7wN1kB6cF3hJ0sD5gE8==",
        "AZURE_STORAGE_KEY",
    ),
    ("His SSN 536228491 is on file.", "536228491", "US_SSN"),
    ("SSN: 536 22 8491", "536 22 8491", "US_SSN"),
    ("PAN: ABCDE1234F", "ABCDE1234F", "IN_PAN"),
    ("Aadhaar 2345 6789 0124 is linked.", "2345 6789 0124", "IN_AADHAAR"),
    ("My NI number is QQ 12 34 56 C.", "QQ 12 34 56 C", "UK_NINO"),
    ("Passport number: 533380006, expires 2030.", "533380006", "PASSPORT"),
    ("driver's licence D1234-56789-01234", "D1234-56789-01234", "DRIVER_LICENSE"),
    ("Tax ID: 12-3456789", "12-3456789", "TAX_ID"),
    ("DNI 12345678Z", "12345678Z", "ES_NIF"),
    ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S", "IT_FISCAL_CODE"),
    ("national id number 8001015009087", "8001015009087", "NATIONAL_ID"),
    (
        "IBAN DE89  3704  0044  0532  0130  00 please",
        "DE89  3704  0044  0532  0130  00",
        "IBAN_CODE",
    ),
    (
        "Reset at https://acme.io/reset?token=8f3KqL2x9Zt7Vb1mN4pQ now",
        "https://acme.io/reset?token=8f3KqL2x9Zt7Vb1mN4pQ",
        "URL",
    ),
    (
        "Files at https://admin:hunter22@files.acme.io/x today",
        "https://admin:hunter22@files.acme.io/x",
        "URL",
    ),
    (
        "DATABASE_URL=postgres://app:Sup3rS3cret@db:5432/prod",
        "postgres://app:Sup3rS3cret@db:5432/prod",
        "URL",
    ),
    ("Password: **Qr7!dke#39**", "Qr7!dke#39", "SECRET"),
    ("PESEL: 44051401458", "44051401458", "PL_PESEL"),
    # shapes added on 2026-12-07 (docs/pii.md, "Generalisation")
    ("Proxy-Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==", "dXNlcjpwYXNzd29yZDEyMw==", "SECRET"),
    ('authorization = "Token 9f8e7d6c5b4a39281706f5e4d3c2b1a0"', "9f8e7d6c5b4a3928", "SECRET"),
    ("mysql -pHunter2x -u root shop", "Hunter2x", "SECRET"),
    ("curl --user admin:S3cr3t!x https://ci.acme.io/api", "S3cr3t!x", "SECRET"),
    ("My bank PIN is 0931.", "0931", "SECRET"),
    (
        "npm config set //registry/:_authToken npm_Zt7Kq2Lm9Xv4Bw8Np3Rs6Yc1Hd5Jf0Ga2E",
        "Zt7Kq2Lm9Xv4",
        "SECRET",
    ),
    (
        "pypi-AgEIcHlwaS5vcmcCJDk3ZTFhNDg4LWU3YzctNDY3Mi05MWE5 is the upload token",
        "AgEIcHlwaS5v",
        "SECRET",
    ),
    ("Try signing in with Bl4ck$heep9 this time.", "Bl4ck$heep9", "SECRET"),
    ("password: @Hx9kk2!a", "@Hx9kk2!a", "SECRET"),
    ("D.O.B. 1988-12-30, blood type O+", "1988-12-30", "DATE_OF_BIRTH"),
    ("geboren am 12.03.1978 in Graz", "12.03.1978", "DATE_OF_BIRTH"),
    ("born on the 25th of March, 1927", "25th of March, 1927", "DATE_OF_BIRTH"),
    ("CPF 529.982.247-25", "529.982.247-25", "NATIONAL_ID"),
    ("ID 440306198503124711 on the form", "440306198503124711", "NATIONAL_ID"),
    ("BSN van de klant: 111222333", "111222333", "NATIONAL_ID"),
    ("NIP 526-104-08-28", "526-104-08-28", "TAX_ID"),
    ("RFC: GODE561231GR8", "GODE561231GR8", "TAX_ID"),
    ("the gate code is 5521#", "5521#", "SECRET"),
    ("Your verification code: 308114", "308114", "SECRET"),
    ("Cookie: sessionid=Rk2Lm8Qz4Xv7Tp1Wn9Bc", "Rk2Lm8Qz4Xv7Tp1Wn9Bc", "SECRET"),
    (
        "MAILER_KEY=key-9a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "key-9a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "SECRET",
    ),
    ("DOB 05-Nov-1969, blood type A", "05-Nov-1969", "DATE_OF_BIRTH"),
    (
        "Write to priya.n@payroll.corp.internal today",
        "priya.n@payroll.corp.internal",
        "EMAIL_ADDRESS",
    ),
    ("Card 2720 9931 0000 0000 on file", "2720 9931 0000 0000", "CREDIT_CARD"),
    # a number passing the NHS check digit is a phone next to `phone`, an NHS number next to `NHS`
    ("phone: 401 023 2137", "401 023 2137", "PHONE_NUMBER"),
    ("NHS number 401 023 2137", "401 023 2137", "UK_NHS"),
]

LEFT_ALONE = [
    "Use `password = getpass.getpass()` so the password never shows in history.",
    "Passwords should be hashed with bcrypt or argon2id, never with md5 or sha256.",
    "Your password must be at least 12 characters long.",
    "The password is incorrect, please try again.",
    "Run `pwd` to print the working directory, then `cd ../build && make -j4`.",
    "The token limit is 4096 and the header is `Authorization: Bearer <key>`.",
    "In Python, dict.get(key, default) returns the default when the key is missing.",
    "Set PASSWORD_MIN_LENGTH=12 and SESSION_TIMEOUT=3600 in settings.py.",
    "The commit 3f2a9c1e8b7d6f5a4c3b2a1f0e9d8c7b6a5f4e3d fixed the race.",
    "See https://docs.python.org/3/library/secrets.html and https://github.com/psf/requests.",
    "A passport photo must be 35 mm by 45 mm.",
    "The SSN field is optional; leave it blank if you prefer.",
    "password: ********",
    "Reset your password at https://acme.io/account/settings.",
    # a valid PESEL (44051401458) inside longer digit or letter runs is not one
    "Order 9944051401458123 shipped; tracking A44051401458X.",
    # 2026-12-07: near the new shapes, but no secret, id or date of birth
    "See RFC 2373 2.7 and RFC 3513 2.5.6 for the address rules.",
    "Pass your own `Authorization` settings through `default_headers` instead.",
    'client = Client(api_key="your-api-key", base_url=BASE)',
    'The API returns {"token_type": "bearer", "expires_in": 3600, "scope": "read"}.',
    "DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DBNAME",
    "redis://:${REDIS_PASSWORD}@cache:6379/0",
    "Pin numpy to 1.26 and pin requests at 2.31.",
    "ssh -p 2222 deploy@build-host && mkdir -p build",
    "docker run -u 1000:1000 -p 8080:80 nginx",
    "jdbc:postgresql://pg:5432/app?sslmode=require&password=${DB_PASSWORD}&user=app",
    "Server=db;Password=;Trusted_Connection=yes;Integrated Security=true",
    "GET /search?q=api+keys&page=2&sort=desc and /keys?keyType=rsa&limit=10",
    "Versions 12.345.678-4 and 85.07.30-033.29 fail their checksums; 1.2.3-4 is a tag.",
    "My Number: 123456789017 fails its check digit.",
    "Install sshpass, then read `man sshpass` for the -p and -f flags.",
    "def test_getUserById2FromCacheWithTTL(): ...",
    '"integrity": "sha512-T7ey9gLlviJAaKf8HjvE/gTDY7lFeb0Xl4wvEvzRZJv7lcSjqF8tPw=="',
    "my_model-v2.3.1-checkpoint.safetensors and Welcome to Python3!",
    "Python was born in 1991 and 3.0 was released on 2008-12-03.",
    "Write the date of birth (MM/DD/YYYY) in box 3; the form is due 2026-12-03.",
    "Version 529.982.247-26 of the mirror and order 440306198503124712.",
    "Error code 5003 on login; the session timeout=3600 and sid length 32.",
    'Use the password field\'s `autocomplete="new-password"` attribute.',
    "y = x@self.weight.T and order 2221678572489832",
    # ids, not credentials: the PII guard scrubs tool-call ids and must leave these alone
    "call_Ab3dEf6hIj9kLm2nOp5qRs8t toolu_01A09q90qw90lq917835lq9 msg_01XFDUDYJgAACzvnptvVoYEL",
    "Charged pi_3MtwBwLkdIwHu7ix28a3tqPa for cus_NffrFeUfNV2Hib.",
    # a DEA number's shape (valid check digit) or a wallet inside a longer id is not one
    '{"status": "queued", "message_id": "mcp/mcp_3fab12345630c1e9"}',
    "ref idx1BoatSLRHtKNngkdXEeobR76b53LETtpyTz",
]


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber(Detector(None), parse_settings({"nlp_model": None}))


@pytest.mark.parametrize(("text", "value", "entity"), CAUGHT)
def test_caught(scrubber: Scrubber, text: str, value: str, entity: str) -> None:
    out, counts = scrubber.scrub(text)
    assert value not in out and f"<{entity}>" in out, out
    assert counts.get(entity) == 1 and len(out) < len(text) + 20


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub(text) == (text, {})


@pytest.mark.parametrize(
    ("url", "sensitive"),
    [
        ("https://docs.python.org/3/library/re.html", False),
        ("https://github.com/microsoft/presidio/issues?q=is%3Aopen", False),
        ("https://example.com/search?q=weather&page=2", False),
        ("http://t.co/O90deSLB", False),
        ("https://user:pass@host.example.com/", True),
        ("https://acme.io/reset?token=8f3KqL2x9Zt7Vb1mN4pQ", True),
        ("https://acme.io/unsubscribe?email=jane%40acme.io", True),
        ("https://acme.io/users/jane.doe@acme.io/profile", True),
        ("https://acme.io/s/Zk8Qw2Lm9Xv4Tp7Rn1BcYd", True),
        ("https://api.acme.io/v1/items?api_key=abc123def456", True),
        ("https://files.acme.io/download?sig=Qm9vZ2xl&expires=1700000000", True),
    ],
)
def test_url_policy(url: str, sensitive: bool) -> None:
    assert sensitive_url(url) is sensitive


def test_url_policy_all_redacts_every_link() -> None:
    s = Scrubber(Detector(None), parse_settings({"nlp_model": None, "url_policy": "all"}))
    assert s.scrub("See https://docs.python.org/3/ now.") == ("See <URL> now.", {"URL": 1})


def test_per_entity_thresholds() -> None:
    d = Detector(None)
    text = "aws key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and 0x9f wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ"
    base = Scrubber(d, parse_settings({"nlp_model": None}))
    assert base.scrub(text)[1] == {"AWS_SECRET_KEY": 1}  # the second has no context
    strict = Scrubber(d, parse_settings({"nlp_model": None, "thresholds": {"aws_secret_key": 0.9}}))
    assert strict.scrub(text)[1] == {}
    with pytest.raises(Exception, match="threshold"):
        parse_settings({"thresholds": {"PERSON": 2}})


def test_detection_without_rewriting_for_tool_arguments(scrubber: Scrubber) -> None:
    args = '{"to": "jane.doe@acme.io", "password": "hunter2hunter2", "note": "hi"}'
    assert scrubber.detect_arguments(args) == {"EMAIL_ADDRESS": 1, "SECRET": 1}
    assert [s.entity for s in scrubber.analyze("mail jane.doe&#64;acme.io")] == ["EMAIL_ADDRESS"]


def test_hostile_inputs_are_scrubbed_in_one_pass(scrubber: Scrubber) -> None:
    """Long runs of the shapes the keyword, pair, id and fold regexes look at: each is
    scrubbed (a super-linear pattern would make this test take minutes, not fail)."""
    hostile = [
        "password " * 4000,
        "a_" * 20000,
        "@a " * 10000,
        "4 " * 20000,
        "x" * 40000 + "@",
        "key=" * 8000,
        "SSN " * 8000,
        "https://a:" * 4000,
        "&#" * 20000,
        "%4" * 20000,
        "\u200b1" * 20000,
        "admin / " * 5000,
    ]
    for text in hostile:
        out, _ = scrubber.scrub(text)
        assert isinstance(out, str)
