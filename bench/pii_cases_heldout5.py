"""Held-out PII set 5: written on 2026-12-07 before the sixth round of changes.

Sets 1-4 have all been tuned on, so none of them estimates recall on unseen text any more.
This set was written without reading the recognisers or running the scrubber on it, aimed
at what the earlier rounds left (docs/pii.md): chat logs, e-mail signatures, support
tickets, JSON tool results, CSV rows, code and config with secrets; Spanish, German,
French, Portuguese, Italian, Dutch and Polish text; Japanese and Chinese names; names in
lower case and names that are ordinary words (`Rose`, `Hope`, `Will`, `Bill`); door codes
and PINs; passwords written in prose; keys with no vendor prefix; IBANs; addresses. Every
value is fake (cards pass Luhn, IBANs their mod-97 check, keys are random).

`BENIGN` is the hard benign part, with the rules of set 4 (`bench/pii_cases_heldout4.py`):
a person's, place's or organisation's name is PII whoever it names, so a benign text names
none, except spans labelled `PUBLIC` (a place or company inside a product or technical
context), which are not scored either way; product, software and service names, question
words, menu words, code identifiers, version strings and ordinary words are not names.
The false-alarm rate is the share of texts with any redaction that overlaps no label.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- chat logs ----------------------------------------------------------------------------
    (
        "[09:14] <support> hi, who am I speaking with?\n"
        "[09:15] <guest_4411> my name is maria fernanda lopez, order 55812",
        [("maria fernanda lopez", "PERSON")],
    ),
    (
        "user: hey its kevin o'brien again, the app logged me out\nagent: sorry Kevin!",
        [("kevin o'brien", "PERSON"), ("Kevin", "PERSON")],
    ),
    (
        "me llamo lucía ramírez y vivo en calle de alcalá 120, 28009 madrid",
        [("lucía ramírez", "PERSON"), ("calle de alcalá 120, 28009 madrid", "ADDRESS")],
    ),
    (
        "ich bin der thomas schneider, meine nummer ist 0176 98765432",
        [("thomas schneider", "PERSON"), ("0176 98765432", "PHONE_NUMBER")],
    ),
    (
        "salut c'est camille dubois, tu peux m'appeler au 07 81 22 45 90 ?",
        [("camille dubois", "PERSON"), ("07 81 22 45 90", "PHONE_NUMBER")],
    ),
    (
        "olá, meu nome é ana beatriz souza e meu cpf é 123.456.789-09",
        [("ana beatriz souza", "PERSON"), ("123.456.789-09", "NATIONAL_ID")],
    ),
    (
        "ciao sono francesca romano, il mio numero è 347 123 4567",
        [("francesca romano", "PERSON"), ("347 123 4567", "PHONE_NUMBER")],
    ),
    (
        "hoi, ik ben sanne de vries en mijn telefoonnummer is 06 4321 8765",
        [("sanne de vries", "PERSON"), ("06 4321 8765", "PHONE_NUMBER")],
    ),
    (
        "cześć, tu piotr kowalczyk, mój numer to 601 234 567",
        [("piotr kowalczyk", "PERSON"), ("601 234 567", "PHONE_NUMBER")],
    ),
    (
        "Rose said Will would bring the keys; Hope is on leave until Monday.",
        [("Rose", "PERSON"), ("Will", "PERSON"), ("Hope", "PERSON")],
    ),
    (
        "Ask Bill Short in accounts, or Grace Young if he's out.",
        [("Bill Short", "PERSON"), ("Grace Young", "PERSON")],
    ),
    (
        "Mark Page and Amber Stone approved the refund yesterday.",
        [("Mark Page", "PERSON"), ("Amber Stone", "PERSON")],
    ),
    (
        "i talked to jun from the warehouse, he said sunita will call back",
        [("jun", "PERSON"), ("sunita", "PERSON")],
    ),
    (
        "[14:02] alice.nguyen: can someone reset the vpn for priya?\n[14:03] ops-bot: done",
        [("alice.nguyen", "PERSON"), ("priya", "PERSON")],
    ),
    (
        "Customer 田中 美咲 (Tanaka Misaki) called about invoice 8812.",
        [("田中 美咲", "PERSON"), ("Tanaka Misaki", "PERSON")],
    ),
    (
        "お問い合わせありがとうございます。担当の佐藤健です。",
        [("佐藤健", "PERSON")],
    ),
    (
        "客户张伟来电，要求退款。",
        [("张伟", "PERSON")],
    ),
    (
        "陈静女士的快递地址是北京市朝阳区建国路88号。",
        [("陈静", "PERSON"), ("北京市朝阳区建国路88号", "ADDRESS")],
    ),
    (
        "Meeting notes: Li Wei and Zhou Xin will own the migration.",
        [("Li Wei", "PERSON"), ("Zhou Xin", "PERSON")],
    ),
    (
        "Reply from Nguyễn Thị Hương: I'll be away, contact Đặng Minh instead.",
        [("Nguyễn Thị Hương", "PERSON"), ("Đặng Minh", "PERSON")],
    ),
    # -- e-mail signatures ---------------------------------------------------------------------
    (
        "Best regards,\nSofía Martín\nHead of Sales\nm: +34 612 34 56 78\nsofia.martin@example.es",
        [
            ("Sofía Martín", "PERSON"),
            ("+34 612 34 56 78", "PHONE_NUMBER"),
            ("sofia.martin@example.es", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Mit freundlichen Grüßen\n\nKatharina Vogel\nLindenstraße 14\n10969 Berlin\n"
        "Tel. 030 12345678",
        [
            ("Katharina Vogel", "PERSON"),
            ("Lindenstraße 14\n10969 Berlin", "ADDRESS"),
            ("030 12345678", "PHONE_NUMBER"),
        ],
    ),
    (
        "Cordialement,\n-- \nJean-Baptiste Moreau\n12 rue des Lilas, 69003 Lyon\n"
        "Tél : +33 4 72 00 11 22",
        [
            ("Jean-Baptiste Moreau", "PERSON"),
            ("12 rue des Lilas, 69003 Lyon", "ADDRESS"),
            ("+33 4 72 00 11 22", "PHONE_NUMBER"),
        ],
    ),
    (
        "Atenciosamente,\nRafael Costa Pereira\nRua Augusta, 1500 - São Paulo/SP\n(11) 3456-7890",
        [
            ("Rafael Costa Pereira", "PERSON"),
            ("Rua Augusta, 1500 - São Paulo/SP", "ADDRESS"),
            ("(11) 3456-7890", "PHONE_NUMBER"),
        ],
    ),
    (
        "Cordiali saluti\nAlessandro Bianchi\nVia Garibaldi 7, 20121 Milano\ncell. 333 987 6543",
        [
            ("Alessandro Bianchi", "PERSON"),
            ("Via Garibaldi 7, 20121 Milano", "ADDRESS"),
            ("333 987 6543", "PHONE_NUMBER"),
        ],
    ),
    (
        "Met vriendelijke groet,\n\nJoost Bakker\nKeizersgracht 221\n1016 DV Amsterdam",
        [("Joost Bakker", "PERSON"), ("Keizersgracht 221\n1016 DV Amsterdam", "ADDRESS")],
    ),
    (
        "Z poważaniem\nAgnieszka Zielińska\nul. Marszałkowska 84/92, 00-514 Warszawa",
        [
            ("Agnieszka Zielińska", "PERSON"),
            ("ul. Marszałkowska 84/92, 00-514 Warszawa", "ADDRESS"),
        ],
    ),
    (
        "Thanks,\nDawn Summers | Customer Success\n+1 (415) 555-0142 | dawn@brightpath.io",
        [
            ("Dawn Summers", "PERSON"),
            ("+1 (415) 555-0142", "PHONE_NUMBER"),
            ("dawn@brightpath.io", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "Sent from my iPhone\n\n> On Tue, Dec 1, Patrick Walsh <p.walsh@harbourlane.ie> wrote:",
        [("Patrick Walsh", "PERSON"), ("p.walsh@harbourlane.ie", "EMAIL_ADDRESS")],
    ),
    (
        "鈴木一郎\n営業部 部長\nTEL: 03-1234-5678\nichiro.suzuki@example.co.jp",
        [
            ("鈴木一郎", "PERSON"),
            ("03-1234-5678", "PHONE_NUMBER"),
            ("ichiro.suzuki@example.co.jp", "EMAIL_ADDRESS"),
        ],
    ),
    # -- support tickets -----------------------------------------------------------------------
    (
        "Ticket #40921\nRequester: Olivia Bennett\nIssue: can't log in. My password is "
        "Sunflower!2024 and it keeps saying invalid.",
        [("Olivia Bennett", "PERSON"), ("Sunflower!2024", "PASSWORD")],
    ),
    (
        "Ticket: customer says the old pw was bluebird77, new one is bluebird78 but neither works",
        [("bluebird77", "PASSWORD"), ("bluebird78", "PASSWORD")],
    ),
    (
        "The alarm code for the back office is 5821, please don't share it.",
        [("5821", "PASSWORD")],
    ),
    (
        "Building access: gate code 1947#, then the key box code is 3306.",
        [("1947", "PASSWORD"), ("3306", "PASSWORD")],
    ),
    (
        "To get into the flat the door code is 24-68-13, buzz 4B if it fails.",
        [("24-68-13", "PASSWORD")],
    ),
    (
        "My bank card PIN is 7392 and I think someone saw it.",
        [("7392", "PASSWORD")],
    ),
    (
        "Sim PIN 0000 changed to 8264 by the customer on the phone.",
        [("8264", "PASSWORD")],
    ),
    (
        "Der Türcode ist 4711, der Briefkastenschlüssel liegt darunter.",
        [("4711", "PASSWORD")],
    ),
    (
        "El código de la puerta es 2580 y la clave del wifi es Casa_Azul_99.",
        [("2580", "PASSWORD"), ("Casa_Azul_99", "PASSWORD")],
    ),
    (
        "Le code de la porte est B1234 et le digicode du parking 9071.",
        [("B1234", "PASSWORD"), ("9071", "PASSWORD")],
    ),
    (
        "O código do portão é 3141 e a senha do wi-fi é minhacasa2023.",
        [("3141", "PASSWORD"), ("minhacasa2023", "PASSWORD")],
    ),
    (
        "Il codice del portone è 6502, la password del wifi è gattonero88.",
        [("6502", "PASSWORD"), ("gattonero88", "PASSWORD")],
    ),
    (
        "De code van de sleutelkluis is 7788 en het wachtwoord is Fietsbel!12.",
        [("7788", "PASSWORD"), ("Fietsbel!12", "PASSWORD")],
    ),
    (
        "Kod do domofonu to 1357, a hasło do routera: Kotek2022.",
        [("1357", "PASSWORD"), ("Kotek2022", "PASSWORD")],
    ),
    (
        "i always use the same password everywhere, it's my dog's name plus 99: rocky99",
        [("rocky99", "PASSWORD")],
    ),
    (
        "Her login is jsmith and the password she gave me was tigerlily",
        [("tigerlily", "PASSWORD")],
    ),
    (
        "Temporary password for the new hire: Welcome-Autumn-42 (must change on first login).",
        [("Welcome-Autumn-42", "PASSWORD")],
    ),
    (
        "Mein Passwort lautet Sommerregen2025, bitte nicht weitergeben.",
        [("Sommerregen2025", "PASSWORD")],
    ),
    (
        "Mon mot de passe c'est soleil123 mais il ne marche plus.",
        [("soleil123", "PASSWORD")],
    ),
    (
        "Please refund to my card 4292 3848 5950 9454, exp 09/27, cvv 318.",
        [("4292 3848 5950 9454", "CREDIT_CARD")],
    ),
    (
        "Card on file: 5412-8343-1265-8902 (Mastercard), holder Hannah Kim.",
        [("5412-8343-1265-8902", "CREDIT_CARD"), ("Hannah Kim", "PERSON")],
    ),
    (
        "Amex 378476762607303 declined twice, customer Ravi Menon asked us to retry.",
        [("378476762607303", "CREDIT_CARD"), ("Ravi Menon", "PERSON")],
    ),
    (
        "My SSN is 512-44-7788 and my date of birth is 03/14/1989.",
        [("512-44-7788", "US_SSN"), ("03/14/1989", "DATE_OF_BIRTH")],
    ),
    (
        "Patient: Ingrid Larsen, born 22 July 1958, lives at 4 Elm Row, Edinburgh EH7 4AA.",
        [
            ("Ingrid Larsen", "PERSON"),
            ("22 July 1958", "DATE_OF_BIRTH"),
            ("4 Elm Row, Edinburgh EH7 4AA", "ADDRESS"),
        ],
    ),
    (
        "Fecha de nacimiento: 05/11/1976. DNI 12345678Z.",
        [("05/11/1976", "DATE_OF_BIRTH"), ("12345678Z", "NATIONAL_ID")],
    ),
    (
        "geboren am 17.03.1984 in Köln, wohnhaft Hauptstraße 5, 50667 Köln",
        [("17.03.1984", "DATE_OF_BIRTH"), ("Hauptstraße 5, 50667 Köln", "ADDRESS")],
    ),
    (
        "Ship to: 1600 Elm Street, Apt 3C, Springfield, IL 62704",
        [("1600 Elm Street, Apt 3C, Springfield, IL 62704", "ADDRESS")],
    ),
    (
        "send it to 42 wallaby way, sydney nsw 2000 pls",
        [("42 wallaby way, sydney nsw 2000", "ADDRESS")],
    ),
    (
        "My address is Flat 2, 18 Queen's Road, Brighton BN1 3XE.",
        [("Flat 2, 18 Queen's Road, Brighton BN1 3XE", "ADDRESS")],
    ),
    # -- IBANs in prose, several languages -----------------------------------------------------
    (
        "Por favor, transfiere el reembolso a ES69 2100 0418 4521 2254 4101.",
        [("ES69 2100 0418 4521 2254 4101", "IBAN_CODE")],
    ),
    (
        "Bitte überweisen Sie auf DE27370400449952883036 (Kontoinhaber: Uwe Hartmann).",
        [("DE27370400449952883036", "IBAN_CODE"), ("Uwe Hartmann", "PERSON")],
    ),
    (
        "Mon IBAN : FR19 2004 1010 0562 3336 9977 426",
        [("FR19 2004 1010 0562 3336 9977 426", "IBAN_CODE")],
    ),
    (
        "IBAN para devolução: PT74 0002 0123 6249 4401 9195 4",
        [("PT74 0002 0123 6249 4401 9195 4", "IBAN_CODE")],
    ),
    (
        "Coordinate bancarie: IT43X0542811101210351806612 intestato a Marco Esposito",
        [("IT43X0542811101210351806612", "IBAN_CODE"), ("Marco Esposito", "PERSON")],
    ),
    (
        "rekeningnummer nl97rabo1872057569 t.n.v. familie jansen",
        [("nl97rabo1872057569", "IBAN_CODE"), ("jansen", "PERSON")],
    ),
    (
        "Numer konta: PL52 1090 1014 2109 4983 9512 4164",
        [("PL52 1090 1014 2109 4983 9512 4164", "IBAN_CODE")],
    ),
    (
        "iban,holder\nAT721904325882022806,Lukas Gruber\nBE20539229617079,Emma Peeters",
        [
            ("AT721904325882022806", "IBAN_CODE"),
            ("Lukas Gruber", "PERSON"),
            ("BE20539229617079", "IBAN_CODE"),
            ("Emma Peeters", "PERSON"),
        ],
    ),
    # -- JSON tool results ---------------------------------------------------------------------
    (
        '{"customer": {"name": "Beatriz Oliveira", "email": "bia.oliveira@mailbox.pt", '
        '"phone": "+351 912 345 678"}}',
        [
            ("Beatriz Oliveira", "PERSON"),
            ("bia.oliveira@mailbox.pt", "EMAIL_ADDRESS"),
            ("+351 912 345 678", "PHONE_NUMBER"),
        ],
    ),
    (
        '{"user_id": 88121, "first_name": "Yuki", "last_name": "Watanabe", "dob": "1992-08-30"}',
        [("Yuki", "PERSON"), ("Watanabe", "PERSON"), ("1992-08-30", "DATE_OF_BIRTH")],
    ),
    (
        '{"results": [{"contact": "ngozi adeyemi", "city": "Lagos", '
        '"address": "15 Awolowo Road, Ikoyi"}]}',
        [
            ("ngozi adeyemi", "PERSON"),
            ("Lagos", "LOCATION"),
            ("15 Awolowo Road, Ikoyi", "ADDRESS"),
        ],
    ),
    (
        '{"service": "billing", "credentials": {"user": "svc_billing", "pass": "Qm7#vLp2!xRz"}}',
        [("Qm7#vLp2!xRz", "PASSWORD")],
    ),
    (
        '{"integration": "crm", "key": "wu5lg16H4vcWRwr2quvSquety6W3d0dej5uPgePC"}',
        [("wu5lg16H4vcWRwr2quvSquety6W3d0dej5uPgePC", "API_KEY")],
    ),
    (
        '{"webhook_secret": "1d92826b6641f4c4c3ac10ce499beaaf", "url": "https://hooks.example.com/x"}',
        [("1d92826b6641f4c4c3ac10ce499beaaf", "API_KEY")],
    ),
    (
        '{"employee": "Ewa Dąbrowska", "pesel": "44051401359", "ip": "10.12.4.77"}',
        [("Ewa Dąbrowska", "PERSON"), ("44051401359", "NATIONAL_ID"), ("10.12.4.77", "IP_ADDRESS")],
    ),
    (
        '{"guest": "Hendrik de Groot", "room": 412, "door_pin": "9034"}',
        [("Hendrik de Groot", "PERSON"), ("9034", "PASSWORD")],
    ),
    # -- CSV rows ------------------------------------------------------------------------------
    (
        "id,name,email,phone\n17,Carlos Mendoza,cmendoza@correo.mx,+52 55 1234 5678",
        [
            ("Carlos Mendoza", "PERSON"),
            ("cmendoza@correo.mx", "EMAIL_ADDRESS"),
            ("+52 55 1234 5678", "PHONE_NUMBER"),
        ],
    ),
    (
        "nombre;apellido;ciudad\nPilar;Navarro;Zaragoza\nIñigo;Etxeberria;Bilbao",
        [
            ("Pilar", "PERSON"),
            ("Navarro", "PERSON"),
            ("Zaragoza", "LOCATION"),
            ("Iñigo", "PERSON"),
            ("Etxeberria", "PERSON"),
            ("Bilbao", "LOCATION"),
        ],
    ),
    (
        "Vorname,Nachname,Geburtsdatum\nFelix,Wagner,12.06.1991",
        [("Felix", "PERSON"), ("Wagner", "PERSON"), ("12.06.1991", "DATE_OF_BIRTH")],
    ),
    (
        "username,pin\nrkhan,4417\nmlopez,9920",
        [("rkhan", "PERSON"), ("4417", "PASSWORD"), ("mlopez", "PERSON"), ("9920", "PASSWORD")],
    ),
    (
        "2026-12-01,login_failed,user=daniel.okafor,src=203.0.113.45",
        [("daniel.okafor", "PERSON"), ("203.0.113.45", "IP_ADDRESS")],
    ),
    # -- code and config with secrets ----------------------------------------------------------
    (
        'client = Client(api_key="Ug1AeWyKPAIvS857M49VDtRFgghYwS7t")',
        [("Ug1AeWyKPAIvS857M49VDtRFgghYwS7t", "API_KEY")],
    ),
    (
        "const secret = 'exxkS1PitdBPuELgEpzXcIDea0a9Imoh';",
        [("exxkS1PitdBPuELgEpzXcIDea0a9Imoh", "API_KEY")],
    ),
    (
        "MAPS_KEY=upuCbMDIH0BXrP3Ix8WSq8pBSnq5cYEB48vUAwgAcyf6gocc",
        [("upuCbMDIH0BXrP3Ix8WSq8pBSnq5cYEB48vUAwgAcyf6gocc", "API_KEY")],
    ),
    (
        "headers = {'X-Auth': 'kP4PYyuJVqflfBMaK6JVoi6UuMLhhonba7Fc'}",
        [("kP4PYyuJVqflfBMaK6JVoi6UuMLhhonba7Fc", "API_KEY")],
    ),
    (
        "here's the key for the weather api: c65979b6227a97255c297f7cd525c949b4c8f6a8",
        [("c65979b6227a97255c297f7cd525c949b4c8f6a8", "API_KEY")],
    ),
    (
        "signing key (hex): 2c822b3d6e01be3a7858017545c62f3d5c10acc50bd9d406394bd5670fdbc9d8",
        [("2c822b3d6e01be3a7858017545c62f3d5c10acc50bd9d406394bd5670fdbc9d8", "API_KEY")],
    ),
    (
        "app.config['SECRET_KEY'] = 'p2T5nUEc9KmQzOcOxSDUlPZV'",
        [("p2T5nUEc9KmQzOcOxSDUlPZV", "API_KEY")],
    ),
    (
        "spring.datasource.password=Tr0ub4dor&3",
        [("Tr0ub4dor&3", "PASSWORD")],
    ),
    (
        "DATABASE_URL=postgresql://app_user:hunter2hunter2@db.internal:5432/shop",
        [("hunter2hunter2", "PASSWORD")],
    ),
    (
        "smtp:\n  host: mail.example.org\n  user: noreply\n  pass: Zx9!kd02Lq",
        [("Zx9!kd02Lq", "PASSWORD")],
    ),
    (
        "curl -u admin:S3cretPass! https://api.example.com/v1/reports",
        [("S3cretPass!", "PASSWORD")],
    ),
    (
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Qp3Lm2Vb",
        [("wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Qp3Lm2Vb", "API_KEY")],
    ),
    (
        "token: ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s12",
        [("ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s12", "API_KEY")],
    ),
    (
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MjEifQ.c2lnbmF0dXJlLXZhbHVl",
        [("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MjEifQ.c2lnbmF0dXJlLXZhbHVl", "API_KEY")],
    ),
    (
        "mysql -h 192.168.10.5 -u root -pR00tOfAllEvil shop",
        [("192.168.10.5", "IP_ADDRESS"), ("R00tOfAllEvil", "PASSWORD")],
    ),
    # -- multilingual prose --------------------------------------------------------------------
    (
        "Hola, soy Guadalupe Hernández. Mi correo es lupita.hdz@correo.com.mx.",
        [("Guadalupe Hernández", "PERSON"), ("lupita.hdz@correo.com.mx", "EMAIL_ADDRESS")],
    ),
    (
        "Sehr geehrter Herr Brandt, Ihre neue Adresse Am Sonnenhang 3, 79100 Freiburg ist "
        "gespeichert.",
        [("Brandt", "PERSON"), ("Am Sonnenhang 3, 79100 Freiburg", "ADDRESS")],
    ),
    (
        "Madame Élodie Girard a changé son numéro : 01 45 67 89 10.",
        [("Élodie Girard", "PERSON"), ("01 45 67 89 10", "PHONE_NUMBER")],
    ),
    (
        "A cliente Mariana Lima pediu a troca do endereço para Av. Paulista, 900, apto 12.",
        [("Mariana Lima", "PERSON"), ("Av. Paulista, 900, apto 12", "ADDRESS")],
    ),
    (
        "Il signor Giovanni Ricci ha chiamato dal 02 8765 4321.",
        [("Giovanni Ricci", "PERSON"), ("02 8765 4321", "PHONE_NUMBER")],
    ),
    (
        "Mevrouw Fenna Visser woont op Dorpsstraat 12, 3811 AB Amersfoort.",
        [("Fenna Visser", "PERSON"), ("Dorpsstraat 12, 3811 AB Amersfoort", "ADDRESS")],
    ),
    (
        "Pan Krzysztof Lewandowski prosi o kontakt: k.lewandowski@poczta.pl",
        [("Krzysztof Lewandowski", "PERSON"), ("k.lewandowski@poczta.pl", "EMAIL_ADDRESS")],
    ),
    (
        "¿Me puedes recordar el PIN de la alarma? Creo que era 1290.",
        [("1290", "PASSWORD")],
    ),
    (
        "la contraseña del correo de mi madre es Girasol1961",
        [("Girasol1961", "PASSWORD")],
    ),
    (
        "my name is dave and my pin is 4455",
        [("dave", "PERSON"), ("4455", "PASSWORD")],
    ),
    (
        "this is sarah from accounting, call me on 0207 946 0321",
        [("sarah", "PERSON"), ("0207 946 0321", "PHONE_NUMBER")],
    ),
    (
        "i'm joy, my husband's name is earl and we live in leeds",
        [("joy", "PERSON"), ("earl", "PERSON"), ("leeds", "LOCATION")],
    ),
    (
        "My colleague Summer Lane handles the Berlin office.",
        [("Summer Lane", "PERSON"), ("Berlin", "LOCATION")],
    ),
    (
        "Connected from 2001:db8:85a3::8a2e:370:7334 as user faisal.rahman",
        [("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"), ("faisal.rahman", "PERSON")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    # questions in many languages
    ("¿Cómo puedo exportar una tabla a PDF?", []),
    ("¿Cómo se instala Node.js en Ubuntu?", []),
    ("¿Qué significa el error 404?", []),
    ("¿Por qué mi teléfono no carga?", []),
    ("¿Dónde guardo las copias de seguridad de Outlook?", []),
    ("Cómo activo el modo oscuro en WhatsApp", []),
    ("Como faço para limpar o cache do navegador?", []),
    ("Qual é a diferença entre RAM e ROM?", []),
    ("Por que o Excel trava ao abrir planilhas grandes?", []),
    ("Wie kann ich eine PDF-Datei bearbeiten?", []),
    ("Was ist der Unterschied zwischen HTTP und HTTPS?", []),
    ("Warum ist mein Akku so schnell leer?", []),
    ("Comment installer Python sur Windows 11 ?", []),
    ("Qu'est-ce qu'une adresse IP ?", []),
    ("Où trouver les paramètres de confidentialité ?", []),
    ("Come si cambia la lingua della tastiera?", []),
    ("Qual è la differenza tra SSD e HDD?", []),
    ("Hoe maak ik een back-up van mijn telefoon?", []),
    ("Wat is het verschil tussen 4G en 5G?", []),
    ("Jak wyczyścić pamięć podręczną przeglądarki?", []),
    ("Co to jest VPN i do czego służy?", []),
    ("スマホの画面が固まったらどうすればいいですか？", []),
    ("如何清除浏览器缓存？", []),
    # product and tech text
    ("Export the sheet from Excel as CSV, then import it in Outlook.", []),
    ("Share the link on WhatsApp or Telegram.", []),
    ("Open Settings > Privacy > Location Services and turn it off.", []),
    ("Go to File > Options > Advanced and uncheck Hardware Acceleration.", []),
    ("Tap Menu, then Help, then Report a Problem.", []),
    ("Upgrade from Django 4.2 to 5.0 after reading the release notes.", []),
    ("Requires Node 18.17.0 or later and npm 9.6.7.", []),
    ("Bump version to 2.14.3-rc.1 and tag the release.", []),
    ("Use Terraform with the AWS provider in the us-east-1 region.", [("us-east-1", "PUBLIC")]),
    ("Deploy to the eu-west-2 (London) region for lower latency.", [("London", "PUBLIC")]),
    (
        "Store timestamps in UTC and render them in America/New_York.",
        [("America/New_York", "PUBLIC")],
    ),
    ("The Jenkins pipeline fails at the SonarQube stage.", []),
    ("Enable Bluetooth LE scanning in the Android manifest.", []),
    ("Slack and Jira are integrated through a webhook.", []),
    # code identifiers and logs
    ("def get_user_by_email(email: str) -> User | None:", []),
    ("if (!isValidPassword(password)) throw new AuthError('weak password');", []),
    ("const MAX_RETRIES = 5; const DEFAULT_TIMEOUT_MS = 30000;", []),
    ("class PasswordResetService(BaseService): pass", []),
    ("SELECT name, email FROM users WHERE created_at > NOW() - INTERVAL '7 days';", []),
    ("2026-12-07T10:15:32Z INFO request_id=3f2a9c1e-7b4d-4e8a-9f10-2c6d8e4b1a77 status=200", []),
    ("trace_id=9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d span=db.query took 12ms", []),
    ("commit 4e1c2a9f7b3d5e6a8c0f1b2d3e4f5a6b7c8d9e0f", []),
    ("sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", []),
    ("docker pull nginx:1.25.3-alpine", []),
    ("ERROR [main] c.e.app.PaymentController - timeout after 5000 ms", []),
    # numbers that look like phones or ids
    ("Order 1234 5678 9012 shipped in 3 boxes.", []),
    ("Build 20261207.1534 passed 1 204 of 1 206 tests.", []),
    ("Call the function with timeout=86400 and retries=3.", []),
    ("The file is 4 294 967 296 bytes long.", []),
    ("Tracking number: 1Z 999 AA1 01 2345 6784.", []),
    ("Ports 8080, 8443 and 9090 must be open.", []),
    ("Error code 0x80070005: access denied.", []),
    ("Set the PIN length policy to 6 digits minimum.", []),
    ("The door sensor reports code 12 when the battery is low.", []),
    ("Password must be at least 12 characters long.", []),
    ("The API key is shown only once, store it in your secret manager.", []),
]
