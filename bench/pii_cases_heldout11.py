"""Held-out PII set 11: written on 2026-12-07/08 (23:40 UTC) before the eleventh PII round.

Aimed at names and passwords in registers sets 1-10 lack: chat messages in lower case,
support tickets, CVs, medical and insurance forms, e-mails that switch language, log
lines, JSON/YAML/INI/TOML configs with credentials under unusual keys (`secret_sauce`,
`auth.pw`, `login_phrase`, `conn`), passwords with no keyword near them but in a
credential's position (URL user info, a CLI's password argument, `user:password` pairs, the
second field of a login line), lower-case names, and names in other scripts (Cyrillic,
Greek, Arabic, Hebrew, Devanagari, Han, Hangul, kana, Thai). Written without running the
scrubber on it and before reading any miss of this round; every value is fake.

`BENIGN` is the hard benign part (rules of set 4: a public figure's or place's name is
labelled `PUBLIC` and not scored): product names, places that are common words, code
identifiers, version strings, hashes, ids, log lines without personal data, configs whose
secret slots hold placeholders or references.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # -- chat messages in lower case --------------------------------------------------
    (
        "hey can u ask priyanka to send me the deck before 3",
        [("priyanka", "PERSON")],
    ),
    (
        "lol ok so marco said the wifi pw is now tortellini88, dont share it",
        [("marco", "PERSON"), ("tortellini88", "PASSWORD")],
    ),
    (
        "omg just talked to fatima al-rashid from accounts, she's fine with it",
        [("fatima al-rashid", "PERSON")],
    ),
    (
        "can someone ping oskar? he has the vpn creds",
        [("oskar", "PERSON")],
    ),
    (
        "new login for the shared box: user deploy pass blueHeron_42",
        [("blueHeron_42", "PASSWORD")],
    ),
    (
        "fyi the staging admin is admin / kettle-Drum-19 until friday",
        [("kettle-Drum-19", "PASSWORD")],
    ),
    (
        "ok i'm at the office w/ siobhan and declan, lunch after?",
        [("siobhan", "PERSON"), ("declan", "PERSON")],
    ),
    (
        "btw ravi's number is 07700 900461 if the pager goes off",
        [("ravi", "PERSON"), ("07700 900461", "PHONE_NUMBER")],
    ),
    (
        "[10:42] tomasz: anyone know the jenkins pass\n[10:43] ewa: its Jnk!ns2024 i think",
        [("tomasz", "PERSON"), ("ewa", "PERSON"), ("Jnk!ns2024", "PASSWORD")],
    ),
    (
        "<mkowalski> logging in with mkowalski:Wr0c1aw-rain on the test box",
        [("Wr0c1aw-rain", "PASSWORD")],
    ),
    (
        "yo ask bongani if he moved the files, i cant find them",
        [("bongani", "PERSON")],
    ),
    (
        "thx nguyen thi lan for the quick fix!!",
        [("nguyen thi lan", "PERSON")],
    ),
    (
        "@here the router login changed. admin and then sunflower2025 (lowercase)",
        [("sunflower2025", "PASSWORD")],
    ),
    (
        "just use my account for now: lena.weber / Kaffee&Kuchen7",
        [("Kaffee&Kuchen7", "PASSWORD")],
    ),
    (
        "dm'd you the code for the gate but its 4417 anyway lol",
        [("4417", "PASSWORD")],
    ),
    # -- support tickets ----------------------------------------------------------------
    (
        "Ticket: 2024-88121\nRequester: Hamid Karimi\nSubject: cannot reset 2FA\n"
        "Description: lost phone, please call me at +49 151 2345 6789",
        [("Hamid Karimi", "PERSON"), ("+49 151 2345 6789", "PHONE_NUMBER")],
    ),
    (
        "Customer wrote: 'I tried logging in with my old one, Pumpkin#Spice9, and got locked "
        "out.' Agent note: reset sent.",
        [("Pumpkin#Spice9", "PASSWORD")],
    ),
    (
        "Case 55102 - opened by ingrid solberg (ingrid.solberg@fjordnet.no) - printer offline",
        [("ingrid solberg", "PERSON"), ("ingrid.solberg@fjordnet.no", "EMAIL_ADDRESS")],
    ),
    (
        "Assigned to: Kwame Asante\nCC: Dorcas Mensah\nPriority: P2\nStatus: waiting on customer",
        [("Kwame Asante", "PERSON"), ("Dorcas Mensah", "PERSON")],
    ),
    (
        "Hi support, my login is r.tanaka and what I type is Sakura2000!! but it says invalid.",
        [("Sakura2000!!", "PASSWORD")],
    ),
    (
        "The caller, Mrs. Okonkwo-Bello, asked us to update her address to 14 Adeola Odeku "
        "Street, Victoria Island, Lagos.",
        [
            ("Okonkwo-Bello", "PERSON"),
            ("14 Adeola Odeku Street, Victoria Island, Lagos", "ADDRESS"),
        ],
    ),
    (
        "Escalation from Gustavo Lins: the SFTP account (sftp_export) stopped accepting "
        "Tr0pical.Fruit as the passphrase after rotation.",
        [("Gustavo Lins", "PERSON"), ("Tr0pical.Fruit", "PASSWORD")],
    ),
    (
        "Reported by: Aleksandra Wiśniewska, Kraków office. Workstation KRK-0231 boots to a "
        "black screen.",
        [("Aleksandra Wiśniewska", "PERSON"), ("Kraków", "LOCATION")],
    ),
    (
        "Resolution: user had caps lock on. Confirmed she can sign in with Winterfell_77. Closing.",
        [("Winterfell_77", "PASSWORD")],
    ),
    (
        "Internal note (do not send): the customer's temporary credentials are "
        "acme-temp / Qz8-plover-31.",
        [("Qz8-plover-31", "PASSWORD")],
    ),
    # -- CVs ------------------------------------------------------------------------------
    (
        "CURRICULUM VITAE\nName: Elif Demir\nAddress: Bağdat Caddesi 211, Kadıköy, İstanbul\n"
        "Phone: +90 532 123 45 67",
        [
            ("Elif Demir", "PERSON"),
            ("Bağdat Caddesi 211, Kadıköy, İstanbul", "ADDRESS"),
            ("+90 532 123 45 67", "PHONE_NUMBER"),
        ],
    ),
    (
        "JOHANNES BRANDT\nSoftware Engineer · Leipzig · johannes.brandt@posteo.de\n\n"
        "Experience\n2019-2024 Backend developer, Spreewerk GmbH",
        [
            ("JOHANNES BRANDT", "PERSON"),
            ("Leipzig", "LOCATION"),
            ("johannes.brandt@posteo.de", "EMAIL_ADDRESS"),
        ],
    ),
    (
        "References available on request: Prof. Ngozi Adichie-Eze (thesis supervisor), "
        "Dr. Paulo Ferreira (manager).",
        [("Ngozi Adichie-Eze", "PERSON"), ("Paulo Ferreira", "PERSON")],
    ),
    (
        "Lebenslauf\nVorname: Friederike\nNachname: Oberhollenzer\nGeburtsort: Bozen",
        [("Friederike", "PERSON"), ("Oberhollenzer", "PERSON"), ("Bozen", "LOCATION")],
    ),
    (
        "priya raghunathan\ndata analyst | pune, india | +91 98200 12345\nskills: sql, python, tableau",
        [
            ("priya raghunathan", "PERSON"),
            ("pune", "LOCATION"),
            ("+91 98200 12345", "PHONE_NUMBER"),
        ],
    ),
    (
        "Nom : Lefebvre\nPrénom : Anaïs\nAdresse : 8 rue des Tanneurs, 67000 Strasbourg",
        [
            ("Lefebvre", "PERSON"),
            ("Anaïs", "PERSON"),
            ("8 rue des Tanneurs, 67000 Strasbourg", "ADDRESS"),
        ],
    ),
    (
        "Contact\nMateus Albuquerque Rocha\nmateus.rocha@gmail.com\nlinkedin.com/in/mateusrocha",
        [("Mateus Albuquerque Rocha", "PERSON"), ("mateus.rocha@gmail.com", "EMAIL_ADDRESS")],
    ),
    (
        "Резюме\nИмя: Дмитрий Соколов\nГород: Новосибирск\nТелефон: +7 913 555 12 34",
        [
            ("Дмитрий Соколов", "PERSON"),
            ("Новосибирск", "LOCATION"),
            ("+7 913 555 12 34", "PHONE_NUMBER"),
        ],
    ),
    (
        "履歴書\n氏名：高橋 美咲\n住所：大阪府大阪市北区梅田1-2-3\n電話：090-1234-5678",
        [
            ("高橋 美咲", "PERSON"),
            ("大阪府大阪市北区梅田1-2-3", "ADDRESS"),
            ("090-1234-5678", "PHONE_NUMBER"),
        ],
    ),
    # -- medical / insurance forms -----------------------------------------------------
    (
        "PATIENT INTAKE\nPatient: Rosalind Achterberg\nDOB: 02/14/1979\nInsurer: Helvetia\n"
        "Policy no.: HLV-552-01983\nEmergency contact: Pieter Achterberg (husband)",
        [
            ("Rosalind Achterberg", "PERSON"),
            ("02/14/1979", "DATE_OF_BIRTH"),
            ("Pieter Achterberg", "PERSON"),
        ],
    ),
    (
        "Claim form 7B\nInsured person: Wiremu Tane\nAddress: 42 Karangahape Road, Auckland 1010\n"
        "Treating physician: Dr Hannah Cho",
        [
            ("Wiremu Tane", "PERSON"),
            ("42 Karangahape Road, Auckland 1010", "ADDRESS"),
            ("Hannah Cho", "PERSON"),
        ],
    ),
    (
        "Referral: 58-year-old male, Mr. Bogdan Petrescu, presenting with chest pain. "
        "GP: Dr. Ioana Marin, Cluj-Napoca.",
        [("Bogdan Petrescu", "PERSON"), ("Ioana Marin", "PERSON"), ("Cluj-Napoca", "LOCATION")],
    ),
    (
        "Name of policyholder: Svetlana Ivanova   Date of birth: 1988-07-03   Beneficiary: "
        "Nikolai Ivanov",
        [
            ("Svetlana Ivanova", "PERSON"),
            ("1988-07-03", "DATE_OF_BIRTH"),
            ("Nikolai Ivanov", "PERSON"),
        ],
    ),
    (
        "Apellidos: Ruiz Castillo\nNombre: Inmaculada\nFecha de nacimiento: 12/09/1965\n"
        "Médico de cabecera: Dra. Beatriz Soler",
        [
            ("Ruiz Castillo", "PERSON"),
            ("Inmaculada", "PERSON"),
            ("12/09/1965", "DATE_OF_BIRTH"),
            ("Beatriz Soler", "PERSON"),
        ],
    ),
    (
        "Patient portal account created. Username: hfischer1961 Temporary PIN: 908172. "
        "Please change at first login.",
        [("908172", "PASSWORD")],
    ),
    (
        "Discharge summary for kofi boateng, ward 4B. Follow-up with dr. amara nwosu in 2 weeks.",
        [("kofi boateng", "PERSON"), ("amara nwosu", "PERSON")],
    ),
    (
        "Versicherte Person: Hüseyin Yıldız\nAnschrift: Sonnenallee 120, 12045 Berlin\n"
        "Hausarzt: Dr. med. Katrin Vogt",
        [
            ("Hüseyin Yıldız", "PERSON"),
            ("Sonnenallee 120, 12045 Berlin", "ADDRESS"),
            ("Katrin Vogt", "PERSON"),
        ],
    ),
    # -- multilingual e-mails -------------------------------------------------------------
    (
        "Hola Jordi,\nte paso el acceso al panel: usuario jordi.p y contraseña Barça#1899.\n"
        "Un abrazo,\nMontserrat",
        [("Jordi", "PERSON"), ("Barça#1899", "PASSWORD"), ("Montserrat", "PERSON")],
    ),
    (
        "Ciao Federica,\nil nuovo codice per il portone è 5521.\nA presto,\nGiacomo",
        [("Federica", "PERSON"), ("5521", "PASSWORD"), ("Giacomo", "PERSON")],
    ),
    (
        "Hallo Sven,\ndas WLAN heißt jetzt Dachboden und der Schlüssel ist Mond-Sichel-88.\n"
        "Gruß, Birte",
        [("Sven", "PERSON"), ("Mond-Sichel-88", "PASSWORD"), ("Birte", "PERSON")],
    ),
    (
        "Dag Femke,\nhet wachtwoord voor de gedeelde map is Tulp!Veld2024. Groetjes, Bram",
        [("Femke", "PERSON"), ("Tulp!Veld2024", "PASSWORD"), ("Bram", "PERSON")],
    ),
    (
        "Olá Thiago, segue a senha do roteador: Ipanema@77. Abraços, Luana",
        [("Thiago", "PERSON"), ("Ipanema@77", "PASSWORD"), ("Luana", "PERSON")],
    ),
    (
        "Cześć Kasia,\nhasło do konta to Pierogi_2023, login to k.nowak.\nPozdrawiam,\nMarek",
        [("Kasia", "PERSON"), ("Pierogi_2023", "PASSWORD"), ("Marek", "PERSON")],
    ),
    (
        "Hi Arjun, as discussed (वार्ता के अनुसार), the server पासवर्ड is Gange$Delta5. Regards, Meera",
        [("Arjun", "PERSON"), ("Gange$Delta5", "PASSWORD"), ("Meera", "PERSON")],
    ),
    (
        "Bonjour Mathilde,\nje te transmets le mot de passe du compte de test : Croissant!42\n"
        "Bonne journée,\nÉtienne",
        [("Mathilde", "PERSON"), ("Croissant!42", "PASSWORD"), ("Étienne", "PERSON")],
    ),
    (
        "Merhaba Ayşe Hanım,\nsistem şifresi: Bogaz-Kopru-34\nSaygılarımla,\nEmre Çelik",
        [("Ayşe", "PERSON"), ("Bogaz-Kopru-34", "PASSWORD"), ("Emre Çelik", "PERSON")],
    ),
    (
        "Hej Nils! Lösenordet till routern är Midsommar1987. Hälsningar, Astrid",
        [("Nils", "PERSON"), ("Midsommar1987", "PASSWORD"), ("Astrid", "PERSON")],
    ),
    (
        "Dear Mr Abernathy,\nPlease find attached the contract. Kind regards,\nSiddharth Menon\n"
        "Menon & Partners, Kochi",
        [("Abernathy", "PERSON"), ("Siddharth Menon", "PERSON"), ("Kochi", "LOCATION")],
    ),
    # -- names in other scripts -----------------------------------------------------------
    (
        "Привет, Ольга! Пароль от почты: Vesna2024! Не теряй.",
        [("Ольга", "PERSON"), ("Vesna2024!", "PASSWORD")],
    ),
    (
        "Γεια σου Νίκο, ο κωδικός είναι Akropoli#9. Φιλιά, Ελένη",
        [("Νίκο", "PERSON"), ("Akropoli#9", "PASSWORD"), ("Ελένη", "PERSON")],
    ),
    (
        "مرحبا يوسف، كلمة المرور الجديدة هي Nakhla2025. تحياتي، ليلى",
        [("يوسف", "PERSON"), ("Nakhla2025", "PASSWORD"), ("ليلى", "PERSON")],
    ),
    (
        "שלום דני, הסיסמה לשרת היא Hadar!321. תודה, מיכל",
        [("דני", "PERSON"), ("Hadar!321", "PASSWORD"), ("מיכל", "PERSON")],
    ),
    (
        "नमस्ते राहुल जी, मीटिंग कल 10 बजे है। धन्यवाद, सुनीता शर्मा",
        [("राहुल", "PERSON"), ("सुनीता शर्मा", "PERSON")],
    ),
    (
        "王伟你好，服务器密码是 Huangshan88，请不要外传。李娜",
        [("王伟", "PERSON"), ("Huangshan88", "PASSWORD"), ("李娜", "PERSON")],
    ),
    (
        "김민준 님, 관리자 비밀번호는 Hangang#2024 입니다. 박서연 드림",
        [("김민준", "PERSON"), ("Hangang#2024", "PASSWORD"), ("박서연", "PERSON")],
    ),
    (
        "佐藤さん、共有フォルダのパスワードは Fuji-San-3776 です。鈴木より",
        [("佐藤", "PERSON"), ("Fuji-San-3776", "PASSWORD"), ("鈴木", "PERSON")],
    ),
    (
        "สวัสดีคุณสมชาย รหัสผ่านคือ Chaophraya99 ขอบคุณค่ะ มาลี",
        [("สมชาย", "PERSON"), ("Chaophraya99", "PASSWORD"), ("มาลี", "PERSON")],
    ),
    (
        "Участники встречи: Анна Петровна Кузнецова, Игорь Лебедев, Марина Орлова.",
        [
            ("Анна Петровна Кузнецова", "PERSON"),
            ("Игорь Лебедев", "PERSON"),
            ("Марина Орлова", "PERSON"),
        ],
    ),
    # -- log lines ------------------------------------------------------------------------
    (
        "2026-11-30T08:14:02Z INFO auth: login ok user=c.dubois@lumen.fr ip=203.0.113.54",
        [("c.dubois@lumen.fr", "EMAIL_ADDRESS"), ("203.0.113.54", "IP_ADDRESS")],
    ),
    (
        "2026-11-30 08:15:11 DEBUG db: connecting to postgres://billing:Qm7vLx2pRt@db-2.internal:5432/billing",
        [("Qm7vLx2pRt", "PASSWORD")],
    ),
    (
        "[warn] retrying request with header Authorization: Basic c3ZjX3VzZXI6c3VwZXJzZWNyZXQ=",
        [("c3ZjX3VzZXI6c3VwZXJzZWNyZXQ=", "PASSWORD")],
    ),
    (
        "Dec 01 10:22:33 web01 sshd[2211]: Failed password for invalid user "
        "Correct-Horse-7 from 198.51.100.23 port 51122 ssh2",
        [("Correct-Horse-7", "PASSWORD"), ("198.51.100.23", "IP_ADDRESS")],
    ),
    (
        'level=error msg="smtp auth failed" smtp_user=alerts@northwind.io smtp_secret="r4ven-Wing-22"',
        [("alerts@northwind.io", "EMAIL_ADDRESS"), ("r4ven-Wing-22", "PASSWORD")],
    ),
    (
        "INFO  [job-runner] exec: mysqldump -h 10.0.3.7 -u backup --password=Dump3r!Night shop",
        [("10.0.3.7", "IP_ADDRESS"), ("Dump3r!Night", "PASSWORD")],
    ),
    (
        "audit: user 'hlindqvist' (Henrik Lindqvist) changed role to admin",
        [("Henrik Lindqvist", "PERSON")],
    ),
    (
        "ERROR redis: NOAUTH Authentication required. Tried AUTH with 'Cache-Bird-2019'",
        [("Cache-Bird-2019", "PASSWORD")],
    ),
    (
        "GET /api/v1/login?username=mfarah&pwd=Somali%2FSun9 HTTP/1.1 401",
        [("Somali%2FSun9", "PASSWORD")],
    ),
    (
        "notice: new signup from Yaw Darko <yaw.darko@outlook.com>, Kumasi",
        [
            ("Yaw Darko", "PERSON"),
            ("yaw.darko@outlook.com", "EMAIL_ADDRESS"),
            ("Kumasi", "LOCATION"),
        ],
    ),
    # -- configs with credentials under unusual keys ---------------------------------------
    (
        '{"db": {"host": "10.1.2.3", "user": "app", "secret_sauce": "Gr8-Barbecue-77"}}',
        [("10.1.2.3", "IP_ADDRESS"), ("Gr8-Barbecue-77", "PASSWORD")],
    ),
    (
        "auth:\n  user: svc-report\n  pw: Lantern_Moth_53\n  realm: corp",
        [("Lantern_Moth_53", "PASSWORD")],
    ),
    (
        "[smtp]\nhost = mail.example.net\nlogin = notifier\nphrase = Tidal!Basin4",
        [("Tidal!Basin4", "PASSWORD")],
    ),
    (
        'conn = "mongodb://reporter:Ochre9Falcon@mongo-0.db.svc:27017/stats"',
        [("Ochre9Falcon", "PASSWORD")],
    ),
    (
        "mqtt:\n  broker: tcp://10.20.0.5:1883\n  username: sensor\n  key_phrase: "
        '"amber sloth 4471"',
        [("10.20.0.5", "IP_ADDRESS"), ("amber sloth 4471", "PASSWORD")],
    ),
    (
        '[[accounts]]\nname = "ftp-mirror"\nuser = "mirror"\nsecretword = "Hazel+Stone+8"',
        [("Hazel+Stone+8", "PASSWORD")],
    ),
    (
        '{"login_phrase": "pelican-Rust-2021", "owner": "Marisol Quintero"}',
        [("pelican-Rust-2021", "PASSWORD"), ("Marisol Quintero", "PERSON")],
    ),
    (
        "spring.datasource.username=orders\nspring.datasource.cred=Spr1ng-Orders!\n",
        [("Spr1ng-Orders!", "PASSWORD")],
    ),
    (
        "services:\n  db:\n    environment:\n      - MARIADB_ROOT_PW=m4riadb-Root-x\n",
        [("m4riadb-Root-x", "PASSWORD")],
    ),
    (
        '<connection name="crm" user="crm_rw" pass="Cobalt#Tern6" host="crm-db"/>',
        [("Cobalt#Tern6", "PASSWORD")],
    ),
    (
        "machine ftp.partner.example login partnerdrop password Quiet.Harbor.91",
        [("Quiet.Harbor.91", "PASSWORD")],
    ),
    (
        'wifi:\n  ssid: "Casa Mendes"\n  wpa: "laranja-Doce-12"',
        [("laranja-Doce-12", "PASSWORD")],
    ),
    (
        "export SFTP_SECRET_WORD='blue-Ibis-404'\nexport SFTP_USER=drop",
        [("blue-Ibis-404", "PASSWORD")],
    ),
    (
        '{"api": {"endpoint": "https://api.vendor.io", "bearer": "vnd_9f2Lq8ZxR4tW1mN6bK3sY7pC"}}',
        [("vnd_9f2Lq8ZxR4tW1mN6bK3sY7pC", "API_KEY")],
    ),
    (
        "owner:\n  name: Ifeoma Chukwu\n  email: ifeoma.c@lagosdev.ng\n  phone: +234 803 555 0147",
        [
            ("Ifeoma Chukwu", "PERSON"),
            ("ifeoma.c@lagosdev.ng", "EMAIL_ADDRESS"),
            ("+234 803 555 0147", "PHONE_NUMBER"),
        ],
    ),
    # -- passwords in a credential's position, no keyword -----------------------------
    (
        "git clone https://deploy:Mx7-Quartz-Owl@git.internal.example/ops/infra.git",
        [("Mx7-Quartz-Owl", "PASSWORD")],
    ),
    (
        "sshpass -p 'Ferry!Lights22' ssh ops@10.4.4.4",
        [("Ferry!Lights22", "PASSWORD"), ("10.4.4.4", "IP_ADDRESS")],
    ),
    (
        "curl -u reporter:plum-Orchard-6 https://jira.example.org/rest/api/2/search",
        [("plum-Orchard-6", "PASSWORD")],
    ),
    (
        'psql "host=db.example user=analyst password=Sextant42 dbname=dw"',
        [("Sextant42", "PASSWORD")],
    ),
    (
        "login: jmwangi\n       Savannah2020",
        [("Savannah2020", "PASSWORD")],
    ),
    (
        "docker login registry.example.com -u ci-bot --password-stdin <<< 'Reg1stry-Bot-88'",
        [("Reg1stry-Bot-88", "PASSWORD")],
    ),
    (
        "smb://FINANCE;hoang:Mekong2019@files.example.local/shared",
        [("Mekong2019", "PASSWORD")],
    ),
    (
        "net use Z: \\\\fs01\\projekte Kiefer77! /user:CORP\\jbauer",
        [("Kiefer77!", "PASSWORD")],
    ),
    (
        "htpasswd -b /etc/nginx/.htpasswd editor Walnut9Crane",
        [("Walnut9Crane", "PASSWORD")],
    ),
    (
        "user;password\nrkhan;Indus-Valley-5\nmlopez;Cactus.Flower.3",
        [("Indus-Valley-5", "PASSWORD"), ("Cactus.Flower.3", "PASSWORD")],
    ),
    (
        "the login for the camera is admin:admin123 still, we never changed it",
        [("admin123", "PASSWORD")],
    ),
    (
        "mysql -ureport -pN1ghtjar_Q4 -h 10.9.9.9 analytics",
        [("N1ghtjar_Q4", "PASSWORD"), ("10.9.9.9", "IP_ADDRESS")],
    ),
    # -- lower-case names, names in running text ------------------------------------------
    (
        "met with sanjay patel and his manager, joanna white, about the renewal",
        [("sanjay patel", "PERSON"), ("joanna white", "PERSON")],
    ),
    (
        "per conversation with mohammed el amrani the shipment goes to tangier next week",
        [("mohammed el amrani", "PERSON"), ("tangier", "LOCATION")],
    ),
    (
        "signed: kristjan tamm, tallinn",
        [("kristjan tamm", "PERSON"), ("tallinn", "LOCATION")],
    ),
    (
        "ask hiroshi or keiko in the osaka office",
        [("hiroshi", "PERSON"), ("keiko", "PERSON"), ("osaka", "LOCATION")],
    ),
    (
        "the contract was signed by o'brien and mcallister on behalf of the landlord",
        [("o'brien", "PERSON"), ("mcallister", "PERSON")],
    ),
    (
        "cc: anneliese von der heide, dagmar schultz",
        [("anneliese von der heide", "PERSON"), ("dagmar schultz", "PERSON")],
    ),
    (
        "- pair programming today with wei chen + rosa delgado",
        [("wei chen", "PERSON"), ("rosa delgado", "PERSON")],
    ),
    # -- forms and tables --------------------------------------------------------------
    (
        "Full name | Role | Location\nTobias Lindgren | DBA | Gothenburg\nAmaka Eze | SRE | Abuja",
        [
            ("Tobias Lindgren", "PERSON"),
            ("Gothenburg", "LOCATION"),
            ("Amaka Eze", "PERSON"),
            ("Abuja", "LOCATION"),
        ],
    ),
    (
        "guest,room,nights\nVeronika Horvath,214,3\nDiego Armando Paz,215,2",
        [("Veronika Horvath", "PERSON"), ("Diego Armando Paz", "PERSON")],
    ),
    (
        "Emergency contact name: ____Lucía Benítez____ Relationship: sister",
        [("Lucía Benítez", "PERSON")],
    ),
    (
        "Signature of applicant: Rajesh Kumar Iyer        Date: 04.12.2026",
        [("Rajesh Kumar Iyer", "PERSON")],
    ),
    (
        "Passenger: MS ZHANG/XIAOLING  Seat 23A  Frequent flyer: no",
        [("ZHANG/XIAOLING", "PERSON")],
    ),
    (
        "Bill to: Orla Ní Bhriain, 3 Quay Street, Galway H91 X2Y4",
        [("Orla Ní Bhriain", "PERSON"), ("3 Quay Street, Galway H91 X2Y4", "ADDRESS")],
    ),
    (
        "Landlord: Heikki Virtanen   Tenant: Aino Mäkelä   Property: Mannerheimintie 12 B 7, "
        "00100 Helsinki",
        [
            ("Heikki Virtanen", "PERSON"),
            ("Aino Mäkelä", "PERSON"),
            ("Mannerheimintie 12 B 7, 00100 Helsinki", "ADDRESS"),
        ],
    ),
    (
        "Driver: Themba Nkosi\nVehicle: Toyota Hilux\nRoute: Durban to Pietermaritzburg",
        [("Themba Nkosi", "PERSON"), ("Durban", "LOCATION"), ("Pietermaritzburg", "LOCATION")],
    ),
    (
        "Account holder: Mrs Gwendolyn Pryce-Jones\nSort code: 20-00-00\nLogin passcode: 770341",
        [("Gwendolyn Pryce-Jones", "PERSON"), ("770341", "PASSWORD")],
    ),
    (
        "Wi-Fi (guests)\nNetwork: CafeLuna\nKey: espresso-Doppio-5",
        [("espresso-Doppio-5", "PASSWORD")],
    ),
    (
        "Thanks again!\n— Nadia\nSent from my iPhone",
        [("Nadia", "PERSON")],
    ),
    (
        "Best,\nj. okafor",
        [("j. okafor", "PERSON")],
    ),
    (
        "Herzliche Grüße aus Graz\nLeopold & Theresa Gruber",
        [("Graz", "LOCATION"), ("Leopold", "PERSON"), ("Theresa Gruber", "PERSON")],
    ),
]

BENIGN: list[tuple[str, list[tuple[str, str]]]] = [
    # -- product names, code identifiers, versions, hashes --------------------------------
    ("upgrade to node 22.11.0 and rerun npm ci, then check the jest output", []),
    ("The build uses gcc 13.2, cmake 3.28 and ninja; see CMakeLists.txt.", []),
    ("commit 4f9c2a1b7e8d3f60a5c9e2b1d4f7a8c3e6b9d0f2 fixes the flaky test in auth_test.go", []),
    ("sha256: 9b74c9897bac770ffc029102a200c5de5c8e5f1b1a2e4b0c7d8e9f0a1b2c3d4e", []),
    (
        "def check_password(user, candidate):\n    return bcrypt.checkpw(candidate, user.pw_hash)",
        [],
    ),
    ("const token = await getToken({ scope: 'read:user' });", []),
    ("password_reset_token_ttl: 3600\nmax_login_attempts: 5", []),
    ("Set PASSWORD_HASHERS to use Argon2PasswordHasher first in settings.py.", []),
    ("Run `kubectl create secret generic db-creds --from-env-file=.env` to load it.", []),
    ("DB_PASSWORD: ${DB_PASSWORD}\nDB_USER: ${DB_USER}", []),
    ('{"password": "<your password here>", "username": "<your user>"}', []),
    ("auth:\n  pw: !vault secret/data/app#pw\n  user: app", []),
    ("The tool reads the key from ~/.config/tool/key.txt if KEY_FILE is unset.", []),
    ("The build is at version 2.14.0-rc.3+build.5521 now.", []),
    ("Use docker image python:3.12-slim-bookworm for the worker.", []),
    ("Error E1104: the passphrase must be at least 12 characters.", []),
    ("curl -u $USER:$TOKEN https://api.example.com/v1/items", []),
    ("mysql -u root -p  # it will prompt for the password", []),
    ("The UUID of the node is 3f2b8c1e-9a4d-4e6f-b1c2-7d8e9f0a1b2c.", []),
    ("Bluetooth headphones: Sony WH-1000XM5 vs Bose QuietComfort Ultra", []),
    ("Order a MacBook Air M3 and an iPad Pro for the design team.", []),
    ("Excel's VLOOKUP returns #N/A when the key is missing.", []),
    ("install ripgrep, fd and bat, then alias grep to rg", []),
    ("the redis key user:42:session expires after 30 minutes", []),
    ("TypeError: cannot read properties of undefined (reading 'password')", []),
    ("INFO 2026-12-01 10:00:00 worker-3 processed 1200 jobs in 4.2s", []),
    ("2026-12-01T10:00:01Z WARN cache miss ratio 0.31 above threshold 0.25", []),
    ("[git] Merge branch 'feature/login-form' into main", []),
    ("Rename getUserPassword() to fetchCredentialRecord() in UserService.java", []),
    # -- places that are common words, names of things -----------------------------------
    ("Reading is a town but reading is also a hobby; the Bath bomb was a gift.", []),
    ("We'll meet at the Mercury building near the Jupiter fountain.", []),
    ("Deploy to the Phoenix cluster, then the Aurora replica.", []),
    ("Set the colour to Amber, the accent to Rose and the border to Violet.", []),
    ("The Apache Kafka consumer group 'orders' lags behind.", []),
    ("Our Jenkins, Sonar and Nexus servers moved to the new rack.", []),
    ("Try the Hugo static site generator with the Ananke theme.", []),
    (
        "The Tesla coil demo and the Faraday cage are in lab 3.",
        [("Tesla", "PUBLIC"), ("Faraday", "PUBLIC")],
    ),
    (
        "Who wrote One Hundred Years of Solitude, Gabriel García Márquez?",
        [("Gabriel García Márquez", "PUBLIC")],
    ),
    (
        "How tall is Mount Kilimanjaro compared with Mont Blanc?",
        [("Mount Kilimanjaro", "PUBLIC"), ("Mont Blanc", "PUBLIC")],
    ),
    # -- trigger words before no secret ---------------------------------------------------
    ("The password field should show a strength meter and a reveal toggle.", []),
    ("your password: must contain 12 characters, one digit and one symbol", []),
    ("PIN codes are 4 to 6 digits; the reset code expires in 10 minutes.", []),
    ("the code is in src/auth/login.rs, line 88", []),
    ("Pass the --dry-run flag first, then the real run.", []),
    ("key: value pairs are separated by a colon in YAML", []),
    ("secret santa draw is on friday lol, bring 20 euros", []),
]
