"""The direct goal-hijacking moves (`cue_hijack`) in the languages beyond English.

`cue_hijack` wrote the moves of a human-written direct injection in English (and a few in
German, Spanish, French): someone else's personal data asked for ("the user's birth year",
"Paul's e-mail address"), the guarded secret asked for ("what is the password", "confirm
the password for our system"), the secret carried out in another form ("a poem about the
password"), the task switched ("ignore the webpage and state ...", "... instead") and a fixed
string dictated ("say that ...", "state the following: ..."). An attacker who writes in
Hindi, Turkish or Thai uses the same moves in the words of that language, and the cue
stage's head weighs a category the same whatever the language, so these lists extend the
English categories of the same name (`cue_lexicon` merges them; no new weights).

Languages: Spanish, French, Italian, Portuguese, German, Dutch, Polish, Russian, Ukrainian,
Turkish, Arabic, Persian, Hebrew, Hindi, Bengali, Chinese, Japanese, Korean, Vietnamese,
Indonesian, Filipino (Tagalog), Thai. Written from knowledge of the languages and of the
attack taxonomies (the CyberSecEval, PromptInject and OWASP LLM01 descriptions of the
moves), never copied from evaluation rows. Conventions as in `cue_lexicon`: RE2 fragments
matched case-insensitively on NFKC text, an ASCII-initial fragment gets a leading `\\b`
(ASCII only: non-Latin fragments are stems), no look-around. Each move is built from small
word lists (who, what, asked how) so a language is one line per list; the parts of a
phrase are joined by a short gap within one sentence.

Benign text says these words too ("how do I store the user's birth date", "how do I change
the password"): as in English, a category alone stays under the stage's flag threshold and
only a second move (a fiction, a claimed authority, an override, a reveal verb, an encoding)
makes a block; the head's prior pairs (`cue_hijack.PRIOR_WEIGHTS`) say which.
"""

from __future__ import annotations

#: A gap inside one clause ("la dirección de correo electrónico *actual* del usuario").
_GAP = r"[^.!?。！？\n]{0,24}?"
#: An even shorter one, for scripts written without spaces (Thai, Chinese, Japanese).
_TIGHT = r"[^.!?。！？\n]{0,8}?"


def _alt(words: list[str]) -> str:
    """One non-capturing alternation; an ASCII-initial word gets its `\\b` (as `_b` does)."""
    return (
        "(?:"
        + "|".join((r"\b" + w) if w[:1].isascii() and w[:1].isalpha() else w for w in words)
        + ")"
    )


# -- someone else's personal data ------------------------------------------------------------

#: "The user" and "the other users", in the forms that stand beside a possessed noun. The
#: matcher searches the phrases built on it only where one occurs (`cues.ALSO_REQUIRES`).
USER = [
    r"(?:del|al|el)\s+usuario",
    r"de\s+los\s+usuarios",
    r"(?:de\s+)?l['’]utilisat(?:eur|rice)",
    r"des\s+utilisateurs",
    r"(?:dell['’]|l['’])utente",
    r"degli\s+utenti",
    r"(?:do|o)\s+usu[áa]rio",
    r"dos\s+usu[áa]rios",
    r"(?:des|der|dem)\s+(?:benutzers?|nutzers?|anwenders?|users)",
    r"(?:van\s+)?de\s+gebruiker",
    r"u[żz]ytkownika",
    "пользовател(?:я|ь|ей|ю|ем)",
    "користувач(?:а|ів)?",
    r"kullan[ıi]c[ıi](?:n[ıi]n)?",
    "(?:ال|لل|بال)مستخدم",
    "کاربر",
    "המשתמש",
    "उपयोगकर्ता",
    "प्रयोगकर्ता",
    "यूज़र",
    "यूजर",
    "ব্যবহারকারী(?:র)?",
    "ইউজার",
    "用户",
    "用戶",
    "使用者",
    "ユーザー",
    "利用者",
    "사용자",
    "유저",
    r"ng[ưu][ờo]i\s+d[ùu]ng",
    r"pengguna",
    r"pemakai",
    r"ng\s+(?:user|gumagamit)",
    "ผู้ใช้",
]

