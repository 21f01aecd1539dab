"""Held-out PII set 7: written on 2026-12-07 (17:40 UTC) before the eighth round of changes.

Sets 1-6 have all been tuned on. This set was written without reading the recognisers or
running the scrubber on it, aimed at what round 7 left (docs/pii.md): names from many
cultures, Chinese, Japanese and Korean names in Latin letters and in their own script;
names that are ordinary words (`Rose`, `Bill`, `Hope`, `Dawn`, `Summer`, `Faith`); lone
names in CSV cells without a header that says so; addresses in several countries; phone
numbers in many national formats; ID numbers; passwords, API keys and tokens in chat, logs
and config; e-mail addresses written out to dodge filters ("john at example dot com").
Every value is fake (cards pass Luhn, IBANs their mod-97 check, keys are random).

`BENIGN` is the hard benign part, with the rules of set 4 (`bench/pii_cases_heldout4.py`):
product, software and service names (including ones that look like people: `Alexa`,
`Siri`, `Jenkins`, `Ruby`, `Julia`), code, version strings, field names without values and
place names used as product or technical context (labelled `PUBLIC`, not scored). A benign
text is a false alarm when any redaction overlaps no label.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- CJK names, Latin letters and native script -----------------------------------------
    (
        "Please forward the contract to Zhang Wei before Friday.",
        [("Zhang Wei", "PERSON")],
    ),
    (
        "Our new intern, Liu Yang, starts on Monday in the Shenzhen office.",
        [("Liu Yang", "PERSON"), ("Shenzhen", "LOCATION")],
    ),
    (
        "Meeting notes: Takahashi Haruto presented the Q3 numbers, Sato Yui took questions.",
        [("Takahashi Haruto", "PERSON"), ("Sato Yui", "PERSON")],
    ),
    (
        "Kim Min-jun called about the invoice; his number is 010-4821-7735.",
        [("Kim Min-jun", "PERSON"), ("010-4821-7735", "PHONE_NUMBER")],
    ),
    (
        "Ask Park Ji-woo whether the shipment cleared customs.",
        [("Park Ji-woo", "PERSON")],
    ),
    (
        "联系人：王芳，电话 138 0013 8000",
        [("王芳", "PERSON"), ("138 0013 8000", "PHONE_NUMBER")],
    ),
    (
        "请把报告发给李明和陈静。",
        [("李明", "PERSON"), ("陈静", "PERSON")],
    ),
    (
        "担当者は山田太郎です。連絡先：090-1234-5678",
        [("山田太郎", "PERSON"), ("090-1234-5678", "PHONE_NUMBER")],
    ),
    (
        "鈴木花子さんから問い合わせがありました。",
        [("鈴木花子", "PERSON")],
    ),
    (
        "담당자: 이서연 (010-9876-5432)",
        [("이서연", "PERSON"), ("010-9876-5432", "PHONE_NUMBER")],
    ),
    (
        "Hi team, Nguyen Thi Lan from the Hanoi branch will join the call.",
        [("Nguyen Thi Lan", "PERSON"), ("Hanoi", "LOCATION")],
    ),
    (
        "The reviewer was Dr. Hiroshi Nakamura (Kyoto University).",
        [("Hiroshi Nakamura", "PERSON")],
    ),
    (
        "Thanks, Mei Ling! I'll update the ticket.",
        [("Mei Ling", "PERSON")],
    ),
    # -- common-word names in prose -------------------------------------------------------------
    (
        "Rose said the deployment can wait until next week.",
        [("Rose", "PERSON")],
    ),
    (
        "Can you ask Bill to sign off on the budget?",
        [("Bill", "PERSON")],
    ),
    (
        "Hope Williams will cover the front desk today.",
        [("Hope Williams", "PERSON")],
    ),
    (
        "I spoke with Dawn yesterday and she agreed to the new schedule.",
        [("Dawn", "PERSON")],
    ),
    (
        "Summer Jones left a voicemail about her refund.",
        [("Summer Jones", "PERSON")],
    ),
    (
        "Forward this to Faith and Grant, they handle escalations.",
        [("Faith", "PERSON"), ("Grant", "PERSON")],
    ),
    (
        "Hi Will, the package arrived damaged. Regards, Iris",
        [("Will", "PERSON"), ("Iris", "PERSON")],
    ),
    (
        "Victory Adeyemi and Precious Okoro signed the lease.",
        [("Victory Adeyemi", "PERSON"), ("Precious Okoro", "PERSON")],
    ),
    (
        "Sunny told me the password reset link expired.",
        [("Sunny", "PERSON")],
    ),
    (
        "Please cc Mercy on the onboarding thread.",
        [("Mercy", "PERSON")],
    ),
    # -- names from many cultures ---------------------------------------------------------------
    (
        "The account belongs to Oluwaseun Bakare, a customer since 2019.",
        [("Oluwaseun Bakare", "PERSON")],
    ),
    (
        "Siobhán Ní Bhriain asked for a copy of her data.",
        [("Siobhán Ní Bhriain", "PERSON")],
    ),
    (
        "Rajesh Venkataraman approved the purchase order.",
        [("Rajesh Venkataraman", "PERSON")],
    ),
    (
        "Contact person: Fatima Zahra El Amrani",
        [("Fatima Zahra El Amrani", "PERSON")],
    ),
    (
        "Ingrid Søndergaard wants the meeting moved to 3 pm.",
        [("Ingrid Søndergaard", "PERSON")],
    ),
    (
        "Ticket opened by Mehmet Yılmaz: cannot log in.",
        [("Mehmet Yılmaz", "PERSON")],
    ),
    (
        "Per our call, Anastasia Volkova will send the signed NDA.",
        [("Anastasia Volkova", "PERSON")],
    ),
    (
        "Kwame Mensah-Boateng is the emergency contact.",
        [("Kwame Mensah-Boateng", "PERSON")],
    ),
    (
        "Le dossier de Jean-Baptiste Lefèvre est incomplet.",
        [("Jean-Baptiste Lefèvre", "PERSON")],
    ),
    (
        "La paciente Ximena Quispe Mamani llegó a las 10.",
        [("Ximena Quispe Mamani", "PERSON")],
    ),
    (
        "Herr Łukasz Wiśniewski hat die Rechnung bezahlt.",
        [("Łukasz Wiśniewski", "PERSON")],
    ),
    (
        "Ahmad bin Ismail sent the form from his phone.",
        [("Ahmad bin Ismail", "PERSON")],
    ),
    (
        "Priya, can you double-check the totals? - Arjun",
        [("Priya", "PERSON"), ("Arjun", "PERSON")],
    ),
    (
        "Note from Tomasz: João Pedro Carvalho will take over the account.",
        [("Tomasz", "PERSON"), ("João Pedro Carvalho", "PERSON")],
    ),
    # -- lower case and chat --------------------------------------------------------------------
    (
        "hey this is aaliyah brooks, i never got my confirmation email",
        [("aaliyah brooks", "PERSON")],
    ),
    (
        "<agent> thanks for waiting, may I have your name?\n<guest> sure, its diego herrera",
        [("diego herrera", "PERSON")],
    ),
    (
        "my wife hannah and I both have accounts, can they be merged?",
        [("hannah", "PERSON")],
    ),
    # -- lone names in CSV cells without a header hint -----------------------------------------
    (
        "id,col_a,col_b,amount\n17,Margaret,Okafor,120.50\n18,Chen,Jing,99.00",
        [("Margaret", "PERSON"), ("Okafor", "PERSON"), ("Chen", "PERSON"), ("Jing", "PERSON")],
    ),
    (
        "1042;Sofia Marchetti;Milano;2026-03-01\n1043;Lars Eriksson;Göteborg;2026-03-02",
        [
            ("Sofia Marchetti", "PERSON"),
            ("Milano", "LOCATION"),
            ("Lars Eriksson", "PERSON"),
            ("Göteborg", "LOCATION"),
        ],
    ),
    (
        "A1,A2,A3\nWHT-200,Patel,gold\nWHT-201,Moreau,silver",
        [("Patel", "PERSON"), ("Moreau", "PERSON")],
    ),
    (
        "| 1 | Bongani Dlamini | Durban | active |\n| 2 | Aroha Ngata | Rotorua | paused |",
        [
            ("Bongani Dlamini", "PERSON"),
            ("Durban", "LOCATION"),
            ("Aroha Ngata", "PERSON"),
            ("Rotorua", "LOCATION"),
        ],
    ),
    # -- addresses in several countries ---------------------------------------------------------
    (
        "Ship it to 742 Evergreen Terrace, Springfield, OR 97477.",
        [("742 Evergreen Terrace, Springfield, OR 97477", "ADDRESS")],
    ),
    (
        "New address: Flat 3, 27 Kingsley Road, Bristol BS6 5AP",
        [("Flat 3, 27 Kingsley Road, Bristol BS6 5AP", "ADDRESS")],
    ),
    (
        "Lieferadresse: Lindenstraße 42, 10969 Berlin",
        [("Lindenstraße 42, 10969 Berlin", "ADDRESS")],
    ),
    (
        "Mon adresse : 18 rue des Lilas, 69003 Lyon",
        [("18 rue des Lilas, 69003 Lyon", "ADDRESS")],
    ),
    (
        "Envíelo a Avenida Corrientes 1543, piso 4, C1042 Buenos Aires.",
        [("Avenida Corrientes 1543, piso 4, C1042 Buenos Aires", "ADDRESS")],
    ),
    (
        "Endereço: Rua Augusta 890, apto 12, São Paulo - SP, 01305-100",
        [("Rua Augusta 890, apto 12, São Paulo - SP, 01305-100", "ADDRESS")],
    ),
    (
        "Adres: Keizersgracht 221, 1016 DV Amsterdam",
        [("Keizersgracht 221, 1016 DV Amsterdam", "ADDRESS")],
    ),
    (
        "I moved to 55 Wellington St W, Toronto, ON M5J 2N7 last month.",
        [("55 Wellington St W, Toronto, ON M5J 2N7", "ADDRESS")],
    ),
    (
        "Deliver to Unit 9, 14 Harbour Street, Sydney NSW 2000",
        [("Unit 9, 14 Harbour Street, Sydney NSW 2000", "ADDRESS")],
    ),
    (
        "住所：東京都渋谷区神宮前1-2-3",
        [("東京都渋谷区神宮前1-2-3", "ADDRESS")],
    ),
    (
        "Indirizzo: Via Garibaldi 7, 40124 Bologna",
        [("Via Garibaldi 7, 40124 Bologna", "ADDRESS")],
    ),
    (
        "She lives at 12B Allen Avenue, Ikeja, Lagos.",
        [("12B Allen Avenue, Ikeja, Lagos", "ADDRESS")],
    ),
    # -- phone numbers ----------------------------------------------------------------------------
    (
        "Call me back on (415) 555-0142 after 5.",
        [("(415) 555-0142", "PHONE_NUMBER")],
    ),
    (
        "Mobile: +33 6 12 34 56 78",
        [("+33 6 12 34 56 78", "PHONE_NUMBER")],
    ),
    (
        "WhatsApp me at +91 98765 43210",
        [("+91 98765 43210", "PHONE_NUMBER")],
    ),
    (
        "Tel. 030 2345 6789 (Büro)",
        [("030 2345 6789", "PHONE_NUMBER")],
    ),
    (
        "Reach the site lead on 07700 900123.",
        [("07700 900123", "PHONE_NUMBER")],
    ),
    (
        "Her number is +55 11 98888-7777.",
        [("+55 11 98888-7777", "PHONE_NUMBER")],
    ),
    (
        "phone=+61412345678&src=web",
        [("+61412345678", "PHONE_NUMBER")],
    ),
    (
        "ring 0412 345 678 if the courier is late",
        [("0412 345 678", "PHONE_NUMBER")],
    ),
    (
        "Teléfono de contacto: 612 34 56 78",
        [("612 34 56 78", "PHONE_NUMBER")],
    ),
    (
        "Call 1-800-555-0199 ext. 42 and ask for Harold.",
        [("1-800-555-0199", "PHONE_NUMBER"), ("Harold", "PERSON")],
    ),
    # -- ID numbers -----------------------------------------------------------------------------
    (
        "My SSN is 536-22-8174, please update my file.",
        [("536-22-8174", "US_SSN")],
    ),
    (
        "Passport no. K4821937, expires 2031.",
        [("K4821937", "PASSPORT")],
    ),
    (
        "NI number: QQ 12 34 56 C",
        [("QQ 12 34 56 C", "NATIONAL_ID")],
    ),
    (
        "DNI 48291037K para la reserva.",
        [("48291037K", "NATIONAL_ID")],
    ),
    (
        "Driver's licence D1234-56789-01234 (Ontario).",
        [("D1234-56789-01234", "DRIVER_LICENSE")],
    ),
    (
        "Steuer-ID: 65 929 970 489",
        [("65 929 970 489", "TAX_ID")],
    ),
    (
        "PAN card ABCPE1234F and Aadhaar 4821 7391 0562",
        [("ABCPE1234F", "TAX_ID"), ("4821 7391 0562", "NATIONAL_ID")],
    ),
    (
        "codice fiscale RSSMRA85T10A562S",
        [("RSSMRA85T10A562S", "TAX_ID")],
    ),
    (
        "patient DOB 03/14/1988, MRN 00482913",
        [("03/14/1988", "DATE_OF_BIRTH")],
    ),
    (
        "Geboren am 7. Mai 1992 in Graz.",
        [("7. Mai 1992", "DATE_OF_BIRTH"), ("Graz", "LOCATION")],
    ),
    # -- cards and bank accounts ------------------------------------------------------------------
    (
        "charge it to 4453 3314 7893 2885, exp 09/28",
        [("4453 3314 7893 2885", "CREDIT_CARD")],
    ),
    (
        "card: 5204-0723-8625-5113",
        [("5204-0723-8625-5113", "CREDIT_CARD")],
    ),
    (
        "Amex 378487333113879 on file",
        [("378487333113879", "CREDIT_CARD")],
    ),
    (
        "Bitte überweisen an DE62 3704 0044 0532 0130 01.",
        [("DE62 3704 0044 0532 0130 01", "IBAN_CODE")],
    ),
    (
        "IBAN FR1420041010050500013M02606",
        [("FR1420041010050500013M02606", "IBAN_CODE")],
    ),
    (
        "rekening NL64 ABNA 0417 1643 01 t.n.v. Sanne de Vries",
        [("NL64 ABNA 0417 1643 01", "IBAN_CODE"), ("Sanne de Vries", "PERSON")],
    ),
    (
        '{"iban": "GB02NWBK60161331926820", "holder": "Callum Reid"}',
        [("GB02NWBK60161331926820", "IBAN_CODE"), ("Callum Reid", "PERSON")],
    ),
    # -- e-mail, plain and obfuscated -----------------------------------------------------------
    (
        "write to john at example dot com if it breaks",
        [("john at example dot com", "EMAIL_ADDRESS")],
    ),
    (
        "my email is priya.k [at] fastmail [dot] com",
        [("priya.k [at] fastmail [dot] com", "EMAIL_ADDRESS")],
    ),
    (
        "Reach me: m.rossi(at)studio-rossi(dot)it",
        [("m.rossi(at)studio-rossi(dot)it", "EMAIL_ADDRESS")],
    ),
    (
        "contact: lena DOT weber AT posteo DOT de",
        [("lena DOT weber AT posteo DOT de", "EMAIL_ADDRESS")],
    ),
    (
        "send it to olu_bakare@proton.me and cc ops@brightlane.co.uk",
        [("olu_bakare@proton.me", "EMAIL_ADDRESS"), ("ops@brightlane.co.uk", "EMAIL_ADDRESS")],
    ),
    (
        "Reply-To: <tanaka.kenji+billing@gmail.com>",
        [("tanaka.kenji+billing@gmail.com", "EMAIL_ADDRESS")],
    ),
    (
        "email me — rosa {at} correo {dot} mx",
        [("rosa {at} correo {dot} mx", "EMAIL_ADDRESS")],
    ),
    # -- IP addresses and URLs ------------------------------------------------------------------
    (
        "Failed login for admin from 203.0.113.77 at 02:14",
        [("203.0.113.77", "IP_ADDRESS")],
    ),
    (
        "client 2001:db8:85a3::8a2e:370:7334 blocked",
        [("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS")],
    ),
    (
        "My profile is at https://www.linkedin.com/in/amara-nwosu-4821",
        [("https://www.linkedin.com/in/amara-nwosu-4821", "URL")],
    ),
    # -- passwords, keys and tokens in chat, logs and config ------------------------------------
    (
        "the wifi password is bluefalcon77",
        [("bluefalcon77", "PASSWORD")],
    ),
    (
        "login is jsmith / pw: Tr0ub4dor&3",
        [("Tr0ub4dor&3", "PASSWORD")],
    ),
    (
        "DB_PASSWORD=quiet-harbor-lantern",
        [("quiet-harbor-lantern", "PASSWORD")],
    ),
    (
        "postgres://app:Wq9!vLz2xR@db.internal:5432/orders",
        [("Wq9!vLz2xR", "PASSWORD")],
    ),
    (
        "mot de passe : soleil2026",
        [("soleil2026", "PASSWORD")],
    ),
    (
        "Passwort lautet Kaffeetasse!9",
        [("Kaffeetasse!9", "PASSWORD")],
    ),
    (
        "el código de la puerta es 4817",
        [("4817", "PASSWORD")],
    ),
    (
        "OPENAI_API_KEY=sk-proj-nqGKBHVF7T4c8qwivkv9AMiFNjV6aWtE9GX9KfKR23PD4ZBa",
        [("sk-proj-nqGKBHVF7T4c8qwivkv9AMiFNjV6aWtE9GX9KfKR23PD4ZBa", "API_KEY")],
    ),
    (
        "export GITHUB_TOKEN=ghp_AXmENQmnrojCEJmyW7Jn5W8jaPEWjQuUtofR",
        [("ghp_AXmENQmnrojCEJmyW7Jn5W8jaPEWjQuUtofR", "API_KEY")],
    ),
    (
        "aws_secret_access_key = uYtHFcMv5RbSCflxuR2mmyJCp96DO6M1rbOeX1p7",
        [("uYtHFcMv5RbSCflxuR2mmyJCp96DO6M1rbOeX1p7", "API_KEY")],
    ),
    (
        "2026-12-01T10:22:01Z DEBUG auth header: Bearer IFJYqmR3oWZ6dOU0IJqthTqYK68p01IWTOxo",
        [("IFJYqmR3oWZ6dOU0IJqthTqYK68p01IWTOxo", "API_KEY")],
    ),
    (
        "here's the key for the staging api: koOroYpQh6ZvOPrgY4mtcb6SgkO6XrbE7tta",
        [("koOroYpQh6ZvOPrgY4mtcb6SgkO6XrbE7tta", "API_KEY")],
    ),
    (
        "slack webhook token xoxb-2048-8841-mtqtWvTjwRlvBspeRDJy5T36",
        [("xoxb-2048-8841-mtqtWvTjwRlvBspeRDJy5T36", "API_KEY")],
    ),
    (
        "stripe:\n  secret_key: sk_live_a279c8779342301e40f0c02e1f8f3d6b",
        [("sk_live_a279c8779342301e40f0c02e1f8f3d6b", "API_KEY")],
    ),
    (
        "session cookie sid=0N5DQs6ktRryvSqbyFP3xt7V76k-xUCdMMHAcI_D",
        [("0N5DQs6ktRryvSqbyFP3xt7V76k-xUCdMMHAcI_D", "API_KEY")],
    ),
    (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTIzNDUiLCJuYW1lIjoiS2FpIn0.Hk3bQ9xZpL2mVw7cRt5yNsD1fGj8uAeO4iT6oYq0",
        [
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTIzNDUiLCJuYW1lIjoiS2FpIn0.Hk3bQ9xZpL2mVw7cRt5yNsD1fGj8uAeO4iT6oYq0",
                "API_KEY",
            )
        ],
    ),
    (
        "[ssh] user deploy password 'Marigold#42' accepted",
        [("Marigold#42", "PASSWORD")],
    ),
    (
        "PIN for the card is 0592, don't tell anyone",
        [("0592", "PASSWORD")],
    ),
    # -- mixed support tickets and signatures -------------------------------------------------
    (
        "--\nBest,\nEleanor Whitfield\nHead of Finance, Northwind Traders\n+1 312 555 0187",
        [
            ("Eleanor Whitfield", "PERSON"),
            ("Northwind Traders", "ORGANIZATION"),
            ("+1 312 555 0187", "PHONE_NUMBER"),
        ],
    ),
    (
        "Saludos,\nMaría José Ortega\nCalle Mayor 15, 3ºB, 28013 Madrid\nTel: +34 91 123 45 67",
        [
            ("María José Ortega", "PERSON"),
            ("Calle Mayor 15, 3ºB, 28013 Madrid", "ADDRESS"),
            ("+34 91 123 45 67", "PHONE_NUMBER"),
        ],
    ),
    (
        "Customer Li Na (li.na88@163.com) reports a double charge on 6011 9811 3511 9712.",
        [
            ("Li Na", "PERSON"),
            ("li.na88@163.com", "EMAIL_ADDRESS"),
            ("6011 9811 3511 9712", "CREDIT_CARD"),
        ],
    ),
    (
        "Caller: Bill Hope, DOB 1974-08-22, callback 555-201-7788",
        [
            ("Bill Hope", "PERSON"),
            ("1974-08-22", "DATE_OF_BIRTH"),
            ("555-201-7788", "PHONE_NUMBER"),
        ],
    ),
    (
        "Mit freundlichen Grüßen\nJürgen Hoffmann\nHauptstr. 8, 8001 Zürich",
        [("Jürgen Hoffmann", "PERSON"), ("Hauptstr. 8, 8001 Zürich", "ADDRESS")],
    ),
    (
        "assignee: Rose Tanaka, reporter: Sam Oduya, env: prod",
        [("Rose Tanaka", "PERSON"), ("Sam Oduya", "PERSON")],
    ),
    (
        "Tenant Yoon Seo-yeon moved out of 301, 45 Teheran-ro, Gangnam-gu, Seoul.",
        [("Yoon Seo-yeon", "PERSON"), ("301, 45 Teheran-ro, Gangnam-gu, Seoul", "ADDRESS")],
    ),
    (
        "From: Chidi Okonkwo <chidi.okonkwo@outlook.com>\nSubject: my order",
        [("Chidi Okonkwo", "PERSON"), ("chidi.okonkwo@outlook.com", "EMAIL_ADDRESS")],
    ),
    (
        "Dear Ms. Grace Lee, your appointment at 88 Orchard Road, Singapore 238839 is confirmed.",
        [("Grace Lee", "PERSON"), ("88 Orchard Road, Singapore 238839", "ADDRESS")],
    ),
    (
        "logs: user=carmen.vega ip=198.51.100.23 action=export",
        [("carmen.vega", "PERSON"), ("198.51.100.23", "IP_ADDRESS")],
    ),
    (
        "Bitte rufen Sie Frau Petra Krause unter 0151 2345 6789 an.",
        [("Petra Krause", "PERSON"), ("0151 2345 6789", "PHONE_NUMBER")],
    ),
    (
        "Il signor Giuseppe Russo abita in Via Roma 21, Napoli.",
        [("Giuseppe Russo", "PERSON"), ("Via Roma 21, Napoli", "ADDRESS")],
    ),
    (
        "Sr. Hao Chen, su tarjeta terminada en 4821 fue bloqueada. Llame al +52 55 1234 5678.",
        [("Hao Chen", "PERSON"), ("+52 55 1234 5678", "PHONE_NUMBER")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    # software and product names, some of them person-like
    ("Ask Alexa to set a timer for ten minutes.", []),
    ("Siri keeps mishearing my shopping list.", []),
    ("Our Jenkins pipeline fails on the lint stage.", []),
    ("Is Ruby on Rails still a good choice for a startup?", []),
    ("Julia is faster than Python for this kind of numeric loop.", []),
    ("Open the file in Excel, not Numbers.", []),
    ("Outlook keeps asking for my password after the update.", []),
    ("WhatsApp Web disconnects every few minutes.", []),
    ("Can Cortana read my calendar?", []),
    ("We moved from Jira to Linear last quarter.", []),
    ("Does Grafana support Loki as a data source?", []),
    ("I use Obsidian for notes and Zotero for references.", []),
    ("Try Blender 4.1 for the render, or Maya if you have a licence.", []),
    ("Is Claude or Gemini better at summarising PDFs?", []),
    ("Upgrade Django 4.2 to 5.0 before the LTS ends.", []),
    ("pip install pandas==2.2.1 numpy>=1.26", []),
    ("Our stack: React 18, Next.js 14, Postgres 16, Redis 7.2.", []),
    ("Kubernetes 1.29 removed the flowcontrol v1beta2 API.", []),
    ("Node 20.11.0 and npm 10.2.4 are required.", []),
    ("The Tesla Model 3 update added a new dashcam viewer.", []),
    ("Ben & Jerry's is running a promo this week.", []),
    ("Dr. Martens boots are on sale.", []),
    ("Jack Daniel's and Johnnie Walker are both whiskies.", []),
    ("Mr. Clean works well on kitchen tiles.", []),
    ("Use Hugo or Jekyll to build a static site.", []),
    ("Apache Kafka and Apache Flink handle the stream.", []),
    ("Signal and Telegram both offer end-to-end encryption.", []),
    ("Wendy's and McDonald's both sell breakfast.", []),
    # code
    (
        "def get_user(name: str) -> User:\n    return db.query(User).filter_by(name=name).first()",
        [],
    ),
    ("password = getpass.getpass('Password: ')", []),
    ("if not api_key:\n    raise ValueError('OPENAI_API_KEY is not set')", []),
    ("const phone = form.elements['phone'].value.trim();", []),
    ("SELECT first_name, last_name, email FROM customers WHERE id = $1;", []),
    ("export DATABASE_URL=${DATABASE_URL:-postgres://localhost/dev}", []),
    ("token = request.headers.get('Authorization', '').removeprefix('Bearer ')", []),
    ("git commit -m 'fix: handle empty address field'", []),
    ("kubectl get pods -n payments --selector app=checkout", []),
    ("docker run -p 8080:80 nginx:1.25-alpine", []),
    ("assert parse_version('3.11.4') > parse_version('3.9.18')", []),
    # version numbers and identifiers that look like other things
    ("Release 2024.10.1 fixes CVE-2024-3094.", []),
    ("Build 7.0.3.1582 is on the mirror.", []),
    ("The model has 8x7B parameters and a 32k context.", []),
    ("Error 0x80070005: access denied.", []),
    ("Order #A-2291-77 shipped via the standard lane.", []),
    (
        "Use the SHA-256 of the artifact: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        [],
    ),
    # field names without values, placeholders
    ("Enter your name, email and phone number below.", []),
    ("telefono: (obbligatorio)", []),
    ("Password must have at least 12 characters.", []),
    ("Replace YOUR_API_KEY with the key from the dashboard.", []),
    ("Fill in: Name ______  Address ______  Date of birth ______", []),
    # place names as technical context
    (
        "Deploy to the Frankfurt region (eu-central-1) for lower latency.",
        [("Frankfurt", "PUBLIC")],
    ),
    ("The Tokyo data centre will be down for maintenance.", [("Tokyo", "PUBLIC")]),
    ("Set the timezone to America/Sao_Paulo in the container.", [("America/Sao_Paulo", "PUBLIC")]),
    ("How many cafés are there in Paris?", [("Paris", "PUBLIC")]),
    # ordinary words that are also names
    ("The rose bushes need pruning in March.", []),
    ("I hope the bill is paid by Friday.", []),
    ("At dawn the summer fog lifts.", []),
    ("Grant access to the shared drive for the audit.", []),
    ("Mark the task as done and close the ticket.", []),
    ("Will this work on an ARM laptop?", []),
    ("Faith in the process is not a rollout plan.", []),
    ("x" * 2000, []),
]
