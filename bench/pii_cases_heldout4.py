"""Held-out PII set 4: written on 2026-12-07 before the fourth round of changes.

Sets 1-3 were each tuned on after they were scored, so none of them estimates recall on
unseen text any more. This set was written without running the scrubber on it, with
material unlike sets 1-3 (those are mostly assistant answers and tool outputs): chat and
support messages, e-mails, logs, config files, CSV rows, code with credentials, forms,
eleven languages, names with particles, diacritics or in lower case, passwords written in
prose, keys of ~30 vendors, IBANs of eleven countries, phones and addresses in local
formats. Every value is fake (cards pass Luhn, IBANs their mod-97 check, keys are random).

`BENIGN` is the hard benign part: short questions and product/tech text, in several
languages, that hold no personal data. What counts as PII there follows docs/pii.md:

* a person's, place's or organisation's name is PII whoever it names (public names are
  redacted too), so a benign text here names none, except the unscored spans below;
* product, software and service names (`Windows`, `Gmail`, `Excel`, `Kubernetes`), programming
  terms, question words, commands and ordinary words are *not* names: redacting one is a
  false alarm;
* a place or company name inside a product or technical context (`Europe/Berlin` as a time
  zone, `Microsoft Teams`) is labelled `PUBLIC`: not scored either way (redacting it is no
  false alarm, leaving it is no leak).

The false-alarm rate of the benign part is the share of its texts with any redaction that
overlaps no label (`bench/pii_heldout.py`).
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- chat and support messages ----------------------------------------------------------
    (
        "hi, this is maría josé de la fuente, my order never arrived :( can someone help",
        [("maría josé de la fuente", "PERSON")],
    ),
    (
        "Hallo, hier ist Jürgen von der Heide. Meine Kundennummer steht in der Mail, "
        "bitte ruft mich unter 0151 23456789 zurück.",
        [("Jürgen von der Heide", "PERSON"), ("0151 23456789", "PHONE_NUMBER")],
    ),
    (
        "Bonjour, je m'appelle Anne-Sophie Lefèvre d'Aubigné et je n'arrive plus à me "
        "connecter. Mon numéro : 06 12 34 56 78.",
        [("Anne-Sophie Lefèvre d'Aubigné", "PERSON"), ("06 12 34 56 78", "PHONE_NUMBER")],
    ),
    (
        "oi! aqui é o joão pedro da silva gonçalves, meu zap é +55 11 98765-4321",
        [("joão pedro da silva gonçalves", "PERSON"), ("+55 11 98765-4321", "PHONE_NUMBER")],
    ),
    (
        "Buongiorno, sono Giuseppe Di Stefano, il mio ordine è fermo da una settimana.",
        [("Giuseppe Di Stefano", "PERSON")],
    ),
    (
        "Goedemiddag, met Pieter van den Berg. Kunt u mij terugbellen op 06-12345678?",
        [("Pieter van den Berg", "PERSON"), ("06-12345678", "PHONE_NUMBER")],
    ),
    (
        "Dzień dobry, nazywam się Małgorzata Wiśniewska-Nowak i mam problem z fakturą.",
        [("Małgorzata Wiśniewska-Nowak", "PERSON")],
    ),
    (
        "Merhaba, ben Ayşe Yılmaz. Siparişim hâlâ gelmedi, telefonum 0532 123 45 67.",
        [("Ayşe Yılmaz", "PERSON"), ("0532 123 45 67", "PHONE_NUMBER")],
    ),
    (
        "namaste, mera naam rahul verma hai aur mera account lock ho gaya hai",
        [("rahul verma", "PERSON")],
    ),
    (
        "Customer: hey it's dmitri here, my wife olga ivanova set up the account",
        [("dmitri", "PERSON"), ("olga ivanova", "PERSON")],
    ),
    (
        "担当者：山田太郎（やまだ たろう）様、ご連絡ありがとうございます。",
        [("山田太郎", "PERSON"), ("やまだ たろう", "PERSON")],
    ),
    ("김민준 고객님, 주문하신 상품이 발송되었습니다.", [("김민준", "PERSON")]),
    (
        "联系人：王小明，电话 138 1234 5678",
        [("王小明", "PERSON"), ("138 1234 5678", "PHONE_NUMBER")],
    ),
    (
        "[10:42] <kwame.asante> @nguyen_thi_lan can you send me the invoice again?",
        [("kwame.asante", "PERSON"), ("nguyen_thi_lan", "PERSON")],
    ),
    (
        "Agent (Chiara): I've escalated it. Agent (Bongani): thanks, I'll call Mr. O'Sullivan.",
        [("Chiara", "PERSON"), ("Bongani", "PERSON"), ("O'Sullivan", "PERSON")],
    ),
    # -- passwords in prose -----------------------------------------------------------------
    ("my password is sunflower88 if you need to log in", [("sunflower88", "PASSWORD")]),
    ("pw: lzanlgQgb%Bt (don't share)", [("lzanlgQgb%Bt", "PASSWORD")]),
    (
        "the code for the door is 4711, the alarm code 90210",
        [("4711", "PASSWORD"), ("90210", "PASSWORD")],
    ),
    ("wifi is Gastnetz, password kaffeeklatsch2024", [("kaffeeklatsch2024", "PASSWORD")]),
    ("mi contraseña es perro1234, no se lo digas a nadie", [("perro1234", "PASSWORD")]),
    (
        "Mein Passwort lautet Sommer2025! – bitte nach dem Login ändern.",
        [("Sommer2025!", "PASSWORD")],
    ),
    ("mon mot de passe est soleil42, merci de le changer", [("soleil42", "PASSWORD")]),
    ("a senha do roteador é bolinha77", [("bolinha77", "PASSWORD")]),
    ("la password del wifi è gatto2020", [("gatto2020", "PASSWORD")]),
    ("mijn wachtwoord is fiets123, graag resetten", [("fiets123", "PASSWORD")]),
    ("moje hasło to Kotek!99", [("Kotek!99", "PASSWORD")]),
    ("şifrem kaplan1907, değiştirmem lazım", [("kaplan1907", "PASSWORD")]),
    ("bhai mera password hai chai4life, reset kar do", [("chai4life", "PASSWORD")]),
    ("パスワードは sakura2024 です。", [("sakura2024", "PASSWORD")]),
    ("login: admin  pass: r6wt6NHmRI59", [("r6wt6NHmRI59", "PASSWORD")]),
    (
        "Use the temporary passphrase correct-horse-battery-staple to log in once.",
        [("correct-horse-battery-staple", "PASSWORD")],
    ),
    ("The PIN for the company card is 8241.", [("8241", "PASSWORD")]),
    ("Your one-time code: 583920. It expires in 10 minutes.", [("583920", "PASSWORD")]),
    # -- e-mails ----------------------------------------------------------------------------
    (
        "From: Ingrid Solberg <ingrid.solberg@fjordline-consulting.no>\n"
        "To: accounts@example.org\nSubject: IBAN change\n\n"
        "Please pay future invoices to CH91 8688 6468 4141 2250 3.\nBest,\nI. Solberg",
        [
            ("Ingrid Solberg", "PERSON"),
            ("ingrid.solberg@fjordline-consulting.no", "EMAIL_ADDRESS"),
            ("accounts@example.org", "EMAIL_ADDRESS"),
            ("CH91 8688 6468 4141 2250 3", "IBAN_CODE"),
            ("I. Solberg", "PERSON"),
        ],
    ),
    (
        "Estimado Sr. Fernández Ruiz:\nle confirmamos el cargo en la cuenta "
        "ES09 4533 3147 8932 8804 0723. Atentamente, Lucía Ortega",
        [
            ("Fernández Ruiz", "PERSON"),
            ("ES09 4533 3147 8932 8804 0723", "IBAN_CODE"),
            ("Lucía Ortega", "PERSON"),
        ],
    ),
    (
        "Sehr geehrte Frau Dr. Schäfer-Kunz,\nbitte überweisen Sie den Betrag auf "
        "DE78 8625 5118 4873 3311 38.\nMit freundlichen Grüßen\nTobias Brandstätter",
        [
            ("Schäfer-Kunz", "PERSON"),
            ("DE78 8625 5118 4873 3311 38", "IBAN_CODE"),
            ("Tobias Brandstätter", "PERSON"),
        ],
    ),
    (
        "Virement sur FR76 7981 1351 19D1 8147 8158 069 au nom de Mme Élodie Marchand.",
        [("FR76 7981 1351 19D1 8147 8158 069", "IBAN_CODE"), ("Élodie Marchand", "PERSON")],
    ),
    (
        "Pagamento para PT33 9833 9762 6000 7056 1489 7 (titular: Inês Carvalho)",
        [("PT33 9833 9762 6000 7056 1489 7", "IBAN_CODE"), ("Inês Carvalho", "PERSON")],
    ),
    (
        "IBAN IT69 X071 2481 0756 9007 2003 171 intestato a Francesca Russo",
        [("IT69 X071 2481 0756 9007 2003 171", "IBAN_CODE"), ("Francesca Russo", "PERSON")],
    ),
    (
        "rekening NL87ABNA6712343122 t.n.v. J. de Vries",
        [("NL87ABNA6712343122", "IBAN_CODE"), ("J. de Vries", "PERSON")],
    ),
    (
        "Numer konta: PL05 2003 8699 6784 9179 6484 4730, odbiorca Tomasz Kowalczyk",
        [("PL05 2003 8699 6784 9179 6484 4730", "IBAN_CODE"), ("Tomasz Kowalczyk", "PERSON")],
    ),
    (
        "Hesap: TR41 9710 0020 1183 1621 6477 86 — Mehmet Öztürk adına",
        [("TR41 9710 0020 1183 1621 6477 86", "IBAN_CODE"), ("Mehmet Öztürk", "PERSON")],
    ),
    (
        "BE18364418553457 (Bart Peeters)",
        [("BE18364418553457", "IBAN_CODE"), ("Bart Peeters", "PERSON")],
    ),
    (
        "Sort code 99-89-90, account GB10 NWBK 9989 9080 9124 25, ref. Harriet Okafor",
        [("GB10 NWBK 9989 9080 9124 25", "IBAN_CODE"), ("Harriet Okafor", "PERSON")],
    ),
    # -- addresses --------------------------------------------------------------------------
    (
        "Dirección de envío: Calle de Alcalá 45, 3º izq., 28014 Madrid",
        [("Calle de Alcalá 45, 3º izq., 28014 Madrid", "ADDRESS")],
    ),
    ("Morada: Rua Augusta 120, 1100-053 Lisboa", [("Rua Augusta 120, 1100-053 Lisboa", "ADDRESS")]),
    (
        "Adres: ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa",
        [("ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa", "ADDRESS")],
    ),
    ("Consegna: Via Roma 12, 20121 Milano (MI)", [("Via Roma 12, 20121 Milano", "ADDRESS")]),
    (
        "Bezorgadres Keizersgracht 123-II, 1015 CJ Amsterdam",
        [("Keizersgracht 123-II, 1015 CJ Amsterdam", "ADDRESS")],
    ),
    (
        "Teslimat adresi: Atatürk Cad. No:45 D:3, Kadıköy/İstanbul",
        [("Atatürk Cad. No:45 D:3, Kadıköy/İstanbul", "ADDRESS")],
    ),
    ("Livraison au 12 rue des Lilas, 69003 Lyon", [("12 rue des Lilas, 69003 Lyon", "ADDRESS")]),
    ("送货地址：北京市朝阳区建国路88号", [("北京市朝阳区建国路88号", "ADDRESS")]),
    ("住所：東京都新宿区西新宿2-8-1", [("東京都新宿区西新宿2-8-1", "ADDRESS")]),
    (
        "ship to 4417 sycamore ln apt 2b, boise id 83709 pls",
        [("4417 sycamore ln apt 2b, boise id 83709", "ADDRESS")],
    ),
    # -- logs -------------------------------------------------------------------------------
    (
        '2026-12-07T09:14:02Z INFO auth login ok user=b.nakamura@tanuki-labs.jp ip=198.51.100.77 ua="Mozilla/5.0"',
        [("b.nakamura@tanuki-labs.jp", "EMAIL_ADDRESS"), ("198.51.100.77", "IP_ADDRESS")],
    ),
    (
        "WARN  [billing] charge failed card=5127681601062049 amount=49.00 customer=Priya Raghunathan",
        [("5127681601062049", "CREDIT_CARD"), ("Priya Raghunathan", "PERSON")],
    ),
    (
        'DEBUG POST /v1/login body={"username":"tkaur","password":"k2ApQHQg$VW%"}',
        [("k2ApQHQg$VW%", "PASSWORD")],
    ),
    (
        "sshd[2211]: Failed password for invalid user oracle from 2001:db8:85a3::8a2e:370:7334 port 52144",
        [("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS")],
    ),
    (
        "ERROR redis: AUTH failed (requirepass=iR3hWshCf27a) at 10.20.30.40:6379",
        [("iR3hWshCf27a", "PASSWORD"), ("10.20.30.40", "IP_ADDRESS")],
    ),
    # -- config files and code --------------------------------------------------------------
    (
        "[database]\nhost = db.internal\nuser = app\npassword = D9Ci29nuAjz&\n",
        [("D9Ci29nuAjz&", "PASSWORD")],
    ),
    (
        "spring:\n  datasource:\n    url: jdbc:postgresql://10.0.4.12:5432/orders\n"
        "    username: orders\n    password: 1c71YrHl66Y8\n",
        [("10.0.4.12", "IP_ADDRESS"), ("1c71YrHl66Y8", "PASSWORD")],
    ),
    (
        'client = OpenAI(api_key="sk-proj-ydbetVj1pnpLwpFvqksLwaaojqo6Aa8VPJLKTgm7e9ub62cn")',
        [("sk-proj-ydbetVj1pnpLwpFvqksLwaaojqo6Aa8VPJLKTgm7e9ub62cn", "API_KEY")],
    ),
    (
        "ANTHROPIC_API_KEY=sk-ant-api03-Za8GyfqA2WuM4kpHXb3qeE9JRLsEWXCe8io4A5i9s0Dw34HpG3zJAkm"
        "_CmE7PWX7v1dP9wvgmAvxJOoXAA",
        [
            (
                "sk-ant-api03-Za8GyfqA2WuM4kpHXb3qeE9JRLsEWXCe8io4A5i9s0Dw34HpG3zJAkm"
                "_CmE7PWX7v1dP9wvgmAvxJOoXAA",
                "API_KEY",
            )
        ],
    ),
    (
        "git clone https://oauth2:glpat-siDmQr0VkzezxeNe0GvE@gitlab.example.com/team/app.git",
        [("glpat-siDmQr0VkzezxeNe0GvE", "API_KEY")],
    ),
    (
        "const gh = new Octokit({ auth: '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' });",
        [
            (
                "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",
                "API_KEY",
            )
        ],
    ),
    (
        "export TWILIO_ACCOUNT_SID=AC617e327360fc826350de15dcbce6304c\n"
        "export TWILIO_AUTH_TOKEN=fc0e727053c1d73b003edc4577b3e410",
        [("fc0e727053c1d73b003edc4577b3e410", "API_KEY")],
    ),
    (
        "requests.post(url, auth=('api', 'key-117dc49ce7da7c710b1dff702b38476d'))",
        [("key-117dc49ce7da7c710b1dff702b38476d", "API_KEY")],
    ),
    (
        "DD_API_KEY: d2ac3ce4453744402115bed192b5de45",
        [("d2ac3ce4453744402115bed192b5de45", "API_KEY")],
    ),
    (
        'headers = {"X-Shopify-Access-Token": "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"}',
        [("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", "API_KEY")],
    ),
    (
        "bot = telebot.TeleBot('7277980228:AA6fNH9nuO3GZrffBr7su-IatNW0rg1qhNU')",
        [("7277980228:AA6fNH9nuO3GZrffBr7su-IatNW0rg1qhNU", "API_KEY")],
    ),
    (
        "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=GrHrxt1VdTz4KPySJbwigp/0XwsRbnY3ij3pn9wlCJpSZvWJHB7STX/PfGmjYtHLfAMMGdD2oh8udHq+OFCP0+==;EndpointSuffix=core.windows.net",
        [
            (
                "GrHrxt1VdTz4KPySJbwigp/0XwsRbnY3ij3pn9wlCJpSZvWJHB7STX/PfGmjYtHLfAMMGdD2oh8udHq+OFCP0+==",
                "API_KEY",
            )
        ],
    ),
    (
        "SQUARE_ACCESS_TOKEN=sq0atp-onCjozf-B3dHrKTd8krJmJ",
        [("sq0atp-onCjozf-B3dHrKTd8krJmJ", "API_KEY")],
    ),
    (
        "DATABRICKS_TOKEN=dapi5940e131b6c36f87ca7eeba7799bf573",
        [("dapi5940e131b6c36f87ca7eeba7799bf573", "API_KEY")],
    ),
    (
        "newrelic api key NRAK-7PKHW9UTCOIIKVK8SRCP4117OJT",
        [("NRAK-7PKHW9UTCOIIKVK8SRCP4117OJT", "API_KEY")],
    ),
    (
        'sentry_sdk.init(dsn="https://1f53c8c14292a6b6c2356af18915339d@o448812.ingest.sentry.io/5522101")',
        [("1f53c8c14292a6b6c2356af18915339d", "API_KEY")],
    ),
    (
        'credentials "app.terraform.io" { token = "7VzEFqGnuoRBYo.atlasv1.av9557xdUgVqSO10c8tPwF1pmpWE3vTrKMCQjcpxZOfwoBW1HiUyRIOhJ5gPSo16AeZ" }',
        [
            (
                "7VzEFqGnuoRBYo.atlasv1.av9557xdUgVqSO10c8tPwF1pmpWE3vTrKMCQjcpxZOfwoBW1HiUyRIOhJ5gPSo16AeZ",
                "API_KEY",
            )
        ],
    ),
    (
        "PINECONE_API_KEY=pcsk_a5uOY_cnfKuEJ8y8rBqCMeYEkTfijHTy4Gp40jZxzlkYu6q6H3FXuWsxjEklZ07YRp",
        [("pcsk_a5uOY_cnfKuEJ8y8rBqCMeYEkTfijHTy4Gp40jZxzlkYu6q6H3FXuWsxjEklZ07YRp", "API_KEY")],
    ),
    (
        "algolia admin key c402fe450568807f7b470b2c5d9ef514 (search-only key is fine to share)",
        [("c402fe450568807f7b470b2c5d9ef514", "API_KEY")],
    ),
    (
        "MISTRAL_API_KEY=By8xQwGiCSdqLKmii11FESJVmLnUbD9B",
        [("By8xQwGiCSdqLKmii11FESJVmLnUbD9B", "API_KEY")],
    ),
    (
        "co = cohere.Client('NyeYxF5xeitruvixbq3NF1sf8liZ1NprTqmQbJV2')",
        [("NyeYxF5xeitruvixbq3NF1sf8liZ1NprTqmQbJV2", "API_KEY")],
    ),
    (
        "DISCORD_TOKEN = 'GimyKQjA9e18EiWUSnJh3SUS.ZUE_Aj.nETd6rw2JZCwfq5qfYByBEb4VKCUZ0e1EAtgn3'",
        [("GimyKQjA9e18EiWUSnJh3SUS.ZUE_Aj.nETd6rw2JZCwfq5qfYByBEb4VKCUZ0e1EAtgn3", "API_KEY")],
    ),
    (
        "vercel --token 5Nt2U2Hxko38ctKCkzuYvcjv deploy --prod",
        [("5Nt2U2Hxko38ctKCkzuYvcjv", "API_KEY")],
    ),
    (
        "LINODE_TOKEN: 7f8d4b88ec0097a428707554f791c3f29229b902b57c8dcbf5885d0e625507fe",
        [("7f8d4b88ec0097a428707554f791c3f29229b902b57c8dcbf5885d0e625507fe", "API_KEY")],
    ),
    (
        "aws configure set aws_access_key_id AKIAID4JBTJFWYREGXV5 && aws configure set "
        "aws_secret_access_key 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",
        [
            ("AKIAID4JBTJFWYREGXV5", "API_KEY"),
            ("ah3HuMRoDNxC6H/tbmMqJUyX5ruMltSy2RUYWfmX", "API_KEY"),
        ],
    ),
    (
        "places key: AIzaJ4dLN069rCaQ6F4pV_cHc94wsyguu9VUH_N",
        [("AIzaJ4dLN069rCaQ6F4pV_cHc94wsyguu9VUH_N", "API_KEY")],
    ),
    (
        "SLACK_BOT_TOKEN=xoxb-593658755222-4016280553353-NX2fii1HWvAyKBi7SWYneyOc",
        [("xoxb-593658755222-4016280553353-NX2fii1HWvAyKBi7SWYneyOc", "API_KEY")],
    ),
    (
        "stripe.api_key = 'rk_live_2C9NDJqaIxCcKdJPDvv5CXaw'",
        [("rk_live_2C9NDJqaIxCcKdJPDvv5CXaw", "API_KEY")],
    ),
    # -- CSV rows and forms -----------------------------------------------------------------
    (
        "id,name,email,phone,card\n"
        "1042,Siddharth Menon,sid.menon@inboxmail.in,+91 98200 12345,4089961415790079\n"
        "1043,Aoife Gallagher,aoife.g@postbox.ie,+353 87 123 4567,379428110868128",
        [
            ("Siddharth Menon", "PERSON"),
            ("sid.menon@inboxmail.in", "EMAIL_ADDRESS"),
            ("+91 98200 12345", "PHONE_NUMBER"),
            ("4089961415790079", "CREDIT_CARD"),
            ("Aoife Gallagher", "PERSON"),
            ("aoife.g@postbox.ie", "EMAIL_ADDRESS"),
            ("+353 87 123 4567", "PHONE_NUMBER"),
            ("379428110868128", "CREDIT_CARD"),
        ],
    ),
    (
        "Nachname;Vorname;Geburtsdatum;Telefon\nKrüger;Lena;14.03.1988;+49 30 901820",
        [
            ("Krüger", "PERSON"),
            ("Lena", "PERSON"),
            ("14.03.1988", "DATE_OF_BIRTH"),
            ("+49 30 901820", "PHONE_NUMBER"),
        ],
    ),
    (
        "Full name: Thandiwe Mokoena\nDate of birth: 1990-07-21\nPassport no.: M70689098\n"
        "Card: 6011 7389 5573 3794 exp 04/29",
        [
            ("Thandiwe Mokoena", "PERSON"),
            ("1990-07-21", "DATE_OF_BIRTH"),
            ("M70689098", "PASSPORT"),
            ("6011 7389 5573 3794", "CREDIT_CARD"),
        ],
    ),
    (
        "Nombre: Carlos Alberto Muñoz Jiménez | DNI: 12345678Z | Fecha de nacimiento: 02/11/1979",
        [
            ("Carlos Alberto Muñoz Jiménez", "PERSON"),
            ("12345678Z", "NATIONAL_ID"),
            ("02/11/1979", "DATE_OF_BIRTH"),
        ],
    ),
    (
        "Nome: Marco Bianchi, Codice fiscale: BNCMRC85T10F205Z, nato il 10/12/1985",
        [
            ("Marco Bianchi", "PERSON"),
            ("BNCMRC85T10F205Z", "NATIONAL_ID"),
            ("10/12/1985", "DATE_OF_BIRTH"),
        ],
    ),
    (
        "Nome completo: Ana Beatriz Ferreira, CPF 111.444.777-35",
        [("Ana Beatriz Ferreira", "PERSON"), ("111.444.777-35", "NATIONAL_ID")],
    ),
    (
        "SSN 412 56 7890 on the W-2 for Darnell Washington",
        [("412 56 7890", "US_SSN"), ("Darnell Washington", "PERSON")],
    ),
    (
        "NI number: QQ 12 34 56 C (Rhiannon Pritchard)",
        [("QQ 12 34 56 C", "UK_NINO"), ("Rhiannon Pritchard", "PERSON")],
    ),
    ("T.C. Kimlik No: 10000000146", [("10000000146", "NATIONAL_ID")]),
    ("PESEL 44051401359, Jan Nowak", [("44051401359", "NATIONAL_ID"), ("Jan Nowak", "PERSON")]),
    (
        "Aadhaar: 4991 1866 5246, PAN: ABCPE1234F",
        [("4991 1866 5246", "NATIONAL_ID"), ("ABCPE1234F", "TAX_ID")],
    ),
    (
        "Kartennummer 2223 5638 8534 5326, gültig bis 09/28, Karteninhaber Felix Hartmann",
        [("2223 5638 8534 5326", "CREDIT_CARD"), ("Felix Hartmann", "PERSON")],
    ),
    ("JCB 3528-6968-3613-9453 で支払いました", [("3528-6968-3613-9453", "CREDIT_CARD")]),
    (
        "Telefone fixo (21) 2555-0143, celular (21) 99876-5432",
        [("(21) 2555-0143", "PHONE_NUMBER"), ("(21) 99876-5432", "PHONE_NUMBER")],
    ),
    (
        "tel. +48 601 234 567 lub 22 628 12 34",
        [("+48 601 234 567", "PHONE_NUMBER"), ("22 628 12 34", "PHONE_NUMBER")],
    ),
    ("Tel: 0039 02 8723 4411", [("0039 02 8723 4411", "PHONE_NUMBER")]),
    ("電話番号：090-1234-5678", [("090-1234-5678", "PHONE_NUMBER")]),
    ("연락처 010-9876-5432", [("010-9876-5432", "PHONE_NUMBER")]),
    (
        "Born 4 July 1992 in Guadalajara, Sofía Ramírez moved to Toronto in 2015.",
        [
            ("4 July 1992", "DATE_OF_BIRTH"),
            ("Guadalajara", "LOCATION"),
            ("Sofía Ramírez", "PERSON"),
            ("Toronto", "LOCATION"),
        ],
    ),
    (
        "Works at Helvetia Logistik AG in Basel; manager is Urs Brunner.",
        [
            ("Helvetia Logistik AG", "ORGANIZATION"),
            ("Basel", "LOCATION"),
            ("Urs Brunner", "PERSON"),
        ],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    # English questions and tech text
    ("How do I change my password in Windows?", []),
    ("Why does Excel keep changing my dates to numbers?", []),
    ("Can I use Gmail with Outlook on my iPhone?", []),
    ("What is the difference between Docker and Kubernetes?", []),
    ("Reset your password from Settings > Security > Password.", []),
    ("Where can I find my API key in the dashboard?", []),
    ("Does PostgreSQL support JSON columns?", []),
    ("Install Python 3.12 with Homebrew, then run pip install requests.", []),
    ("Which is faster, Redis or Memcached?", []),
    ("My Bluetooth headphones won't pair with Android.", []),
    ("Click Forgot Password and follow the link in the email.", []),
    ("Turn on Two-Factor Authentication under Account Settings.", []),
    ("Use git rebase -i HEAD~3 to squash the last three commits.", []),
    ("TypeError: Cannot read properties of undefined (reading 'map')", []),
    ("Set TZ to Europe/Berlin in the container.", [("Europe/Berlin", "PUBLIC")]),
    ("Join the call from Microsoft Teams or Zoom.", [("Microsoft", "PUBLIC")]),
    # Spanish
    ("¿Cuál es la contraseña por defecto del router?", []),
    ("¿Cómo cambio la contraseña de mi cuenta de Gmail?", []),
    ("Necesito ayuda con Excel, las fórmulas no funcionan.", []),
    ("¿Dónde está el botón de Configuración en WhatsApp?", []),
    # German
    ("Wie ändere ich mein Passwort bei Gmail?", []),
    ("Warum startet mein Laptop nach dem Update nicht mehr?", []),
    ("Kann ich Word-Dateien in Google Docs öffnen?", [("Google", "PUBLIC")]),
    ("Bitte Passwort zurücksetzen, ich komme nicht mehr rein.", []),
    # French
    ("Comment réinitialiser mon mot de passe Windows ?", []),
    ("Pourquoi Chrome est-il si lent sur mon Mac ?", []),
    ("Quelle est la différence entre Wi-Fi et Ethernet ?", []),
    # Portuguese
    ("Como faço para mudar a senha do Wi-Fi?", []),
    ("Onde fica a opção de backup no Android?", []),
    # Italian
    ("Come posso recuperare la password di Instagram?", []),
    ("Perché Outlook non sincronizza la posta?", []),
    # Dutch
    ("Hoe wijzig ik mijn wachtwoord in Teams?", []),
    ("Waarom werkt Bluetooth niet na de update?", []),
    # Polish
    ("Jak zmienić hasło w systemie Windows?", []),
    ("Dlaczego Excel nie otwiera pliku CSV?", []),
    # Turkish
    ("Şifremi unuttum, nasıl sıfırlarım?", []),
    ("Excel dosyası neden açılmıyor?", []),
    # Hindi in Latin script
    ("mera password kaise change karu?", []),
    ("WhatsApp backup kaise restore kare?", []),
    # Japanese, Korean, Chinese
    ("パスワードを忘れました。どうすればいいですか？", []),
    ("비밀번호를 변경하려면 어떻게 해야 하나요?", []),
    ("如何在 Windows 上更改密码？", []),
    # product and tech prose
    ("The Pixel 8 and Galaxy S24 both support eSIM.", []),
    ("Our SDK supports React, Vue and Svelte out of the box.", []),
    ("Upgrade to Premium to unlock offline mode.", []),
    ("Enable Dark Mode in Preferences > Appearance.", []),
    ("Null pointer exception in UserService.getById when the cache is cold.", []),
    ("Configure Nginx as a reverse proxy in front of Gunicorn.", []),
]