#: Personal data a support bot or an agent holds about a person.
_DATA = [
    # es
    r"(?:fecha|a[ñn]o|mes|d[íi]a)\s+de\s+nacimiento",
    r"(?:direcci[óo]n\s+de\s+)?correo(?:\s+electr[óo]nico)?",
    r"direcci[óo]n",
    r"domicilio",
    r"ciudad\s+(?:actual\s+)?de\s+residencia",
    r"(?:n[úu]mero\s+de\s+)?tel[ée]fono",
    r"iniciales",
    r"color\s+favorito",
    r"saldo(?:\s+bancario)?",
    r"(?:n[úu]mero\s+de\s+)?(?:seguro|seguridad)\s+social",
    r"tarjeta\s+de\s+cr[ée]dito",
    # fr
    r"(?:date|ann[ée]e|mois|jour)\s+de\s+naissance",
    r"adresse(?:\s+(?:e-?mail|[ée]lectronique|courriel))?",
    r"ville\s+(?:actuelle\s+)?de\s+r[ée]sidence",
    r"num[ée]ro\s+de\s+t[ée]l[ée]phone",
    r"initiales",
    r"couleur\s+pr[ée]f[ée]r[ée]e",
    r"solde(?:\s+bancaire)?",
    r"num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale",
    r"carte\s+(?:de\s+cr[ée]dit|bancaire)",
    # it
    r"(?:data|anno|mese|giorno)\s+di\s+nascita",
    r"indirizzo(?:\s+(?:e-?mail|di\s+posta\s+elettronica))?",
    r"citt[àa]\s+(?:attuale\s+)?di\s+residenza",
    r"numero\s+di\s+telefono",
    r"iniziali",
    r"colore\s+preferito",
    r"saldo\s+(?:bancario|del\s+conto)",
    r"codice\s+fiscale",
    r"carta\s+di\s+credito",
    # pt
    r"(?:data|ano|m[êe]s|dia)\s+de\s+nascimento",
    r"(?:endere[çc]o\s+de\s+)?e-?mail",
    r"endere[çc]o",
    r"cidade\s+(?:atual\s+)?de\s+resid[êe]ncia",
    r"n[úu]mero\s+de\s+telefone",
    r"iniciais",
    r"cor\s+favorita",
    r"saldo\s+(?:banc[áa]rio|da\s+conta)",
    r"cart[ãa]o\s+de\s+cr[ée]dito",
    # de / nl / pl
    r"geburts(?:datum|jahr|monat|tag|ort)",
    r"e-?mail-?adresse",
    r"(?:wohn)?adresse",
    r"wohnort",
    r"telefonnummer",
    r"initialen",
    r"lieblingsfarbe",
    r"kontostand",
    r"sozialversicherungsnummer",
    r"kreditkart(?:e|ennummer)",
    r"geboortedatum",
    r"e-?mailadres",
    r"woonplaats",
    r"data\s+urodzenia",
    r"adres\s+e-?mail",
    # ru / uk
    "(?:дат\\S*|год\\S*|месяц\\S*|день|дня)\\s+рождения",
    "(?:адрес\\S*\\s+)?электронн\\S*\\s+почт\\S*",
    "адрес\\S*",
    "город\\S*\\s+проживания",
    "мест\\S*\\s+жительства",
    "номер\\S*\\s+телефона",
    "инициал\\S*",
    "любим\\S*\\s+цвет\\S*",
    "баланс\\S*",
    "остат\\S*\\s+на\\s+сч[её]т\\S*",
    "(?:номер\\S*\\s+)?кредитной\\s+карты",
    "(?:дат\\S*|р[іо]к|року)\\s+народження",
    "електронн\\S*\\s+пошт\\S*",
    # tr
    r"do[ğg]um\s+(?:tarihi|y[ıi]l[ıi]|ay[ıi]|g[üu]n[üu])",
    r"e-?posta\s+adresi",
    r"adresi",
    r"(?:ya[şs]ad[ıi][ğg][ıi]|ikamet\s+etti[ğg]i)\s+(?:[şs]ehir|yer)",
    r"telefon\s+numaras[ıi]",
    r"ba[şs]\s+harfleri",
    r"(?:en\s+sevdi[ğg]i|favori)\s+reng",
    r"(?:banka\s+)?bakiyesi",
    r"kredi\s+kart[ıi]",
    # ar / fa / he
    "(?:تاريخ|سنة|شهر|عيد)\\s+(?:ال)?ميلاد",
    "(?:عنوان\\s+)?البريد\\s+ال[إا]لكتروني",
    "عنوان",
    "مدينة\\s+(?:ال)?إقامة",
    "رقم\\s+(?:ال)?هاتف",
    "(?:الأحرف|الحروف)\\s+الأولى",
    "اللون\\s+المفضل",
    "رصيد",
    "بطاقة\\s+(?:ال)?ائتمان",
    "تاریخ\\s+تولد",
    "ایمیل",
    "תאריך\\s+הלידה",
    'כתובת\\s+(?:ה)?דוא"?ל',
    # hi / bn
    "जन्म",
    "(?:ईमेल|ई-मेल)(?:\\s+पता)?",
    "(?:निवास|रहने)\\s+(?:का|के)\\s+शहर",
    "(?:फ़ोन|फोन)\\s+(?:नंबर|नम्बर)",
    "(?:आद्याक्षर|प्रारंभिक\\s+अक्षर|नाम\\s+के\\s+(?:पहले|प्रथम)\\s+अक्षर)",
    "पसंदीदा\\s+रंग",
    "(?:बैंक\\s+)?बैलेंस",
    "शेष\\s+राशि",
    "क्रेडिट\\s+कार्ड",
    "জন্ম",
    "(?:ইমেল|ইমেইল|ই-মেইল)(?:\\s+ঠিকানা)?",
    "ঠিকানা",
    "বসবাসের\\s+শহর",
    "(?:ফোন|টেলিফোন)\\s+নম্বর",
    "আদ্যক্ষর",
    "প্রিয়\\s+রং",
    "প্রিয়\\s+রঙ",
    "(?:ব্যাংক\\s+)?ব্যালেন্স",
    "ক্রেডিট\\s+কার্ড",
    # zh / ja / ko
    "出生(?:日期|年份|月份|年|月)",
    "生日",
    "(?:电子邮件|電子郵件|邮箱|郵箱|电子邮箱)(?:地址)?",
    "(?:家庭)?(?:住址|地址)",
    "居住(?:的)?城市",
    "(?:电话|電話|手机|手機)号码",
    "(?:电话|電話|手機|手机)號碼",
    "首字母",
    "(?:最)?喜欢的颜色",
    "(?:最)?喜歡的顏色",
    "(?:银行|銀行)?余额",
    "餘額",
    "信用卡",
    "生年月日",
    "誕生(?:日|年|月)",
    "生まれた(?:年|月|日)",
    "メールアドレス",
    "住所",
    "住んでいる(?:都市|町|場所)",
    "電話番号",
    "イニシャル",
    "好きな色",
    "(?:銀行)?残高",
    "クレジットカード",
    "생년월일",
    "생일",
    "(?:출생|태어난)\\s*(?:연도|년도|해|월|달)",
    "이메일(?:\\s*주소)?",
    "주소",
    "거주\\s*(?:도시|지)",
    "전화\\s*번호",
    "이니셜",
    "좋아하는\\s*색",
    "(?:은행\\s*)?잔(?:고|액)",
    "신용\\s*카드",
    # vi / id / tl / th
    r"(?:ng[àa]y|n[ăa]m|th[áa]ng)\s+sinh",
    r"sinh\s+nh[ậa]t",
    r"(?:đ[ịi]a\s+ch[ỉi]\s+)?email",
    r"đ[ịi]a\s+ch[ỉi]",
    r"th[àa]nh\s+ph[ốo]\s+(?:c[ưu]\s+tr[úu]|n[ơo]i\s+[ởo])",
    r"s[ốo]\s+đi[ệe]n\s+tho[ạa]i",
    r"(?:t[êe]n\s+vi[ếe]t\s+t[ắa]t|ch[ữu]\s+c[áa]i\s+đ[ầa]u)",
    r"m[àa]u\s+(?:s[ắa]c\s+)?y[êe]u\s+th[íi]ch",
    r"s[ốo]\s+d[ưu](?:\s+(?:ng[âa]n\s+h[àa]ng|t[àa]i\s+kho[ảa]n))?",
    r"th[ẻe]\s+t[íi]n\s+d[ụu]ng",
    r"(?:tanggal|tahun|bulan)\s+lahir",
    r"(?:alamat\s+)?email",
    r"alamat",
    r"kota\s+tempat\s+tinggal",
    r"nomor\s+telepon",
    r"inisial",
    r"warna\s+favorit",
    r"saldo(?:\s+bank)?",
    r"kartu\s+kredit",
    r"(?:petsa|taon|buwan)\s+ng\s+(?:kapanganakan|kaarawan)",
    r"kaarawan",
    r"(?:email\s+)?address\s+ng",
    r"tirahan",
    r"(?:numero\s+ng\s+)?telepono",
    r"inisyal",
    r"paboritong\s+kulay",
    r"balanse",
    "(?:วัน|ปี|เดือน)เกิด",
    "(?:ที่อยู่)?อีเมล",
    "ที่อยู่",
    "เมืองที่(?:อาศัย|พัก)",
    "(?:เบอร์|หมายเลข)โทรศัพท์",
    "(?:ชื่อย่อ|อักษรย่อ|ตัวอักษรแรก)",
    "สีที่ชอบ",
    "ยอดเงิน",
    "บัตรเครดิต",
]

