"""Hand-written LLM-style sentences with labelled PII, and hard benign ones (no PII).

Written for the benchmark only: they share no template with the NER's training sentences
(`training/ner/templates.py`) and no value with the tests. Each case is the text
and the values in it with their type; a value may occur once per text. All values are fake.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- passwords and credentials ----------------------------------------------------------
    ("Sure! Your temporary password Qr7!dke#39 expires in 24 hours.", [("Qr7!dke#39", "PASSWORD")]),
    (
        "I've reset it: the new password is Lm8$zPq2Wv, please change it after logging in.",
        [("Lm8$zPq2Wv", "PASSWORD")],
    ),
    ("For the staging box use root / T0rch!light88 over SSH.", [("T0rch!light88", "PASSWORD")]),
    (
        "Credentials for the demo: maria.lopez@contoso.example / W!nter2024",
        [("maria.lopez@contoso.example", "EMAIL_ADDRESS"), ("W!nter2024", "PASSWORD")],
    ),
    (
        "Here's the config:\n\nDB_HOST=10.0.4.17\nDB_USER=app\nDB_PASSWORD=s3cr3tPa55word\n",
        [("10.0.4.17", "IP_ADDRESS"), ("s3cr3tPa55word", "PASSWORD")],
    ),
    (
        "pwd hunter2hunter2 — that's what the README says for the test account.",
        [("hunter2hunter2", "PASSWORD")],
    ),
    (
        "The Wi-Fi network is GuestNet and the passphrase is BlueOcean#2023.",
        [("BlueOcean#2023", "PASSWORD")],
    ),
    ("login: admin, pass: Xy9!mQ2#rT", [("Xy9!mQ2#rT", "PASSWORD")]),
    (
        "Set `export API_TOKEN=ghs_unused9Q4xT2mV8pL1rN6wK3zY7` before running the script.",
        [("ghs_unused9Q4xT2mV8pL1rN6wK3zY7", "API_KEY")],
    ),
    (
        "In ~/.aws/credentials put aws_secret_access_key = kR9vT2xQ8mN4pL6wZ3yB7cD1fG5hJ0sA2eU4iO8t",
        [("kR9vT2xQ8mN4pL6wZ3yB7cD1fG5hJ0sA2eU4iO8t", "API_KEY")],
    ),
    (
        "The Maps client uses the key AIzaSyB3xQ9vL2mT8pW4rK7nZ1cF6hJ0dG5sE2a.",
        [("AIzaSyB3xQ9vL2mT8pW4rK7nZ1cF6hJ0dG5sE2a", "API_KEY")],
    ),
    (
        "Your API token for the sandbox is 7f3a9c2e8b1d4f6a0c5e9b2d7a4f1c8e, keep it private.",
        [("7f3a9c2e8b1d4f6a0c5e9b2d7a4f1c8e", "API_KEY")],
    ),
    (
        '{"type": "service_account", "private_key_id": "3b9f2c7a1e8d4b6f0a5c9e2d7b4a1f8c6e3d0b9a"}',
        [("3b9f2c7a1e8d4b6f0a5c9e2d7b4a1f8c6e3d0b9a", "API_KEY")],
    ),
    (
        "Connection string: DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey="
        "q8Zr2mX9vT4pL7wN1kB6cF3hJ0sD5gE8aY2uI4oR7tQ9zX1vM3nB6==;EndpointSuffix=core.windows.net",
        [("q8Zr2mX9vT4pL7wN1kB6cF3hJ0sD5gE8aY2uI4oR7tQ9zX1vM3nB6==", "API_KEY")],
    ),
    (
        "Use sk-proj-Tq8Lm2Vx9Rz4Wp7Ks1Nb6Hd3Jf0Gc5Ya as the OpenAI key in the .env file.",
        [("sk-proj-Tq8Lm2Vx9Rz4Wp7Ks1Nb6Hd3Jf0Gc5Ya", "API_KEY")],
    ),
    # -- identity numbers ---------------------------------------------------------------------
    (
        "Thanks, Mr. Okafor. I have your SSN as 536228491 on the application.",
        [("Okafor", "PERSON"), ("536228491", "US_SSN")],
    ),
    ("Social Security number: 412-68-3397", [("412-68-3397", "US_SSN")]),
    (
        "My PAN is BNZPM2501F and Aadhaar 4679 1383 9278.",
        [("BNZPM2501F", "NATIONAL_ID"), ("4679 1383 9278", "NATIONAL_ID")],
    ),
    (
        "Please quote your National Insurance number (e.g. JG 10 37 52 A) on the form.",
        [("JG 10 37 52 A", "NATIONAL_ID")],
    ),
    (
        "Passport no. C03005988, issued in Berlin, valid until 2031.",
        [("C03005988", "PASSPORT"), ("Berlin", "LOCATION")],
    ),
    (
        "Her driver's license number is F255-921-50-094-0 (Florida).",
        [("F255-921-50-094-0", "DRIVER_LICENSE"), ("Florida", "LOCATION")],
    ),
    ("For the tax form enter your EIN 94-3187265.", [("94-3187265", "TAX_ID")]),
    (
        "Su DNI es 12345678Z y vive en Sevilla.",
        [("12345678Z", "NATIONAL_ID"), ("Sevilla", "LOCATION")],
    ),
    ("Codice fiscale: RSSMRA85T10A562S", [("RSSMRA85T10A562S", "NATIONAL_ID")]),
    ("BSN 111222333 staat op de pas.", [("111222333", "NATIONAL_ID")]),
    # -- payment and contact ------------------------------------------------------------------
    (
        "The card on file is 4539  1488  0343  6467, expiring 09/27.",
        [("4539  1488  0343  6467", "CREDIT_CARD")],
    ),
    (
        "Pay with 5 4 2 5 2 3 3 4 3 0 1 0 9 9 0 3 and keep the receipt.",
        [("5 4 2 5 2 3 3 4 3 0 1 0 9 9 0 3", "CREDIT_CARD")],
    ),
    (
        "Card: ４５３９ １４８８ ０３４３ ６４６７",
        [("４５３９ １４８８ ０３４３ ６４６７", "CREDIT_CARD")],
    ),
    (
        "Wire it to DE89  3704  0044  0532  0130  00 by Friday.",
        [("DE89  3704  0044  0532  0130  00", "IBAN_CODE")],
    ),
    (
        "Reach Priya at priya.nair＠example.org or +44 20 7946 0958.",
        [
            ("Priya", "PERSON"),
            ("priya.nair＠example.org", "EMAIL_ADDRESS"),
            ("+44 20 7946 0958", "PHONE_NUMBER"),
        ],
    ),
    (
        "Her address shows up as tom.becker%40example.net in the log.",
        [("tom.becker%40example.net", "EMAIL_ADDRESS")],
    ),
    (
        "The HTML had li.wei&#64;example.com in a mailto link.",
        [("li.wei&#64;example.com", "EMAIL_ADDRESS")],
    ),
    ("Contact: jana.novak\u200b@example.cz", [("jana.novak\u200b@example.cz", "EMAIL_ADDRESS")]),
    (
        "The account card\t4716\t2910\t5538\t0762 was flagged.",
        [("4716\t2910\t5538\t0762", "CREDIT_CARD")],
    ),
    (
        "Click https://portal.example.com/reset?token=Zk8Qw2Lm9Xv4Tp7Rn1Bc to set a new password.",
        [("https://portal.example.com/reset?token=Zk8Qw2Lm9Xv4Tp7Rn1Bc", "URL")],
    ),
    (
        "The invite https://admin:Pa55word!@files.example.net/share is still live.",
        [("https://admin:Pa55word!@files.example.net/share", "URL")],
    ),
    # -- names, places, organisations ---------------------------------------------------------
    (
        "Of course! Here's a polite reminder you can send to Daniel Whitaker about the overdue invoice.",
        [("Daniel Whitaker", "PERSON")],
    ),
    (
        "Dr. Amara Nwosu from St. Mary's Hospital in Leeds will review the results.",
        [("Amara Nwosu", "PERSON"), ("St. Mary's Hospital", "ORGANIZATION"), ("Leeds", "LOCATION")],
    ),
    (
        "Subject: Onboarding\n\nHi Sofia,\n\nWelcome to Northwind Traders! Your manager, Kenji "
        "Watanabe, will meet you in the Osaka office on Monday.\n\nCheers,\nLiam",
        [
            ("Sofia", "PERSON"),
            ("Northwind Traders", "ORGANIZATION"),
            ("Kenji Watanabe", "PERSON"),
            ("Osaka", "LOCATION"),
            ("Liam", "PERSON"),
        ],
    ),
    (
        "Based on the CV, Ana Beatriz Costa worked at Banco Itaú in São Paulo from 2015 to 2019.",
        [
            ("Ana Beatriz Costa", "PERSON"),
            ("Banco Itaú", "ORGANIZATION"),
            ("São Paulo", "LOCATION"),
        ],
    ),
    (
        "The tenant, Mohammed Al-Rashid, moved from Dubai to 14 Harbour Street, Galway.",
        [
            ("Mohammed Al-Rashid", "PERSON"),
            ("Dubai", "LOCATION"),
            ("14 Harbour Street, Galway", "LOCATION"),
        ],
    ),
    (
        "I'd suggest asking Chloé Martin at Renault's Paris headquarters.",
        [("Chloé Martin", "PERSON"), ("Renault", "ORGANIZATION"), ("Paris", "LOCATION")],
    ),
    (
        "Here are the three candidates: Olga Petrova, Rahul Mehta and Grace O'Connell.",
        [("Olga Petrova", "PERSON"), ("Rahul Mehta", "PERSON"), ("Grace O'Connell", "PERSON")],
    ),
    (
        "Patient: Henrik Johansson, 67, admitted to Karolinska University Hospital.",
        [("Henrik Johansson", "PERSON"), ("Karolinska University Hospital", "ORGANIZATION")],
    ),
    (
        "Kind regards,\nEmily Zhang\nSenior Analyst, Brightwave Capital",
        [("Emily Zhang", "PERSON"), ("Brightwave Capital", "ORGANIZATION")],
    ),
    (
        "my brother jake lives in denver and works for united airlines",
        [("jake", "PERSON"), ("denver", "LOCATION"), ("united airlines", "ORGANIZATION")],
    ),
    (
        "The package for Fatima Zahra Benali should go to Casablanca, not Rabat.",
        [("Fatima Zahra Benali", "PERSON"), ("Casablanca", "LOCATION"), ("Rabat", "LOCATION")],
    ),
    (
        "As discussed with Lukas Schneider (Siemens), the pilot starts in Munich.",
        [("Lukas Schneider", "PERSON"), ("Siemens", "ORGANIZATION"), ("Munich", "LOCATION")],
    ),
    (
        "Thanks for reaching out, Aisha! I've forwarded your request to our Toronto team.",
        [("Aisha", "PERSON"), ("Toronto", "LOCATION")],
    ),
    (
        "Meeting notes — attendees: Pedro Alvarez, Hannah Kim, Tomasz Nowak.",
        [("Pedro Alvarez", "PERSON"), ("Hannah Kim", "PERSON"), ("Tomasz Nowak", "PERSON")],
    ),
    # -- hard benign: no PII ------------------------------------------------------------------
    ("Use `password = getpass.getpass()` so the password never appears in the shell history.", []),
    ("Passwords should be hashed with bcrypt or argon2id, never with md5 or sha256.", []),
    ("See https://docs.python.org/3/library/secrets.html and https://github.com/psf/requests.", []),
    ("The token limit is 4096 and the API key header is `Authorization: Bearer <key>`.", []),
    ("Run `pwd` to print the working directory, then `cd ../build && make -j4`.", []),
    ("Version 2.14.3 was released on 2024-05-01 with 1,204 commits from 87 contributors.", []),
    ("@app.route('/users/<int:user_id>')\ndef show(user_id):\n    return render(user_id)", []),
    ("The commit 3f2a9c1e8b7d6f5a4c3b2a1f0e9d8c7b6a5f4e3d fixed the race in the scheduler.", []),
    ("In Python, dict.get(key, default) returns the default when the key is missing.", []),
    ("Order #48213 shipped in 3 boxes; the tracking page updates every 15 minutes.", []),
    ("Set PASSWORD_MIN_LENGTH=12 and SESSION_TIMEOUT=3600 in settings.py.", []),
    ("A passport photo must be 35 mm × 45 mm, and renewals take 10 weeks.", []),
    (
        "Use a strong password: at least 12 characters with upper-case letters, digits and symbols.",
        [],
    ),
    ("The SSN field is optional; leave it blank if you prefer.", []),
    ("Call `auth.login(user, pw)` and check `resp.status_code == 200`.", []),
]
