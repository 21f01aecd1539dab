"""Held-out PII set 10: written on 2026-12-07 (20:35 UTC) before the tenth PII round.

The independent evaluation found "the PII scrubber misses names and passwords", so this set
is aimed at those two families, in registers the earlier sets lack: support tickets pasted
with their signatures, chat logs with handles and timestamps, config files and `.env` dumps
with passwords and tokens in many spellings (`pwd=`, `passphrase:`, `DB_PASS`, JSON, YAML,
INI, XML, URL user info, `-p'…'`), passwords said in prose in several languages, names in
Spanish, German, French, Portuguese, Dutch, Indian, Nigerian, Arabic-transliterated and
Vietnamese contexts, names in lower case and in e-mail sign-offs, addresses whose postcode
ends them (`VIC 3121`, `QC H3H 1K6`, `Osaka 530-0047`, UK postcodes), `correo:` and
`Kontakt:` labels, CSV rows with lone names. Written without running the scrubber on it and
before reading the failures of any other set; every value is fake.

`BENIGN` is the hard benign part (rules of set 4: a person's, place's or organisation's
name is PII whoever it names, so a public figure or place in a question is labelled
`PUBLIC` and not scored either way; a redaction of any other word is a false alarm):
code about passwords and tokens, product names, version strings, hashes, UUIDs, dates,
sentences where `password`, `code`, `key` or `pass` stand before a value that is no secret.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- support tickets with signatures ----------------------------------------------
    (
        "Hi team,\nthe export keeps failing since Monday. Can someone look?\n\nThanks,\n"
        "Mariana Ortega\nSenior Analyst\n+34 612 345 678",
        [("Mariana Ortega", "PERSON"), ("+34 612 345 678", "PHONE_NUMBER")],
    ),
    (
        "Ticket #48812: customer reports a login loop.\nReporter: Thijs van der Berg\n"
        "Email: thijs.vdberg@proton.me",
        [("Thijs van der Berg", "PERSON"), ("thijs.vdberg@proton.me", "EMAIL_ADDRESS")],
    ),
    (
        "Hello,\nI can't log in. The old password was Zielony!2023 and it stopped working "
        "after the update.\n\nBest regards,\nAnna Kowalczyk",
        [("Zielony!2023", "PASSWORD"), ("Anna Kowalczyk", "PERSON")],
    ),
    (
        "Please escalate, the invoice total is wrong again.\n\nCheers,\nChukwuemeka Obi\n"
        "IT Support, Lagos office",
        [("Chukwuemeka Obi", "PERSON"), ("Lagos", "LOCATION")],
    ),
    (
        "Guten Tag,\nanbei die Rechnung für März.\n\nMit freundlichen Grüßen\nJörg Hämmerle\n"
        "Teamleiter Einkauf",
        [("Jörg Hämmerle", "PERSON")],
    ),
    (
        "Bonjour,\nle lien de réinitialisation ne fonctionne pas.\n\nCordialement,\n"
        "Gaëlle Fontaine",
        [("Gaëlle Fontaine", "PERSON")],
    ),
    (
        "Prezados,\nsegue em anexo o comprovante.\n\nAtenciosamente,\nJoão Pedro Cavalcanti\n"
        "Financeiro",
        [("João Pedro Cavalcanti", "PERSON")],
    ),
    (
        "Hoi,\nde app crasht bij het openen van een foto.\n\nMet vriendelijke groet,\n"
        "Sanne de Vries",
        [("Sanne de Vries", "PERSON")],
    ),
    (
        "Hola,\nno me llega el código de verificación.\n\nSaludos,\nLucía Fernández Ortiz",
        [("Lucía Fernández Ortiz", "PERSON")],
    ),
    (
        "The dashboard shows stale data since 9am.\n\nRegards,\nPriya Raghunathan\n"
        "priya.r@finmart.in | +91 98450 12345",
        [
            ("Priya Raghunathan", "PERSON"),
            ("priya.r@finmart.in", "EMAIL_ADDRESS"),
            ("+91 98450 12345", "PHONE_NUMBER"),
        ],
    ),
    (
        "ok so the printer is jammed again\n\nbest,\nnguyen van thanh",
        [("nguyen van thanh", "PERSON")],
    ),
    ("fixed it, thanks!\n-- femi", [("femi", "PERSON")]),
    (
        "Un saludo,\nAlejandro\n\nEnviado desde mi iPhone",
        [("Alejandro", "PERSON")],
    ),
    (
        "Thanks for the quick turnaround!\n\nWarm regards,\nAdaeze Nwankwo\nHead of Operations\n"
        "Tel: 0803 456 7812",
        [("Adaeze Nwankwo", "PERSON"), ("0803 456 7812", "PHONE_NUMBER")],
    ),
    (
        "Sent from Outlook\n\nKind regards\nHarpreet Kaur Gill\nAccounts Payable",
        [("Harpreet Kaur Gill", "PERSON")],
    ),
    (
        "Vielen Dank!\nLG, Katharina",
        [("Katharina", "PERSON")],
    ),
    # -- correo: / Kontakt: labels ------------------------------------------------------
    (
        "Kontakt: Dieter Brandstätter, Tel. 0711 2345678",
        [("Dieter Brandstätter", "PERSON"), ("0711 2345678", "PHONE_NUMBER")],
    ),
    ("correo: lupita.mendez@gmail.com", [("lupita.mendez@gmail.com", "EMAIL_ADDRESS")]),
    (
        "Correo electrónico: r.salinas@uach.cl\nTeléfono: +56 9 8765 4321",
        [("r.salinas@uach.cl", "EMAIL_ADDRESS"), ("+56 9 8765 4321", "PHONE_NUMBER")],
    ),
    (
        "Kontakt: Frau Dr. Wiebke Johannsen",
        [("Wiebke Johannsen", "PERSON")],
    ),
    (
        "Ansprechpartner: Lars Behrendt (lars.behrendt@posteo.de)",
        [("Lars Behrendt", "PERSON"), ("lars.behrendt@posteo.de", "EMAIL_ADDRESS")],
    ),
    (
        "Correo: Ximena Quispe Mamani <xquispe@pucp.edu.pe>",
        [("Ximena Quispe Mamani", "PERSON"), ("xquispe@pucp.edu.pe", "EMAIL_ADDRESS")],
    ),
    (
        "Kontaktperson: Ole Sørensen\nKontakt-E-Mail: ole@sorensen-bau.dk",
        [("Ole Sørensen", "PERSON"), ("ole@sorensen-bau.dk", "EMAIL_ADDRESS")],
    ),
    (
        "Nombre: Rodrigo Paredes\nCorreo: rparedes@yahoo.com.mx",
        [("Rodrigo Paredes", "PERSON"), ("rparedes@yahoo.com.mx", "EMAIL_ADDRESS")],
    ),
    # -- chat logs with handles ---------------------------------------------------------
    (
        "[10:42] <mkovac> anyone seen dragan today?\n[10:43] <tvoss> dragan petrović is out sick",
        [("dragan petrović", "PERSON")],
    ),
    (
        "@sofia.rinaldi can you send the staging creds?\n@ci-bot: DB_PASS=Tr0mb0ne#88",
        [("sofia.rinaldi", "PERSON"), ("Tr0mb0ne#88", "PASSWORD")],
    ),
    (
        "gabriel_santos: my steam password is pastelzinho2019 lol dont tell anyone",
        [("pastelzinho2019", "PASSWORD")],
    ),
    (
        "[07/03/24, 21:15:03] Aditi Deshmukh: the wifi password is sunflower@42\n"
        "[07/03/24, 21:15:40] Rohan Kulkarni: thanks!",
        [("Aditi Deshmukh", "PERSON"), ("sunflower@42", "PASSWORD"), ("Rohan Kulkarni", "PERSON")],
    ),
    (
        "Oluwaseun Adeyemi 10:02 AM\nI'll share my screen in a sec",
        [("Oluwaseun Adeyemi", "PERSON")],
    ),
    (
        "<kemi> talked to siddharth mehta yesterday, he'll send the invoice",
        [("siddharth mehta", "PERSON")],
    ),
    (
        "ping maría josé when you're done with the report",
        [("maría josé", "PERSON")],
    ),
    (
        "can you cc joris and femke on the thread?",
        [("joris", "PERSON"), ("femke", "PERSON")],
    ),
    (
        "kemi adebayo said the build is green now",
        [("kemi adebayo", "PERSON")],
    ),
    (
        "14:03 hoang.lan: em gửi anh mật khẩu wifi: quanca2468\n14:04 tuan: ok cảm ơn",
        [("quanca2468", "PASSWORD")],
    ),
    (
        "[Slack] Ines Marques (9:12): the vpn pass is Lisboa#2024, rotate it friday",
        [("Ines Marques", "PERSON"), ("Lisboa#2024", "PASSWORD")],
    ),
    (
        "mod_kwabena: user @ama_owusu reported a bug in the checkout",
        [("ama_owusu", "PERSON")],
    ),
    (
        "18:22 - Youssef El Amrani: je t'envoie le mot de passe: Rabat_Mer77",
        [("Youssef El Amrani", "PERSON"), ("Rabat_Mer77", "PASSWORD")],
    ),
    # -- config files and .env dumps ----------------------------------------------------
    (
        "DB_HOST=10.0.3.12\nDB_USER=app\nDB_PASS=Vq9!mLr2#xT\nDB_NAME=orders",
        [("10.0.3.12", "IP_ADDRESS"), ("Vq9!mLr2#xT", "PASSWORD")],
    ),
    ("pwd=Hx7kPq2m", [("Hx7kPq2m", "PASSWORD")]),
    ("passphrase: tangerine-otter-basalt-41", [("tangerine-otter-basalt-41", "PASSWORD")]),
    (
        'database:\n  user: reporting\n  password: "r3p0rt!ng_2024"\n  host: db.internal',
        [("r3p0rt!ng_2024", "PASSWORD")],
    ),
    (
        '{"username": "svc_backup", "password": "Bk$9wLz!Qe", "port": 5432}',
        [("Bk$9wLz!Qe", "PASSWORD")],
    ),
    (
        "[smtp]\nuser = alerts@firma.de\npass = Sommer2024!\nserver = mail.firma.de",
        [("alerts@firma.de", "EMAIL_ADDRESS"), ("Sommer2024!", "PASSWORD")],
    ),
    (
        "MONGO_URI=mongodb+srv://admin:Pe4chTree77@cluster0.ab12c.mongodb.net/prod",
        [("Pe4chTree77", "PASSWORD")],
    ),
    ("CACHE_URL=redis://:s3cr3tRedisPw@cache.local:6379/0", [("s3cr3tRedisPw", "PASSWORD")]),
    (
        "mysqldump -u root -p'Kx#41mvZ' shop > shop.sql",
        [("Kx#41mvZ", "PASSWORD")],
    ),
    ("mysql -uroot -pQwerty123! -h db1 shop", [("Qwerty123!", "PASSWORD")]),
    (
        "psql postgresql://etl:Etl_Load_99@10.1.1.5/warehouse",
        [("Etl_Load_99", "PASSWORD"), ("10.1.1.5", "IP_ADDRESS")],
    ),
    ("sshpass -p 'Gr8Wall!9' ssh deploy@web1", [("Gr8Wall!9", "PASSWORD")]),
    (
        "export AWS_SECRET_ACCESS_KEY=Zq3vT8mW1pR6yL0sN4kB7cX2dF5gH9jK1aE3uI6o",
        [("Zq3vT8mW1pR6yL0sN4kB7cX2dF5gH9jK1aE3uI6o", "API_KEY")],
    ),
    (
        "GITHUB_TOKEN=ghp_9fK2mQ7xL4pR8vT1zW6yB3nC5dH0jS2aE7uI",
        [("ghp_9fK2mQ7xL4pR8vT1zW6yB3nC5dH0jS2aE7uI", "API_KEY")],
    ),
    ("SMTP_PASSWORD='Nov3mber Rain!'", [("Nov3mber Rain!", "PASSWORD")]),
    ("spring.datasource.password=Lim@Lim0n_22", [("Lim@Lim0n_22", "PASSWORD")]),
    ('<add key="DbPassword" value="Xm7#pLq2Wz" />', [("Xm7#pLq2Wz", "PASSWORD")]),
    (
        "environment:\n  - POSTGRES_USER=admin\n  - POSTGRES_PASSWORD=pg_Adm1n_2024",
        [("pg_Adm1n_2024", "PASSWORD")],
    ),
    (
        "kind: Secret\nstringData:\n  api-key: 7f3c9a1e5b2d8f4a6c0e1b3d5f7a9c2e",
        [("7f3c9a1e5b2d8f4a6c0e1b3d5f7a9c2e", "API_KEY")],
    ),
    (
        "machine api.heroku.com\n  login maria.gonzalez@outlook.com\n"
        "  password 4b8f2c1e-9d7a-4e3b-8c6f-1a2b3c4d5e6f",
        [
            ("maria.gonzalez@outlook.com", "EMAIL_ADDRESS"),
            ("4b8f2c1e-9d7a-4e3b-8c6f-1a2b3c4d5e6f", "API_KEY"),
        ],
    ),
    ("get ftp://backup:Ftp!Pass88@files.example.org/dumps", [("Ftp!Pass88", "PASSWORD")]),
    ("curl -u jenkins:Jk8sBuild#1 https://ci.local/api/json", [("Jk8sBuild#1", "PASSWORD")]),
    ("wifi:\n  ssid: HomeNet-5G\n  psk: naranjas2019", [("naranjas2019", "PASSWORD")]),
    ("ADMIN_PASSWD=Oktoberfest88", [("Oktoberfest88", "PASSWORD")]),
    ("db.pass = Wint3rIsComing", [("Wint3rIsComing", "PASSWORD")]),
    (
        "SECRET_KEY = 'django-insecure-8x$k2!m9@q#v7w^z3p&r1t'",
        [("8x$k2!m9@q#v7w^z3p&r1t", "API_KEY")],
    ),
    ('"passwd": "kiwi-Banana-77"', [("kiwi-Banana-77", "PASSWORD")]),
    ("login_password: ChangedIt2Day", [("ChangedIt2Day", "PASSWORD")]),
    ("KEYSTORE_PASSPHRASE=fjord salmon kettle 1982", [("fjord salmon kettle 1982", "PASSWORD")]),
    ("[client]\nuser=backup\npassword=Bkp_2024_x9", [("Bkp_2024_x9", "PASSWORD")]),
    (
        "SLACK_BOT_TOKEN=xoxb-2849-1937-Qw8eRt5yUi3oPa1s",
        [("xoxb-2849-1937-Qw8eRt5yUi3oPa1s", "API_KEY")],
    ),
    ("app.password: 'Tulip$Field9'", [("Tulip$Field9", "PASSWORD")]),
    ("PGPASSWORD=reportsRO2023 psql -h db -U ro", [("reportsRO2023", "PASSWORD")]),
    # -- passwords in prose, English and other languages --------------------------------
    ("my password is hunter2, is that secure enough?", [("hunter2", "PASSWORD")]),
    ("my password is blueberry77, can you check why it fails?", [("blueberry77", "PASSWORD")]),
    ("for the lockbox the code is 583920", [("583920", "PASSWORD")]),
    ("I set the passphrase to 'walrus piano 1987' last week", [("walrus piano 1987", "PASSWORD")]),
    ("she told me the pw is Kaffee4ever", [("Kaffee4ever", "PASSWORD")]),
    ("login: jdiaz / pass: Cactus#2021", [("Cactus#2021", "PASSWORD")]),
    ("the pass for the guest account is welcome123", [("welcome123", "PASSWORD")]),
    ("Password for the shared drive: Mango_Lassi_7", [("Mango_Lassi_7", "PASSWORD")]),
    ("mi contraseña es gatito2020 pero no funciona", [("gatito2020", "PASSWORD")]),
    ("mein Passwort lautet Schnitzel!99", [("Schnitzel!99", "PASSWORD")]),
    ("mon mot de passe c'est soleil2022", [("soleil2022", "PASSWORD")]),
    ("minha senha é flamengo1981", [("flamengo1981", "PASSWORD")]),
    ("mijn wachtwoord is Tulpen2023", [("Tulpen2023", "PASSWORD")]),
    ("la password è Ciao!Bella7", [("Ciao!Bella7", "PASSWORD")]),
    ("la clave del wifi es perrito123", [("perrito123", "PASSWORD")]),
    ("das Kennwort ist Berg&Tal42", [("Berg&Tal42", "PASSWORD")]),
    ("パスワードは sakura2024 です", [("sakura2024", "PASSWORD")]),
    ("senha do wifi: cafecomleite", [("cafecomleite", "PASSWORD")]),
    ("şifrem kedi1453, değiştirmem lazım mı?", [("kedi1453", "PASSWORD")]),
    ("hasło to Pierogi2023", [("Pierogi2023", "PASSWORD")]),
    ("bhai mera password hai rahul@123", [("rahul@123", "PASSWORD")]),
    ("i always use the same one: letmein2024", [("letmein2024", "PASSWORD")]),
    ("the password? it's 'opensesame' all lower case", [("opensesame", "PASSWORD")]),
    ("Your temporary password: Tmp-8842-Kq", [("Tmp-8842-Kq", "PASSWORD")]),
    ("code d'accès : 7788, porte B", [("7788", "PASSWORD")]),
    ("Der Zugangscode ist 2580.", [("2580", "PASSWORD")]),
    ("OTP: 482913 (valid 5 min)", [("482913", "PASSWORD")]),
    ("my pin is 0912 btw", [("0912", "PASSWORD")]),
    ("el pin de la tarjeta es 4417", [("4417", "PASSWORD")]),
    ("wachtwoord: Fiets!Sleutel9", [("Fiets!Sleutel9", "PASSWORD")]),
    ("Mật khẩu của em là hoasen2023 nhé", [("hoasen2023", "PASSWORD")]),
    ("كلمة المرور: Sahara2024!", [("Sahara2024!", "PASSWORD")]),
    ("пароль от почты: Moskva_1987", [("Moskva_1987", "PASSWORD")]),
    ("I changed the router password to purplemonkey88 yesterday", [("purplemonkey88", "PASSWORD")]),
    (
        "use these: user admin, password Sunset!Blvd9, then change it",
        [("Sunset!Blvd9", "PASSWORD")],
    ),
    (
        "Wi-Fi network Guest, password 'lemonade-river'",
        [("lemonade-river", "PASSWORD")],
    ),
    # -- names in non-English and non-Western contexts ----------------------------------
    (
        "Hola, soy Valentina Restrepo y quería saber el estado de mi pedido.",
        [("Valentina Restrepo", "PERSON")],
    ),
    (
        "Ich heiße Matthias Oberhuber und wohne in Innsbruck.",
        [("Matthias Oberhuber", "PERSON"), ("Innsbruck", "LOCATION")],
    ),
    (
        "Bonjour, je suis Étienne Marchand, votre conseiller.",
        [("Étienne Marchand", "PERSON")],
    ),
    ("Olá, aqui é a Beatriz Nogueira do financeiro.", [("Beatriz Nogueira", "PERSON")]),
    ("Goedemiddag, u spreekt met Pieter-Jan Claessens.", [("Pieter-Jan Claessens", "PERSON")]),
    (
        "Namaste, main Venkatesh Subramaniam bol raha hoon.",
        [("Venkatesh Subramaniam", "PERSON")],
    ),
    (
        "Good morning sir, my name is Ngozi Okonkwo-Eze from Enugu.",
        [("Ngozi Okonkwo-Eze", "PERSON"), ("Enugu", "LOCATION")],
    ),
    (
        "Abdulrahman Al-Qahtani will join the call from Riyadh.",
        [("Abdulrahman Al-Qahtani", "PERSON"), ("Riyadh", "LOCATION")],
    ),
    (
        "Nguyễn Thị Mai và Trần Văn Hùng sẽ đến lúc 9 giờ.",
        [("Nguyễn Thị Mai", "PERSON"), ("Trần Văn Hùng", "PERSON")],
    ),
    (
        "Anh Phạm Quốc Bảo gửi lại hợp đồng giúp em nhé.",
        [("Phạm Quốc Bảo", "PERSON")],
    ),
    (
        "Sr. Joaquín Beltrán Aguirre, le escribimos respecto a su factura.",
        [("Joaquín Beltrán Aguirre", "PERSON")],
    ),
    (
        "Sehr geehrte Frau Schäfer-Lindqvist, vielen Dank für Ihre Nachricht.",
        [("Schäfer-Lindqvist", "PERSON")],
    ),
    ("Chère Madame Nadia Benali, votre dossier est complet.", [("Nadia Benali", "PERSON")]),
    (
        "The contract was signed by Fatima Zahra El Idrissi on behalf of the seller.",
        [("Fatima Zahra El Idrissi", "PERSON")],
    ),
    (
        "Please forward this to Lakshmi Narayanan and Sandeep Chaudhary.",
        [("Lakshmi Narayanan", "PERSON"), ("Sandeep Chaudhary", "PERSON")],
    ),
    (
        "Oga Emeka said Tolulope Bamidele go bring the documents tomorrow.",
        [("Emeka", "PERSON"), ("Tolulope Bamidele", "PERSON")],
    ),
    (
        "Khalid bin Saeed Al-Mansouri confirmed the booking for two nights.",
        [("Khalid bin Saeed Al-Mansouri", "PERSON")],
    ),
    (
        "De heer Wouter Verhoeven uit Utrecht heeft gebeld.",
        [("Wouter Verhoeven", "PERSON"), ("Utrecht", "LOCATION")],
    ),
    (
        "A doutora Renata Albuquerque atende às terças.",
        [("Renata Albuquerque", "PERSON")],
    ),
    (
        "Il signor Gianluca Ferraro ha chiamato due volte.",
        [("Gianluca Ferraro", "PERSON")],
    ),
    (
        "hablé con josé luis martínez y me dijo que mañana",
        [("josé luis martínez", "PERSON")],
    ),
    (
        "ich hab mit jan-hendrik telefoniert, er meldet sich",
        [("jan-hendrik", "PERSON")],
    ),
    (
        "mohammed iqbal from accounts approved it",
        [("mohammed iqbal", "PERSON")],
    ),
    (
        "Contact person: Aisha Bello-Abubakar, Kano",
        [("Aisha Bello-Abubakar", "PERSON"), ("Kano", "LOCATION")],
    ),
    # -- CSV rows with lone names ---------------------------------------------------------
    (
        "id,first,last,city\n101,Ifeoma,Chukwu,Abuja\n102,Lukas,Brandt,Graz\n103,Thu,Hoang,Hanoi",
        [
            ("Ifeoma", "PERSON"),
            ("Chukwu", "PERSON"),
            ("Abuja", "LOCATION"),
            ("Lukas", "PERSON"),
            ("Brandt", "PERSON"),
            ("Graz", "LOCATION"),
            ("Thu", "PERSON"),
            ("Hoang", "PERSON"),
            ("Hanoi", "LOCATION"),
        ],
    ),
    (
        "2024-03-01,Sakura,83.20\n2024-03-02,Oyelaran,41.00\n2024-03-03,Benedikt,12.50",
        [("Sakura", "PERSON"), ("Oyelaran", "PERSON"), ("Benedikt", "PERSON")],
    ),
    (
        "name;email\nRuairí Ó Briain;ruairi@example.ie\nMaeve Gallagher;maeve.g@example.ie",
        [
            ("Ruairí Ó Briain", "PERSON"),
            ("ruairi@example.ie", "EMAIL_ADDRESS"),
            ("Maeve Gallagher", "PERSON"),
            ("maeve.g@example.ie", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "order_id,customer,total\n5512,Gonzalo,19.90\n5513,Wanjiru,7.45",
        [("Gonzalo", "PERSON"), ("Wanjiru", "PERSON")],
    ),
    (
        "Nr;Vorname;Nachname\n1;Henrike;Osterloh\n2;Mats;Feddersen",
        [
            ("Henrike", "PERSON"),
            ("Osterloh", "PERSON"),
            ("Mats", "PERSON"),
            ("Feddersen", "PERSON"),
        ],
    ),
    (
        "user,role,password\nbtran,admin,Saigon#77\nlpham,viewer,Mekong2024",
        [("Saigon#77", "PASSWORD"), ("Mekong2024", "PASSWORD")],
    ),
    # -- addresses with postcodes at the end ----------------------------------------------
    (
        "Ship to: 14 Hoddle Street, Richmond VIC 3121",
        [("14 Hoddle Street, Richmond VIC 3121", "ADDRESS")],
    ),
    (
        "Office: Unit 5, 88 Eagle St, Brisbane QLD 4000",
        [("Unit 5, 88 Eagle St, Brisbane QLD 4000", "ADDRESS")],
    ),
    (
        "Adresse : 2100 boulevard de Maisonneuve Ouest, Montréal QC H3H 1K6",
        [("2100 boulevard de Maisonneuve Ouest, Montréal QC H3H 1K6", "ADDRESS")],
    ),
    (
        "住所: 2-4-9 Nishitenma, Kita-ku, Osaka 530-0047",
        [("2-4-9 Nishitenma, Kita-ku, Osaka 530-0047", "ADDRESS")],
    ),
    (
        "Please send it to Flat 3, 27 Bramble Road, Leeds LS6 2QX.",
        [("Flat 3, 27 Bramble Road, Leeds LS6 2QX", "ADDRESS")],
    ),
    (
        "Delivery address: 221 Kingsland Rd, London E2 8AN",
        [("221 Kingsland Rd, London E2 8AN", "ADDRESS")],
    ),
    (
        "Our studio moved to 8 Hope Street, Glasgow G2 6AB last month.",
        [("8 Hope Street, Glasgow G2 6AB", "ADDRESS")],
    ),
    (
        "Dirección: Calle de Alcalá 145, 3º B, 28009 Madrid",
        [("Calle de Alcalá 145, 3º B, 28009 Madrid", "ADDRESS")],
    ),
    (
        "Adres: Keizersgracht 271, 1016 ED Amsterdam",
        [("Keizersgracht 271, 1016 ED Amsterdam", "ADDRESS")],
    ),
    (
        "Lieferadresse: Hauptstraße 12, 69117 Heidelberg",
        [("Hauptstraße 12, 69117 Heidelberg", "ADDRESS")],
    ),
    (
        "Endereço: Rua Augusta 1502, apto 41, São Paulo - SP, 01304-001",
        [("Rua Augusta 1502, apto 41, São Paulo - SP, 01304-001", "ADDRESS")],
    ),
    (
        "Write to 12 Marine Parade, Napier 4110 for the forms.",
        [("12 Marine Parade, Napier 4110", "ADDRESS")],
    ),
    (
        "Pick-up: Plot 14, Admiralty Way, Lekki Phase 1, Lagos 106104",
        [("Plot 14, Admiralty Way, Lekki Phase 1, Lagos 106104", "ADDRESS")],
    ),
    (
        "Mail the cheque to 200 Queen St W, Toronto, ON M5H 2N2",
        [("200 Queen St W, Toronto, ON M5H 2N2", "ADDRESS")],
    ),
    (
        "Billing: C-14, Sector 62, Noida, Uttar Pradesh 201309",
        [("C-14, Sector 62, Noida, Uttar Pradesh 201309", "ADDRESS")],
    ),
    (
        "Địa chỉ: 31 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh 700000",
        [("31 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh 700000", "ADDRESS")],
    ),
    (
        "Anschrift: Kärntner Straße 21, 1010 Wien",
        [("Kärntner Straße 21, 1010 Wien", "ADDRESS")],
    ),
    (
        "my new place is 9 wattle grove, fitzroy vic 3065",
        [("9 wattle grove, fitzroy vic 3065", "ADDRESS")],
    ),
    (
        "Shipping: 56 Rosebery Avenue, Manchester M14 6PL, United Kingdom",
        [("56 Rosebery Avenue, Manchester M14 6PL", "ADDRESS"), ("United Kingdom", "LOCATION")],
    ),
    (
        "Send samples to 1408 Bloor St W, Toronto ON M6P 3L4, Attn: Grace Liu",
        [("1408 Bloor St W, Toronto ON M6P 3L4", "ADDRESS"), ("Grace Liu", "PERSON")],
    ),
    (
        "Return address: 77 King William St, Adelaide SA 5000",
        [("77 King William St, Adelaide SA 5000", "ADDRESS")],
    ),
    (
        "45 rue de la République, 69002 Lyon",
        [("45 rue de la République, 69002 Lyon", "ADDRESS")],
    ),
    # -- mixed records ----------------------------------------------------------------------
    (
        "New hire: Obinna Eze, start 3 Feb, laptop password Welcome#Obi1 (change on first login)",
        [("Obinna Eze", "PERSON"), ("Welcome#Obi1", "PASSWORD")],
    ),
    (
        "Guest: Dang Thi Thu Trang, room 412, door code 3196",
        [("Dang Thi Thu Trang", "PERSON"), ("3196", "PASSWORD")],
    ),
    (
        "Hi Samira, the account is samira.haddad and the temp pwd is Tmp!Haddad42",
        [("Samira", "PERSON"), ("samira.haddad", "PERSON"), ("Tmp!Haddad42", "PASSWORD")],
    ),
    (
        "Patient: Cristiano Medeiros, 42, seen by Dr. Helena Vasconcelos",
        [("Cristiano Medeiros", "PERSON"), ("Helena Vasconcelos", "PERSON")],
    ),
    (
        "Dear Mr Adewale,\nyour parcel is waiting at the depot.",
        [("Adewale", "PERSON")],
    ),
    (
        "Hi Bram, de sleutel van het kantoor ligt bij Annelies.",
        [("Bram", "PERSON"), ("Annelies", "PERSON")],
    ),
    (
        "Querida Mercedes, te mando la foto de Inés.",
        [("Mercedes", "PERSON"), ("Inés", "PERSON")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    # -- code about passwords and tokens ------------------------------------------------
    (
        "def get_password_hash(password: str) -> str:\n"
        "    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()",
        [],
    ),
    ("if not user.check_password(form.password.data):\n    flash('Invalid password')", []),
    ("PASSWORD_MIN_LENGTH = 12\nPASSWORD_RESET_TIMEOUT = 3600", []),
    ("const token = await getToken(); // refresh if expired", []),
    ("password = os.environ['DB_PASSWORD']", []),
    ("DB_PASS=${DB_PASS:?missing}", []),
    ("export API_KEY=<your-key-here>", []),
    ("git checkout -b feature/password-reset", []),
    ("SELECT id, username FROM users WHERE password_hash IS NULL;", []),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3", []),
    ("print(f'Hello, {name}!')\nuser = User(name=name, email=email)", []),
    ("ssh -p 2222 deploy@localhost", []),
    ("for key, value in settings.items():\n    print(key, value)", []),
    ('{"token_type": "Bearer", "expires_in": 3600, "scope": "read"}', []),
    ("Set `PasswordAuthentication no` in sshd_config to disable password logins.", []),
    ("session.cookie_secure = true\nsession.cookie_httponly = true", []),
    # -- UI and help text in several languages ------------------------------------------
    ("Enter your password and press Enter.", []),
    ("Das Passwort muss mindestens 12 Zeichen lang sein.", []),
    ("La contraseña debe tener al menos una mayúscula.", []),
    ("Le mot de passe est incorrect.", []),
    ("A senha expirou. Escolha uma nova.", []),
    ("Het wachtwoord is te kort.", []),
    ("Dear customer, your password was changed. If this wasn't you, contact support.", []),
    ("Reset codes expire after 15 minutes.", []),
    ("The passphrase prompt appears after ssh-add.", []),
    ("Como faço para mudar a senha do roteador?", []),
    ("Hoe verander ik mijn wachtwoord?", []),
    ("¿Dónde cambio la clave del correo?", []),
    # -- 'code', 'key', 'pass' before values that are no secret --------------------------
    ("The code is in src/main.rs, line 42.", []),
    ("The status code is 503 during deploys.", []),
    ("The key is to keep functions small.", []),
    ("My pass rate was 87% this semester.", []),
    ("The secret to good bread is time.", []),
    ("Error code 0x80070005 means access denied.", []),
    ("ERROR 1045 (28000): Access denied for user (using password: YES)", []),
    # -- hashes, ids, versions, dates -----------------------------------------------------
    ("sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", []),
    ("commit 3f9a1c7e2b4d6f8a0c1e3b5d7f9a1c2e4b6d8f0a\nMerge: 1a2b3c4 5d6e7f8", []),
    ("Request id 550e8400-e29b-41d4-a716-446655440000 completed in 83 ms", []),
    ("md5 of the file: d41d8cd98f00b204e9800998ecf8427e", []),
    ("The meeting is on 2024-05-14 at 15:30 UTC.", []),
    ("npm install react@18.2.0 typescript@5.4.5", []),
    ("pip install 'django>=4.2,<5.0'", []),
    ("Version 10.0.19045.3803 is installed; build 2024.1.3 (#IU-241.15989.150).", []),
    ("ISBN 978-3-16-148410-0, 2nd edition, 2019", []),
    ("Order total: 1,299.00 EUR, 3 items, invoice INV-2024-0042.", []),
    ("Token count: 4,096; max tokens 8192.", []),
    ("Colours #FF5733 and #1E90FF are used in the logo.", []),
    ("Mardi 12 mars, réunion à 10h.", []),
    ("El vuelo sale a las 10:45 desde la puerta B12.", []),
    # -- product names ----------------------------------------------------------------------
    ("Export the sheet from Google Sheets to Excel.", []),
    ("Open Visual Studio Code and install the Prettier extension.", []),
    ("Does Figma support variable fonts?", []),
    ("My iPhone 15 won't pair with AirPods Pro.", []),
    ("Slack notifications stopped after the macOS Sonoma update.", []),
    ("Is PostgreSQL 16 faster than MySQL 8.0 for this workload?", []),
    ("Kafka consumer lag keeps growing in Grafana.", []),
    ("Jupyter kernels die when RAM is low on Ubuntu 22.04 LTS.", []),
    ("What's the difference between TCP and UDP?", []),
    # -- public figures and places in questions (PUBLIC: not scored) ----------------------
    ("Who was Napoleon Bonaparte's first wife?", [("Napoleon Bonaparte", "PUBLIC")]),
    (
        "Why did Julius Caesar cross the Rubicon?",
        [("Julius Caesar", "PUBLIC"), ("Rubicon", "PUBLIC")],
    ),
    ("What did Marie Curie discover?", [("Marie Curie", "PUBLIC")]),
    ("Explain Gandhi's salt march in two sentences.", [("Gandhi", "PUBLIC")]),
    ("How tall is Mount Kilimanjaro?", [("Mount Kilimanjaro", "PUBLIC")]),
    ("Is Lisbon warmer than Madrid in March?", [("Lisbon", "PUBLIC"), ("Madrid", "PUBLIC")]),
    ("Compare the populations of Lagos and Cairo.", [("Lagos", "PUBLIC"), ("Cairo", "PUBLIC")]),
    ("Quién escribió Cien años de soledad?", []),
    ("Wann wurde die Berliner Mauer gebaut?", [("Berliner", "PUBLIC")]),
    ("will you bring the rose bushes in may?", []),
]