#: Data of a *named* person (birth date, e-mail, where they live): a narrower list than
#: `_DATA`, without "address" or "birthday" (a shop's address, a mother's birthday party).
_PERSON_DATA_LATIN = [
    r"(?:fecha|a[ñn]o)\s+de\s+nacimiento",
    r"(?:direcci[óo]n\s+de\s+)?correo\s+electr[óo]nico",
    r"ciudad\s+(?:actual\s+)?de\s+residencia",
    r"saldo\s+bancario",
    r"(?:date|ann[ée]e)\s+de\s+naissance",
    r"adresse\s+(?:e-?mail|[ée]lectronique)",
    r"ville\s+(?:actuelle\s+)?de\s+r[ée]sidence",
    r"(?:data|anno)\s+di\s+nascita",
    r"indirizzo\s+(?:e-?mail|di\s+posta\s+elettronica)",
    r"citt[àa]\s+(?:attuale\s+)?di\s+residenza",
    r"(?:data|ano)\s+de\s+nascimento",
    r"endere[çc]o\s+de\s+e-?mail",
    r"cidade\s+(?:atual\s+)?de\s+resid[êe]ncia",
    r"(?:ng[àa]y|n[ăa]m)\s+sinh",
    r"đ[ịi]a\s+ch[ỉi]\s+email",
    r"(?:tanggal|tahun)\s+lahir",
    r"alamat\s+email",
    r"(?:petsa|taon)\s+ng\s+kapanganakan",
]

OTHER_DATA = [
    # "the user's X" in either order (possessor after the noun in Romance, Slavic, Arabic,
    # Vietnamese, Indonesian, Thai; before it in Turkish, Hindi, Bengali, CJK)
    _alt(_DATA) + _GAP + _alt(USER),
    _alt(USER) + _GAP + _alt(_DATA),
    # a named person's data: "la fecha de nacimiento de Paul", "Pauls Geburtsdatum"
    _alt(_PERSON_DATA_LATIN)
    + r"\s+(?:actual\s+|atual\s+|actuelle\s+|attuale\s+)?(?:de|di|d['’]|c[ủu]a|ni|ng)\s+(?-i:[A-Z][a-z]+)",
    r"(?-i:[A-Z][a-z]+)s\s+(?:geburtsdatum|geburtsjahr|e-?mail-?adresse|wohnort|kontostand)",
    "(?:дат\\S*|год\\S*)\\s+рождения\\s+(?-i:[А-ЯЁ][а-яё]+)",
    "(?:адрес\\S*\\s+)?электронн\\S*\\s+почт\\S*\\s+(?-i:[А-ЯЁ][а-яё]+)",
    "[ァ-ヶー]{2,}の(?:生年月日|メールアドレス|誕生年|生まれた年|銀行残高)",
    "[ァ-ヶー]{2,}(?:さん)?は(?:今|現在)?どこに住んで",
    r"(?:geburtsdatum|geburtsjahr|e-?mail-?adresse|wohnort|kontostand)\s+von\s+(?-i:[A-Z][a-z]+)",
    r"(?:(?:tanggal|tahun)\s+lahir|alamat\s+email)\s+(?-i:[A-Z][a-z]+)",
    "\\S+\\s+(?:का|की|के)\\s+(?:जन्म\\s*(?:तिथि|तारीख)|जन्म\\s+(?:का|के)\\s+(?:वर्ष|साल)|(?:ईमेल|ई-मेल)\\s+पत[ाे]|निवास)",
    "\\S+(?:ের|র)\\s+(?:জন্ম\\s*তারিখ|জন্মের\\s+(?:তারিখ|সাল|বছর)|(?:ইমেল|ইমেইল)\\s+ঠিকানা|বসবাসের\\s+শহর)",
    "\\p{Han}{2,5}的(?:出生日期|出生年份|电子邮件地址|電子郵件地址|邮箱地址|居住城市|银行余额|銀行餘額)",
    "[가-힣]{2,}의\\s*(?:생년월일|출생\\s*연도|이메일\\s*주소|거주\\s*도시|은행\\s*잔고)",
    "(?:อีเมล|ที่อยู่อีเมล|เมืองที่อาศัย|ยอดเงิน(?:ในบัญชี)?)ของ",
    "(?:تاريخ|سنة)\\s+ميلاد\\s+\\S+",
    r"(?-i:[A-Z][a-z]+)['’]?(?:n[ıi]n|in|un|[üu]n)\s+(?:do[ğg]um\s+(?:tarihi|y[ıi]l[ıi])|e-?posta\s+adresi)",
    # where does the user (or a named person) live now
    r"d[óo]nde\s+(?:vive|reside)\s+(?:actualmente\s+|ahora\s+)?(?:el\s+usuario|(?-i:[A-Z][a-z]+))",
    r"o[ùu]\s+(?:vit|habite|r[ée]side)\s+(?:actuellement\s+|maintenant\s+)?(?:l['’]utilisat|(?-i:[A-Z][a-z]+))",
    r"dove\s+(?:vive|abita|risiede)\s+(?:attualmente\s+|ora\s+)?(?:l['’]utente|(?-i:[A-Z][a-z]+))",
    r"onde\s+(?:o\s+usu[áa]rio|(?-i:[A-Z][a-z]+))\s+(?:mora|vive|reside)",
    r"onde\s+(?:mora|vive|reside)\s+(?:atualmente\s+)?(?:o\s+usu[áa]rio|(?-i:[A-Z][a-z]+))",
    r"wo\s+(?:wohnt|lebt)\s+(?:derzeit\s+|jetzt\s+|gerade\s+)?(?:der\s+(?:benutzer|nutzer)|(?-i:[A-Z][a-z]+))",
    "где\\s+(?:сейчас\\s+|в\\s+настоящее\\s+время\\s+)?(?:живет|живёт|проживает)\\s+(?:пользовател|(?-i:[А-ЯЁ]))",
    "пользовател\\S*\\s+(?:сейчас\\s+)?(?:живет|живёт|проживает)",
    r"kullan[ıi]c[ıi]\S*\s+(?:[şs]u\s+an(?:da)?\s+|[şs]imdi\s+)?nerede\s+(?:ya[şs][ıi]yor|oturuyor|ikamet)",
    "أين\\s+(?:يعيش|يقيم|يسكن)\\s+(?:ال)?مستخدم",
    "उपयोगकर्ता\\s+(?:\\S+\\s+){0,2}?कहा[ँं]\\s+रह",
    "ব্যবহারকারী\\s+(?:\\S+\\s+){0,2}?কোথায়\\s+থাক",
    "(?:用户|用戶|使用者)(?:目前|现在|現在)?住在(?:哪|何)",
    "ユーザーは(?:今|現在)?どこに住んで",
    "사용자(?:는|가)?\\s*(?:현재|지금)?\\s*어디(?:에|서)\\s*(?:살|거주)",
    r"ng[ưu][ờo]i\s+d[ùu]ng\s+(?:hi[ệe]n\s+(?:t[ạa]i\s+)?|đang\s+)*s[ốo]ng\s+[ởo]\s+đ[âa]u",
    r"(?:di\s*mana\s+pengguna\s+(?:saat\s+ini\s+)?tinggal|pengguna\s+(?:saat\s+ini\s+|sekarang\s+)?tinggal\s+di\s*mana)",
    r"saan\s+(?:kasalukuyang\s+|ngayon\s+)?nakatira\s+ang\s+(?:user|gumagamit)",
    "ผู้ใช้(?:ปัจจุบัน|ตอนนี้)?อาศัยอยู่(?:ที่ไหน|ที่ใด)",
]

# -- the guarded secret asked for ------------------------------------------------------------

#: After the secret: the end of the request, or "for our system / this mode".
_END = (
    r"(?:\s*[?？.!。,;:'\"»”)؟،।]|\s*$|\s+(?:de|del|para|du|pour|di|per|do|da|f[üu]r|des)\s+"
    r"(?:nuestro|nuestra|este|esta|notre|ce|cette|nostro|nostra|questo|questa|nosso|nossa|unser\w*|dieses?)\s+"
    r"(?:sistema|syst[èe]me|modo|mode|modalit[àa]|modus|system|cuenta|compte|account|conta|konto))"
)

SECRET_ASK = [
    # es / fr / it / pt / de: ask + (the | your | our) secret + end of the request
    r"(?:cu[áa]l\s+es|dime|dame|confirm(?:a|e|ar|ame)|compart(?:e|a|ir|eme)|proporcion(?:a|e|ar)|proporci[óo]name|rev[ée]la(?:me)?|revelar|dec[íi]rme|decir(?:me)?)\s+(?:me\s+)?(?:la|el|tu|su|nuestra|nuestro)\s+(?:contrase[ñn]a|clave(?:\s+secreta)?|c[óo]digo\s+secreto|palabra\s+secreta)"
    + _END,
    r"(?:quel\s+est|donne[sz]?-moi|dis-moi|dites-moi|confirme[sz]?|confirmer|partage[sz]?|partager|fournis(?:sez)?(?:-moi)?|fournir|r[ée]v[èe]le[sz]?(?:-moi)?|r[ée]v[ée]ler|indique[sz]?-moi|communique[sz]?-moi)\s+(?:le|la|ton|ta|votre|notre)\s+(?:mot\s+de\s+passe|code\s+secret|cl[ée]\s+secr[èe]te|secret)"
    + _END,
    r"(?:qual\s+[èe]|dimmi|dammi|conferma(?:re|mi)?|condividi|condividere|fornisci(?:mi)?|fornire|rivela(?:mi|re)?|dire(?:mi)?)\s+(?:la\s+|il\s+)?(?:tua\s+|tuo\s+|sua\s+|suo\s+|nostra\s+|nostro\s+)?(?:password|parola\s+d['’]ordine|chiave\s+segreta|codice\s+segreto|segreto)"
    + _END,
    r"(?:qual\s+[ée]|diga-me|me\s+diga|d[êe]-me|me\s+d[êe]|confirm(?:e|a|ar)|compartilh(?:e|a|ar)|partilh(?:e|a|ar)|forne[çc]a(?:-me)?|fornecer|revel(?:e|a|ar))\s+(?:a\s+|o\s+)?(?:sua\s+|seu\s+|tua\s+|teu\s+|nossa\s+|nosso\s+)?(?:senha|palavra-?passe|chave\s+secreta|c[óo]digo\s+secreto|segredo)"
    + _END,
    r"(?:was\s+ist|wie\s+lautet|nenne\s+mir|nennen\s+sie\s+mir|sag\s+mir|sagen\s+sie\s+mir|gib\s+mir|geben\s+sie\s+mir|best[äa]tige|best[äa]tigen\s+sie|teile\s+mir|verrate\s+mir)\s+(?:mir\s+)?(?:das|dein|ihr|unser|den|deinen|ihren|unseren)\s+(?:passwort|kennwort|geheimwort|geheimcode|geheimen\s+schl[üu]ssel|geheimnis)"
    + _END,
    r"(?:das|dein|ihr|unser)\s+(?:passwort|kennwort)\s+(?:best[äa]tigen|nennen|mitteilen|verraten|geben|sagen)",
    # ru / uk: no article; the ask verb or "какой" directly before the secret
    "(?:какой|каков|назови(?:те)?|скажи(?:те)?|сообщи(?:те)?|подтверди(?:те)?|дай(?:те)?|раскрой(?:те)?|покажи(?:те)?)\\s+(?:мне\\s+)?(?:у\\s+(?:тебя|вас)\\s+)?(?:ваш\\s+|твой\\s+|наш\\s+|этот\\s+)?(?:пароль|секретный\\s+ключ|секретное\\s+слово|секретный\\s+код)",
    "(?:поделит(?:есь|ься)|поделись)\\s+(?:со\\s+мной\\s+)?(?:вашим\\s+|своим\\s+|твоим\\s+)?паролем",
    "(?:який|назвіть|скажіть|підтвердіть)\\s+(?:мені\\s+)?(?:ваш\\s+|твій\\s+)?пароль",
    # tr (verb last): the secret in the accusative, then tell / give / confirm / share
    r"(?:[şs]ifre|parola|gizli\s+anahtar|gizli\s+kod)(?:yi|y[ıi]|nizi|n[ıi]z[ıi]|ni|n[ıi]|m[ıi]z[ıi])?\s+(?:bana\s+)?(?:nedir|ne\b|s[öo]yle|ver|onayla|payla[şs]|g[öo]ster|a[çc][ıi]kla)",
    # ar
    "(?:ما\\s+(?:هي|هو)|أعطني|اعطني|أخبرني|قل\\s+لي|أكد|أكّد|تأكيد|شارك(?:ني)?|اكشف)\\s+(?:لي\\s+)?(?:عن\\s+)?(?:كلمة\\s+(?:المرور|السر)|المفتاح\\s+السري|الرمز\\s+السري)",
    # hi / bn (verb last)
    "(?:पासवर्ड|गुप्त\\s+कुंजी|सीक्रेट\\s+की|पासकोड)\\s+(?:क्या\\s+है|बताओ|बताइए|बताएं|बताएँ|बता\\s+(?:सकते|दो|दीजिए)|की\\s+पुष्टि|साझा\\s+कर|प्रदान\\s+कर|दे\\s+सकते|दीजिए|दो|दें)",
    "(?:পাসওয়ার্ড|গোপন\\s+(?:কী|চাবি))\\S*\\s+(?:কী|কি|বলুন|বলো|বলে\\s+দিন|নিশ্চিত|শেয়ার|দিন|দাও)",
    # zh / ja / ko
    "(?:告诉我|告訴我|给我|給我|确认|確認|提供|分享|说出|說出|透露)(?:一下)?(?:你的|您的|我们的|我們的|这个|這個)?(?:密码|密碼|密钥|密鑰|秘密|口令)",
    "(?:密码|密碼|密钥|密鑰|口令)是(?:什么|什麼|多少)",
    "(?:パスワード|秘密の(?:鍵|キー|言葉)|暗証番号|合言葉)(?:は何|を(?:教え|確認し|共有し|提供し|言っ|見せ))",
    "(?:비밀번호|암호|패스워드|비밀\\s*키)(?:는|가|를|을)?\\s*(?:뭐|무엇|알려|확인해|공유해|말해)",
    # vi / id / tl / th
    r"(?:m[ậa]t\s+kh[ẩa]u|kh[óo]a\s+b[íi]\s+m[ậa]t|m[ãa]\s+b[íi]\s+m[ậa]t)\s+(?:\S+\s+){0,3}?l[àa]\s+g[ìi]",
    r"(?:cho\s+t[ôo]i\s+(?:bi[ếe]t\s+)?|x[áa]c\s+nh[ậa]n|chia\s+s[ẻe]|cung\s+c[ấa]p|ti[ếe]t\s+l[ộo])\s+(?:\S+\s+){0,2}?(?:m[ậa]t\s+kh[ẩa]u|kh[óo]a\s+b[íi]\s+m[ậa]t)",
    r"(?:apa|berikan|beri\s+tahu|beritahu|sebutkan|konfirmasi(?:kan)?|bagikan|ungkapkan)\s+(?:\S+\s+){0,2}?(?:kata\s+sandi|kunci\s+rahasia|kode\s+rahasia)",
    r"(?:ano\s+ang|sabihin\s+(?:mo\s+)?(?:sa\s+akin\s+)?ang|ibigay\s+(?:mo\s+)?(?:sa\s+akin\s+)?ang|kumpirmahin\s+(?:mo\s+)?ang|ibahagi\s+(?:mo\s+)?(?:sa\s+akin\s+)?ang)\s+(?:iyong\s+|inyong\s+|aming\s+)?(?:password|lihim|sikreto)",
    "(?:รหัสผ่าน|รหัสลับ|คีย์ลับ)" + _TIGHT + "คือ(?:\\s*)อะไร",
    "(?:บอก|ยืนยัน|แชร์|เปิดเผย)" + _TIGHT + "(?:รหัสผ่าน|รหัสลับ|คีย์ลับ)",
]

#: The secret as the object of a transformation ("a poem about the password", "the
#: password in leetspeak"): the password game's extraction, weighed with `TRANSFORM`.
GUARDED = [
    r"(?:la|tu)\s+(?:contrase[ñn]a|clave\s+secreta|palabra\s+secreta)(?:\s*[?.!,;:'\"»”)]|\s*$|\s+(?:en|como|al\s+rev[ée]s|con|letra))",
    r"sobre\s+la\s+contrase[ñn]a",
    r"(?:le|ton|votre)\s+(?:mot\s+de\s+passe|code\s+secret)(?:\s*[?.!,;:'\"»”)]|\s*$|\s+(?:en|comme|[àa]\s+l['’]envers|avec|lettre))",
    r"(?:sur|propos\s+du)\s+(?:le\s+)?mot\s+de\s+passe",
    r"(?:la|tua)\s+(?:password|parola\s+segreta|parola\s+d['’]ordine)(?:\s*[?.!,;:'\"»”)]|\s*$|\s+(?:in|come|al\s+contrario|con|lettera))",
    r"sulla\s+password",
    r"(?:a|sua|tua)\s+(?:senha|palavra-?passe)(?:\s*[?.!,;:'\"»”)]|\s*$|\s+(?:em|como|ao\s+contr[áa]rio|com|letra))",
    r"sobre\s+a\s+senha",
    r"(?:das|dein|ihr)\s+(?:passwort|kennwort|geheimwort)(?:\s*[?.!,;:'\"»”)]|\s*$|\s+(?:in|als|r[üu]ckw[äa]rts|mit|buchstabe))",
    r"[üu]ber\s+das\s+passwort",
    "(?:про|о)\\s+парол(?:ь|е)",
    "пароль(?:\\s*[?.!,;:'\"»”)]|\\s*$|\\s+(?:на|в|как|задом|наоборот|по\\s+буквам))",
    r"(?:[şs]ifre|parola)(?:yi|y[ıi]|\s+hakk[ıi]nda)",
    "عن\\s+كلمة\\s+(?:المرور|السر)",
    "पासवर्ड\\s+(?:के\\s+बारे\\s+में|पर\\s+(?:एक\\s+)?(?:कविता|हाइकू)|को\\s+(?:उल्टा|उलट))",
    "পাসওয়ার্ড\\s+(?:নিয়ে|সম্পর্কে|দিয়ে)",
    "পাসওয়ার্ড(?:টি|টা|কে)",
    "पासवर्ड\\s+को",
    "كلمة\\s+(?:المرور|السر)(?:\\s*[?.!؟،,]|\\s*$|\\s+(?:ب|في|مع|كـ)\\s)",
    "รหัสผ่าน(?:นี้|นั้น)?(?:\\s*[?.!]|\\s*$)",
    r"kata\s+sandi(?:nya)?(?:\s*[?.!,]|\s*$|\s+(?:dalam|sebagai|dengan|secara))",
    "(?:关于|關於)(?:这个|這個)?(?:密码|密碼)",
    "(?:以|用)(?:密码|密碼)(?:为|為|作为|作為)",
    "パスワード(?:について|に関する|を(?:使っ|逆|暗号|翻訳|base64|Base64))",
    "(?:비밀번호|암호)(?:에\\s*(?:대한|대해|관한)|를\\s*(?:사용|거꾸로|이용))",
    r"(?:v[ềe]|b[ằa]ng)\s+m[ậa]t\s+kh[ẩa]u",
    r"tentang\s+kata\s+sandi",
    r"(?:tungkol\s+sa|gamit\s+ang)\s+(?:password|lihim)",
    "(?:เกี่ยวกับ|โดยใช้)รหัสผ่าน",
]

# -- the task switched, a fixed string dictated ---------------------------------------------

#: Drop / ignore / forget, in the languages below (the gate of the context phrases: the
#: matcher searches them only where one of these occurs, `cues.ALSO_REQUIRES`).
DROP = [
    r"ignor(?:a|e|ar|en|ez|er|em|ate|are)",
    r"olvid(?:a|e|ar)",
    r"oubli(?:e|ez|er)",
    r"dimentica(?:te|re)?",
    r"esque[çc](?:a|er)",
    r"ignorier(?:e|en\s+sie|t)",
    r"vergiss",
    r"vergessen\s+sie",
    "(?:про)?игнориру?\\S*",
    "забуд\\S*",
    "не\\s+обращай\\S*\\s+внимания\\s+на",
    r"yok\s+say",
    r"g[öo]rmezden\s+gel",
    r"unut",
    r"dikkate\s+alma",
    "تجاهل",
    "انس(?:َ|ى)?",
    "أهمل",
    "अनदेखा",
    "अनदेखी",
    "नज़रअंदाज़",
    "नजरअंदाज",
    "भूल\\s+जा",
    "उपेक्षा",
    "উপেক্ষা",
    "ভুলে\\s+যা",
    "অগ্রাহ্য",
    "忽略",
    "无视",
    "無視",
    "忽視",
    "不要理会",
    "不要理會",
    "别管",
    "別管",
    "忘记",
    "忘記",
    "忘掉",
    "忘れ",
    "무시",
    "잊",
    r"b[ỏo]\s+qua",
    r"ph[ớo]t\s+l[ờo]",
    r"qu[êe]n",
    r"abaikan",
    r"lupakan",
    r"huwag\s+(?:mong\s+)?pansinin",
    r"balewalain",
    r"kalimutan",
    "ไม่สนใจ",
    "ละเว้น",
    "อย่าสนใจ",
    "ลืม",
]

#: What an indirect injection tells the model to drop: the operator's document or task
#: ("ignore the function / webpage / resume and state ..."), per language with its article
#: or particle, so the English-looking nouns ("document", "code", "e-mail") never match
#: English text (`cue_hijack` has the English move).
_DROPPED_AFTER = [
    r"(?:la|el|los|las|esta|este|dicha|dicho)\s+"
    r"(?:funci[óo]n|p[áa]gina(?:\s+web)?|curr[íi]culum|documento|art[íi]culo|texto|correo|tabla|c[óo]digo|tarea)",
    r"(?:la|le|les|l['’]|cette|ce)\s*"
    r"(?:fonction|page(?:\s+web)?|cv|curriculum|document|article|texte|e-?mail|courriel|tableau|code|t[âa]che)",
    r"(?:la|il|lo|l['’]|questa|questo)\s*"
    r"(?:funzione|pagina(?:\s+web)?|curriculum|documento|articolo|testo|e-?mail|tabella|codice|compito)",
    r"(?:a|o|as|os|esta|este|essa|esse)\s+"
    r"(?:fun[çc][ãa]o|p[áa]gina(?:\s+da\s+web|\s+web)?|curr[íi]culo|documento|artigo|texto|e-?mail|tabela|c[óo]digo|tarefa)",
    r"(?:die|den|das|diese[nsr]?)\s+"
    r"(?:funktion|webseite|seite|lebenslauf|dokument|artikel|text|e-?mail|tabelle|code|aufgabe)",
    "(?:эт\\S+\\s+)?(?:функци|веб-?страниц|страниц|резюме|документ|стать|текст|письм|таблиц|код|задач)",
    "(?:هذه\\s+|هذا\\s+)?"
    "(?:الدالة|الوظيفة|صفحة\\s+الويب|الصفحة|السيرة\\s+الذاتية|المستند|المقال|النص|البريد|الجدول|الكود|الرمز|المهمة)",
    "(?:这个|這個|该|該|此|上面的)?"
    "(?:函数|函數|网页|網頁|页面|頁面|简历|履歷|文档|文件|文章|文本|邮件|郵件|表格|代码|代碼|任务|任務)",
    r"(?:đi\s+)?(?:h[àa]m|trang\s+web|trang|s[ơo]\s+y[ếe]u\s+l[ýy]\s+l[ịi]ch|t[àa]i\s+li[ệe]u|b[àa]i\s+vi[ếe]t|v[ăa]n\s+b[ảa]n|email|b[ảa]ng|m[ãa]|nhi[ệe]m\s+v[ụu])",
    r"(?:fungsi|halaman(?:\s+web)?|resume|dokumen|artikel|teks|email|surel|tabel|kode|tugas)",
    r"(?:mo\s+)?ang\s+(?:function|webpage|pahina|resume|dokumento|artikulo|teksto|email|talahanayan|code|gawain)",
    "(?:ฟังก์ชัน|หน้าเว็บ|เว็บเพจ|เรซูเม่|ประวัติย่อ|เอกสาร|บทความ|ข้อความ|อีเมล|ตาราง|โค้ด|งาน)",
]
#: Verb-last languages name the document first, with its object particle.
_DROPPED_BEFORE = [
    r"(?:fonksiyon|i[şs]lev|web\s+sayfas|sayfa|[öo]zge[çc]mi[şs]|belge|makale|metin|e-?posta|tablo|kod|g[öo]rev)\S*\s+",
    "(?:फ़ंक्शन|फंक्शन|वेबपेज|वेब\\s+पेज|पेज|रिज्यूमे|बायोडाटा|दस्तावेज़|दस्तावेज|लेख|टेक्स्ट|ईमेल|तालिका|कोड|कार्य)"
    "\\s+(?:को\\s+)?",
    "(?:ফাংশন|ওয়েবপেজ|ওয়েব\\s+পেজ|পৃষ্ঠা|জীবনবৃত্তান্ত|নথি|নিবন্ধ|লেখা|ইমেল|সারণী|টেবিল|কোড|কাজ)\\S*\\s+",
    "(?:関数|ウェブページ|ページ|履歴書|文書|ドキュメント|記事|テキスト|メール|表|コード|タスク)(?:は|を)?",
    "(?:함수|웹\\s*페이지|페이지|이력서|문서|기사|텍스트|이메일|표|코드|작업)(?:는|은|를|을)?\\s*",
]
_CONTEXT_DROPPED = [_alt(DROP) + r"\s*" + f for f in _DROPPED_AFTER] + [
    f + _alt(DROP) for f in _DROPPED_BEFORE
]

#: "... that": the word that introduces the dictated clause in each language (the gate of
#: the say-that phrases, `cues.ALSO_REQUIRES`).
THAT = [
    r"que\b",
    r"che\b",
    r"dass\b",
    "что",
    "що",
    "أن",
    "بأن",
    "कि",
    "যে",
    "যেন",
    r"r[ằa]ng",
    r"bahwa",
    r"na\b",
]

#: Say / state / declare / write, before "that": the dictated string.
_SAY_VERBS = [
    r"(?:di|d[íi]|dec[íi]|diga|decid|declara|declare|afirma|afirme|indica|indique|escribe|escriba)\s+",
    r"(?:dis|dites|d[ée]clare[sz]?|affirme[sz]?|indique[sz]?|[ée]cri[st]|[ée]crivez)\s+",
    r"(?:d[ìi]|di['’]|dite|dichiara|dichiarate|afferma|affermate|indica|scrivi|scrivete)\s+",
    r"(?:diga|digam|declare|afirme|indique|escreva)\s+",
    r"(?:sag|sage|sagen\s+sie|erkl[äa]re|erkl[äa]ren\s+sie|behaupte|gib\s+an|geben\s+sie\s+an|schreib|schreibe)\s*,?\s+",
    "(?:скажи|скажите|заяви|заявите|укажи|укажите|напиши|напишите|утверждай|сообщи|сообщите)\\s*,?\\s+",
    "(?:скажи|скажіть|напиши|напишіть|вкажи|вкажіть)\\s*,?\\s+",
    "(?:قل|قولي|اذكر|صرّح|صرح|أعلن|اكتب)\\s+",
    "(?:बताएं|बताइए|बताओ|कहें|कहो|कहिए|लिखें|लिखो|घोषित\\s+करें)\\s+",
    "(?:বলুন|বলো|লিখুন|লেখো|ঘোষণা\\s+করুন)\\s+",
    r"(?:h[ãa]y\s+)?(?:n[óo]i|tuy[êe]n\s+b[ốo]|kh[ẳa]ng\s+đ[ịi]nh|vi[ếe]t|ghi)\s+",
    r"(?:katakan|nyatakan|tuliskan|sebutkan)\s+",
    r"(?:sabihin|isulat|ipahayag)\s+(?:mo\s+)?",
]
_SAY_THAT = [v + _alt(THAT) for v in _SAY_VERBS] + [
    '(?:说|說|声明|聲明|写|寫)(?:出)?(?:：|:)?\\s*["“「]',
    "(?:と(?:言って|述べて|書いて|答えて|宣言して))",
    "(?:라고\\s*(?:말해|말하|쓰|답해|선언해|명시해))",
    "(?:บอกว่า|ระบุว่า|เขียนว่า|พูดว่า)",
    r"(?:s[öo]yle|yaz|belirt|beyan\s+et)(?:in)?\s*[:\"“]",
    r"(?:oldu[ğg]unu|diye)\s+(?:s[öo]yle|yaz|belirt|beyan\s+et)(?:in|yin)?\b",
]

#: "... the following:" after say / print / state: the payload follows the colon.
_THE_FOLLOWING = [
    r"(?:di|dec[íi]|declara|imprime|escribe|indica)\s+lo\s+siguiente",
    r"(?:dites|dis|d[ée]clare[sz]?|affiche[sz]?|imprime[sz]?|[ée]cri[st]|[ée]crivez|indique[sz]?)\s+ce\s+qui\s+suit",
    r"(?:d[ìi]|dichiara|stampa|scrivi|indica)\s+(?:quanto\s+segue|(?:il\s+)?seguente)",
    r"(?:diga|declare|imprima|escreva|indique)\s+o\s+seguinte",
    r"(?:sag|sagen\s+sie|gib\s+aus|drucke|schreib|schreibe|erkl[äa]re)\s+(?:das\s+)?folgende",
    "(?:скажи|скажите|выведи|выведите|напиши|напишите|заяви|заявите|укажи|укажите)\\s+следующее",
    "(?:اطبع|قل|اكتب|اذكر|صرّح|صرح)\\s+(?:ما\\s+يلي|التالي)",
    "निम्नलिखित\\s+(?:बताएं|लिखें|प्रिंट|कहें|घोषित)",
    "নিম্নলিখিত\\s*(?:টি)?\\s+(?:বলুন|লিখুন|প্রিন্ট)",
    "(?:打印|输出|輸出|说出|說出|声明|聲明|写出|寫出)(?:以下|下面|如下)",
    "以下(?:を|の(?:内容|文)を)(?:出力|印刷|表示|述べ|言って|書いて)",
    "다음을\\s*(?:출력|인쇄|말해|명시|선언|작성)",
    r"(?:in|n[óo]i|tuy[êe]n\s+b[ốo]|vi[ếe]t)\s+(?:đi[ềe]u\s+)?sau\s+(?:đ[âa]y)?",
    r"(?:cetak|katakan|nyatakan|tuliskan)\s+(?:hal\s+)?berikut",
    r"(?:i-?print|sabihin|isulat|ipahayag)\s+(?:mo\s+)?ang\s+(?:sumusunod|susunod)",
    "(?:พิมพ์|ระบุ|พูด|เขียน)(?:ข้อความ)?(?:ต่อไปนี้|ดังนี้)",
    r"a[şs]a[ğg][ıi]dakileri\s+(?:s[öo]yle|yazd[ıi]r|yaz|belirt)",
]

#: "... instead": the new task replaces the operator's.
_INSTEAD = [
    r"en\s+su\s+lugar",
    r"en\s+lugar\s+de\s+(?:eso|esto|responder)",
    r"[àa]\s+la\s+place\s*[?.!]",
    r"au\s+lieu\s+de\s+(?:cela|[çc]a|r[ée]pondre)",
    r"invece\s*[?.!]",
    r"invece\s+di\s+rispondere",
    r"em\s+vez\s+disso",
    r"ao\s+inv[ée]s\s+disso",
    r"stattdessen\s*[?.!]",
    "вместо\\s+этого",
    "замість\\s+цього",
    r"bunun\s+yerine",
    "بدلاً\\s+من\\s+ذلك",
    "بدلا\\s+من\\s+ذلك",
    "इसके\\s+बजाय",
    "इसकी\\s+जगह",
    "এর\\s+পরিবর্তে",
    "(?:相反|反而)(?:，|,)?(?:请|你)",
    "代わりに",
    "대신(?:에)?\\s*(?:[,，]\\s*)?(?:\\S+\\s*){0,3}?(?:주세요|줘|해)",
    r"thay\s+v[àa]o\s+đ[óo]",
    r"sebagai\s+gantinya",
    r"sa\s+halip",
    "แทน(?:ที่จะ|นั้น)",
]

HIJACK = [
    # "ignore the function / webpage / resume and state ...": the operator's data disowned
    *_CONTEXT_DROPPED,
    # "... instead"
    *_INSTEAD,
    # "forget (about) that / all that" at a sentence start
    r"(?:^|[.!?:;\n]\s*)(?:olv[íi]da(?:te)?\s+(?:de\s+)?(?:eso|esto|todo\s+eso))",
    r"(?:^|[.!?:;\n]\s*)(?:oublie[zr]?\s+(?:[çc]a|cela|tout\s+[çc]a))",
    r"(?:^|[.!?:;\n]\s*)(?:dimentica(?:te)?\s+(?:questo|quello|tutto\s+ci[òo]))",
    r"(?:^|[.!?:;\n]\s*)(?:esque[çc]a\s+(?:isso|isto|tudo\s+isso))",
    "(?:^|[.!?:;\\n]\\s*)(?:забудь(?:те)?\\s+(?:об\\s+)?(?:этом|это|всё\\s+это|все\\s+это))",
    r"(?:^|[.!?:;\n]\s*)(?:bunu\s+unut)",
    "(?:^|[.!?:;\\n]\\s*)(?:انس(?:َ|ى)?\\s+(?:ذلك|هذا))",
    "(?:इसे|उसे|यह\\s+सब)\\s+भूल\\s+जा",
    "(?:इसके|उसके|इस|उस)\\s+(?:बारे\\s+में|बात\\s+को)\\s+भूल\\s+जा",
    "(?:এটা|ওটা|সেটা)\\s+ভুলে\\s+যা",
    "(?:忘了|忘掉|忘记)(?:这个|那个|這個|那個|这些|那些)",
    "(?:それ|これ)(?:は|を)忘れて",
    "(?:그건|그것은|그거)\\s*잊어",
    r"(?:^|[.!?:;\n]\s*)(?:qu[êe]n\s+(?:đi[ềe]u\s+)?(?:đ[óo]|chuy[ệe]n\s+đ[óo])\s+đi)",
    r"(?:^|[.!?:;\n]\s*)(?:lupakan\s+(?:itu|hal\s+itu|soal\s+itu))",
    r"(?:^|[.!?:;\n]\s*)(?:kalimutan\s+(?:mo\s+)?(?:na\s+)?(?:iyan|iyon|yan|yun))",
    "ลืม(?:เรื่อง)?(?:นั้น|นี้)(?:ไป)?",
    # "I know you said not to ...": the restriction acknowledged, then asked around
    r"s[ée]\s+que\s+(?:dijiste|me\s+dijiste|te\s+dijeron)\s+que\s+no",
    r"je\s+sais\s+que\s+(?:tu\s+as|vous\s+avez|on\s+t['’]a)\s+dit\s+de\s+ne\s+pas",
    r"so\s+che\s+(?:hai\s+detto|ti\s+hanno\s+detto)\s+di\s+non",
    r"(?:eu\s+)?sei\s+que\s+(?:voc[êe]\s+)?(?:disse|te\s+disseram)\s+(?:para\s+)?n[ãa]o",
    r"ich\s+wei[ßs]\s*,?\s+dass\s+(?:du|sie)\s+(?:gesagt\s+hast|gesagt\s+haben)",
    "я\\s+знаю\\s*,?\\s+что\\s+(?:ты|вы|тебе|вам)\\s+(?:сказал|сказали|велели|запретили)",
    r"(?:s[öo]yledi[ğg]ini|dedi[ğg]ini)\s+biliyorum",
    "أعلم\\s+أنك\\s+قلت",
    "मुझे\\s+(?:पता|मालूम)\\s+है\\s+कि\\s+(?:आपने|तुमने)\\s+(?:कहा|मना)",
    "আমি\\s+জানি\\s+(?:আপনি|তুমি)\\s+(?:বলেছিলেন|বলেছেন|বলেছিলে)",
    "(?:我知道|我明白)(?:你|您)(?:说过|說過|说了|說了)(?:不要|不能|别)",
    "(?:と言ったのは|と言われているのは|と言ったことは)(?:知って|分かって|わかって)",
    "(?:말라고|말라고\\s*한|안\\s*된다고)\\s*(?:한\\s*)?(?:건|것은|거)\\s*알",
    r"t[ôo]i\s+bi[ếe]t\s+(?:b[ạa]n|anh|ch[ịi])\s+(?:đ[ãa]\s+)?n[óo]i\s+(?:l[àa]\s+)?(?:kh[ôo]ng|đ[ừu]ng)",
    r"(?:aku|saya)\s+tahu\s+(?:kamu|anda)\s+(?:bilang|mengatakan|berkata)\s+(?:untuk\s+)?(?:tidak|jangan)",
    r"alam\s+kong\s+(?:sinabi\s+mo|sinabihan\s+ka)\s+na\s+huwag",
    "ฉันรู้ว่าคุณ(?:บอก|พูด)ว่า(?:ไม่|ห้าม|อย่า)",
]

#: A say / state / print verb with the dictated text after a colon ("declara: ...").
_SAY_COLON = [
    r"(?:di|dec[íi]|declara|declare|afirma|indica|escribe|imprime|responde)",
    r"(?:dis|dites|d[ée]clare[sz]?|affirme[sz]?|indique[sz]?|[ée]cri[st]|[ée]crivez|affiche[sz]?|r[ée]ponds|r[ée]pondez)",
    r"(?:d[ìi]|dichiara|afferma|indica|scrivi|stampa|rispondi)",
    r"(?:diga|declare|afirme|indique|escreva|imprima|responda)",
    r"(?:sag|sage|sagen\s+sie|erkl[äa]re|gib\s+an|schreib|schreibe|antworte)",
    "(?:скажи|скажите|заяви|заявите|укажи|укажите|напиши|напишите|выведи|выведите|ответь|ответьте)",
    "(?:قل|اذكر|صرّح|صرح|اكتب|اطبع|أجب)",
    "(?:बताएं|बताइए|कहें|कहो|लिखें|लिखो|घोषित\\s+करें)",
    "(?:বলুন|বলো|লিখুন|ঘোষণা\\s+করুন)",
    r"(?:n[óo]i|tuy[êe]n\s+b[ốo]|vi[ếe]t|in\s+ra|tr[ảa]\s+l[ờo]i)",
    r"(?:katakan|nyatakan|tuliskan|cetak|jawab)",
    r"(?:sabihin|isulat|ipahayag|sumagot)",
    r"(?:s[öo]yle|yaz|belirt|beyan\s+et|yan[ıi]tla)",
]

SAY_FIXED = [
    *_SAY_THAT,
    *_THE_FOLLOWING,
    # the colon is the tell: "... y declara: <text>"; no sentence-start group (it was read
    # at every " e " / " et " of prose, a fifth of the category's cost)
    r"(?:^|[\s\"'«“(])" + _alt(_SAY_COLON) + r"\s*:",
]

#: Another form for the secret (only weighed in the pair with `GUARDED`).
TRANSFORM = [
    r"poema",
    r"poes[íi]a",
    r"po[èe]me",
    r"poesia",
    r"gedicht",
    r"ha[iï]ku",
    r"acr[óo]stic",
    r"acrostiche",
    r"akrostichon",
    r"cuento",
    r"histoire",
    r"storia",
    r"hist[óo]ria",
    r"geschichte",
    r"canci[óo]n",
    r"chanson",
    r"canzone",
    r"can[çc][ãa]o",
    r"traduc",
    r"tradui",
    r"tradu[zc]",
    r"[üu]bersetz",
    r"leetspeak",
    "стих",
    "хайку",
    "акростих",
    "рассказ",
    "истори",
    "песн",
    "перевед",
    "переведи",
    r"[şs]iir",
    r"hikaye",
    r"[şs]ark[ıi]",
    r"[çc]evir",
    "قصيدة",
    "هايكو",
    "قصة",
    "أغنية",
    "ترجم",
    "कविता",
    "हाइकू",
    "कहानी",
    "गीत",
    "अनुवाद",
    "কবিতা",
    "হাইকু",
    "গল্প",
    "গান",
    "অনুবাদ",
    "诗",
    "詩",
    "俳句",
    "故事",
    "歌",
    "翻译",
    "翻譯",
    "物語",
    "翻訳",
    "시를",
    "하이쿠",
    "이야기",
    "노래",
    "번역",
    r"b[àa]i\s+th[ơo]",
    r"truy[ệe]n",
    r"b[àa]i\s+h[áa]t",
    r"(?:b[ảa]n\s+)?d[ịi]ch\s+(?:sang|ra)",
    r"puisi",
    r"cerita",
    r"lagu",
    r"terjemah",
    r"tula",
    r"kuwento",
    r"kanta",
    r"isalin",
    "บทกวี",
    "กลอน",
    "ไฮกุ",
    "เรื่องสั้น",
    "เพลง",
    "แปล",
]


def _bounded(fragments: list[str]) -> list[str]:
    """A leading `\\b` for a fragment that opens with a group whose first word is Latin
    (`cue_lexicon._b` only sees a fragment's first character): "sage:" must not match in
    "usage:". Non-Latin fragments get none (RE2's `\\b` is ASCII)."""
    out = []
    for f in fragments:
        head = f[3:4] if f.startswith("(?:") else ""
        out.append((r"\b" + f) if head.isascii() and head.isalpha() else f)
    return out


#: Category -> fragments, merged by `cue_lexicon` into the categories of the same name.
CATEGORIES: dict[str, list[str]] = {
    "OTHER_DATA": _bounded(OTHER_DATA),
    "SECRET_ASK": _bounded(SECRET_ASK),
    "GUARDED": _bounded(GUARDED),
    "HIJACK": _bounded(HIJACK),
    "SAY_FIXED": _bounded(SAY_FIXED),
    "TRANSFORM": _bounded(TRANSFORM),
}
