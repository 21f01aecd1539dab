"""The prompt-cue lexicon: what attacks on a model's instructions say, in 24 languages.

Written from knowledge of how prompt injections and jailbreaks work (OWASP LLM01, the
published jailbreak taxonomies: override, prompt leaking, persona "without limits",
virtualisation, response-format coercion, fake authority, encoding to evade), never from
the evaluation rows. Each category is a list of RE2 fragments matched case-insensitively on
normalised text; a fragment that starts with an ASCII letter gets a leading word boundary
(`\\b` is ASCII in RE2, so non-Latin fragments are stems without one). Languages: English,
Spanish, French, German, Italian, Portuguese, Dutch, Swedish, Romanian, Polish, Czech,
Russian, Ukrainian, Turkish, Greek, Arabic, Persian, Hebrew, Hindi, Bengali, Chinese,
Japanese, Korean, Vietnamese, Indonesian, Thai.

A category alone is weak evidence (a question about passwords names a secret; a persona
prompt says "act as"); the stage's logistic head weighs categories and their pairs.
"""

from __future__ import annotations

import unicodedata

from keepgate.input_guards import cue_game as _game
from keepgate.input_guards import cue_hijack as _hijack
from keepgate.input_guards import cue_hijack_intl as _hijack_intl
from keepgate.input_guards import cue_howto as _howto
from keepgate.input_guards import cue_setup as _setup
from keepgate.input_guards import cue_jailbreak as _jailbreak
from keepgate.input_guards import cue_jailbreak_intl as _jailbreak_intl
from keepgate.input_guards import cue_lexicon_intl as intl

#: Gap allowed between the parts of a phrase cue ("ignore ... instructions").
GAP = r"[^.!?。！？\n]{0,48}?"

# -- word classes used inside the phrase cues ------------------------------------------------

OVERRIDE_VERBS = [
    # en
    r"ignor(?:e|ing)",
    r"disregard",
    r"forget",
    r"overrid(?:e|ing)",
    r"bypass",
    r"skip",
    r"drop",
    r"abandon",
    r"discard",
    r"throw\s+away",
    r"set\s+aside",
    r"pay\s+no\s+attention\s+to",
    r"do\s+not\s+follow",
    r"don't\s+follow",
    r"stop\s+following",
    r"no\s+longer\s+follow",
    # es / pt / it / fr / ro
    r"ignor[ae]",
    r"ignorad?",
    r"ignorar",
    r"ignore[zr]",
    r"olvid[ae]",
    r"olvidar",
    r"omit[ae]",
    r"esque[çc]a",
    r"esquecer",
    r"desconsider[ae]",
    r"dimentica(?:te)?\b",
    r"oublie[zr]?",
    r"n[ée]glige[zr]?",
    r"ignor[ăa]",
    r"uit[ăa]",
    r"nu\s+mai\s+urma",
    # de / nl / sv
    r"ignorier",
    r"vergiss",
    r"vergessen",
    r"missachte",
    r"übergeh",
    r"negeer",
    r"vergeet",
    r"strunta\s+i",
    r"ignorera",
    r"glöm",
    # pl / cs
    r"zignoruj",
    r"ignoruj",
    r"zapomnij",
    r"pomiń",
    r"zapomeň",
    r"ignoruj(?:te)?",
    # ru / uk
    "игнорир",
    "проигнорир",
    "забудь",
    "забудьте",
    "не\\s+обращай",
    "пропусти",
    "ігнору",
    "забудь",
    # tr / el
    r"yok\s+say",
    "görmezden\\s+gel",
    r"unut(?:un)?\b",
    "αγνόησ",
    "ξέχασ",
    # ar / fa / he
    "تجاهل",
    "انسَ",
    "نادیده\\s+بگیر",
    "فراموش\\s+کن",
    "התעלם",
    "שכח",
    # hi / bn
    "अनदेखा",
    "नज़रअंदाज़",
    "नजरअंदाज",
    "भूल\\s+जा",
    "उपेक्षा",
    "ভুলে\\s+যা",
    # zh / ja / ko
    "忽略",
    "忽视",
    "無視",
    "无视",
    "忘记",
    "忘記",
    "不要理会",
    "무시",
    "잊어",
    # vi / id / th
    r"b[ỏo]\s+qua",
    r"qu[êe]n\s+đi",
    r"abaikan",
    r"lupakan",
    "เพิกเฉย",
    "ลืม",
    "ไม่ต้องสนใจ",
]

INSTRUCTION_NOUNS = [
    r"instructions?",
    r"prompts?",
    r"rules",
    r"guidelines",
    r"directives?",
    r"directions",
    r"commands",
    r"orders",
    r"constraints",
    r"restrictions",
    r"programming",
    r"guardrails",
    r"instrucci[óo]n(?:es)?",
    r"indicaciones",
    r"reglas",
    r"[óo]rdenes",
    r"instru[çc][õo]es",
    r"regras",
    r"istruzion[ei]",
    r"regole",
    r"consignes",
    r"r[èe]gles",
    r"instruc[țt]iuni",
    r"reguli",
    r"anweisungen",
    r"regeln",
    r"vorgaben",
    r"befehle",
    r"instructies",
    r"regels",
    r"instruktioner",
    r"regler",
    r"instrukcj[ei]",
    r"polecenia",
    r"zasady",
    r"pokyny",
    r"instrukce",
    r"pravidla",
    "инструкци",
    "указани",
    "правила",
    "команды",
    "інструкці",
    "вказівк",
    r"talimat",
    r"kurallar",
    "οδηγίες",
    "κανόνες",
    "التعليمات",
    "تعليمات",
    "الأوامر",
    "القواعد",
    "دستورالعمل",
    "قوانین",
    "הוראות",
    "כללים",
    "निर्देश",
    "नियम",
    "নির্দেশ",
    "নিয়ম",
    "指令",
    "指示",
    "说明",
    "說明",
    "规则",
    "規則",
    "命令",
    "ルール",
    "지시",
    "지침",
    "명령",
    "규칙",
    r"h[ưu][ớo]ng\s+d[ẫa]n",
    r"ch[ỉi]\s+d[ẫa]n",
    r"quy\s+t[ắa]c",
    r"instruksi",
    r"perintah",
    r"aturan",
    "คำสั่ง",
    "กฎ",
]

PRIOR_WORDS = [
    r"previous",
    r"prior",
    r"above",
    r"earlier",
    r"preceding",
    r"original",
    r"initial",
    r"old",
    r"all\s+(?:the\s+)?(?:previous|prior|your)",
    r"anteriores?",
    r"previas?",
    r"precedentes?",
    r"pr[ée]c[ée]dentes?",
    r"ant[ée]rieures?",
    r"ci-dessus",
    r"precedenti",
    r"anteriori",
    r"acima",
    r"sopra",
    r"vorherigen?",
    r"bisherigen?",
    r"obigen?",
    r"vorigen?",
    r"fr[üu]heren?",
    r"vorige",
    r"voorgaande",
    r"eerdere",
    r"tidigare",
    r"ovanstående",
    r"anterioare",
    r"poprzednie",
    r"wcześniejsze",
    r"předchozí",
    "предыдущ",
    "прежн",
    "вышеуказанн",
    "попередн",
    r"önceki",
    r"yukar[ıi]daki",
    "προηγούμεν",
    "السابقة",
    "أعلاه",
    "قبلی",
    "הקודמות",
    "पिछले",
    "पूर्व",
    "আগের",
    "পূর্ববর্তী",
    "之前",
    "以上",
    "上面",
    "先前",
    "上述",
    "以前",
    "事前",
    "上記",
    "これまで",
    "이전",
    "앞의",
    "위의",
    "기존",
    r"tr[ưu][ớo]c\s+đ[óo]",
    r"sebelumnya",
    "ก่อนหน้า",
    "ข้างต้น",
]


# More languages and moves (`cue_lexicon_intl`): Filipino, Finnish, Hungarian, Danish /
# Norwegian, and the override / leak forms the lists above miss in the others.
OVERRIDE_VERBS = OVERRIDE_VERBS + intl.OVERRIDE_VERBS
INSTRUCTION_NOUNS = INSTRUCTION_NOUNS + intl.INSTRUCTION_NOUNS
PRIOR_WORDS = PRIOR_WORDS + intl.PRIOR_WORDS
#: English verbs that also name ordinary acts on *other* things: skip the steps above, bypass
#: the two-factor prompt, override user constraints in a config, drop the rules of a game.
_AMBIGUOUS_VERBS = {
    r"skip",
    r"drop",
    r"abandon",
    r"discard",
    r"throw\s+away",
    r"set\s+aside",
    r"bypass",
    r"overrid(?:e|ing)",
    r"pass\s+por\s+alto",
}
#: Verbs that drop "the above" ("ignore the above and say ..."): not skip / drop / bypass,
#: which a README says of the steps above.
_ABOVE_VERBS = [v for v in OVERRIDE_VERBS if v not in _AMBIGUOUS_VERBS]


def _b(f: str) -> str:
    """A leading word boundary for a fragment that starts with an ASCII letter."""
    return (r"\b" + f) if f[:1].isascii() and f[:1].isalpha() else f


def _alt(words: list[str]) -> str:
    return "(?:" + "|".join(_b(w) for w in words) + ")"


#: An ambiguous verb overrides only the model's own or the earlier instructions: "bypass your
#: restrictions", "override all previous instructions", not "bypass the two-factor prompt".
_AMBIGUOUS_OVERRIDE = (
    _alt(sorted(_AMBIGUOUS_VERBS & set(OVERRIDE_VERBS)))
    + r"\s+(?:(?:all|any)\s+(?:of\s+)?)?(?:your\s+(?:\w+\s+)?|(?:the\s+)?"
    + _alt(PRIOR_WORDS)
    + r"\s+(?:(?:system|safety|ai|model)\s+)?)"
    + _alt(INSTRUCTION_NOUNS)
)


#: Category -> RE2 fragments. Phrase cues (`OVERRIDE`) are built from the word classes.
CATEGORIES: dict[str, list[str]] = {
    # "ignore/forget ... (previous) instructions", either order (SOV languages put the verb last).
    "OVERRIDE": [
        _alt(_ABOVE_VERBS) + GAP + _alt(INSTRUCTION_NOUNS),
        _AMBIGUOUS_OVERRIDE,
        _alt(PRIOR_WORDS) + GAP + _alt(INSTRUCTION_NOUNS) + GAP + _alt(OVERRIDE_VERBS),
        # "forget what *you* were told", not "forget what *I* said" (the writer retracting)
        r"(?:ignore|disregard|forget)\s+(?:all|everything|anything)\b",
        r"(?:ignore|disregard|forget)\s+what\s+(?:you|was|were|has|had|came|is\s+above)\b",
        r"(?:ignora|olvida)\s+todo",
        r"(?:ignore[zr]?|oublie[zr]?)\s+tout",
        r"(?:ignoriere|vergiss)\s+alles",
        r"(?:игнорируй|забудь)(?:те)?\s+вс[её]",
        "(?:忽略|无视|忘记|忘記)(?:以上|上面|之前|所有|一切)",
        r"(?:abaikan|lupakan)\s+(?:semua|segala)",
        r"(?:ignora|dimentica)\s+tutto",
        _alt(_ABOVE_VERBS) + intl.SHORT_GAP + _alt(intl.ABOVE),
        _alt(intl.ABOVE) + intl.SHORT_GAP + _alt(intl.SOV_VERBS),
        _alt(intl.SOV_NOUNS) + intl.SHORT_GAP + _alt(intl.SOV_VERBS),
        *intl.OVERRIDE,
    ],
    # Every OVERRIDE match contains an OVERRIDE_VERB match (`REQUIRES`): the verb-final verbs
    # and the verb-less override phrases ("regardless of the previous tasks") are in it too.
    "OVERRIDE_VERB": OVERRIDE_VERBS + intl.SOV_VERBS + intl.OVERRIDE,
    "PRIOR": PRIOR_WORDS,
    "INSTRUCTIONS": INSTRUCTION_NOUNS,
    # References to the hidden set-up: the system prompt, your instructions, what you were told.
    "SYSTEM_REF": [
        r"system\s*(?:prompt|message|instructions?|rules)",
        r"(?:initial|original|hidden|secret|pre-?)\s*prompt",
        r"your\s+(?:instructions|rules|guidelines|programming|prompt|directives|system|training|creators?|developers?|initial)",
        r"(?:what|everything)\s+you\s+(?:were|have\s+been)\s+(?:told|given|instructed)",
        r"(?:text|words|everything)\s+above",
        r"above\s+(?:text|prompt|this\s+line)",
        r"tus\s+instrucciones",
        r"tus\s+reglas",
        r"suas\s+instru[çc][õo]es",
        r"le\s+tue\s+istruzioni",
        r"tes\s+instructions",
        r"vos\s+instructions",
        r"deine\s+anweisungen",
        r"ihre\s+anweisungen",
        r"je\s+instructies",
        r"twoje\s+instrukcje",
        r"tvoje\s+pokyny",
        "твои\\s+инструкции",
        "ваши\\s+инструкции",
        "системн\\S*\\s+(?:промпт|подсказк|сообщени|инструкци)",
        r"sistem\s+(?:istemi|talimat)",
        r"talimatlar[ıi]n",
        "تعليماتك",
        "موجه\\s+النظام",
        "دستورالعمل\\S*\\s+سیستم",
        "הנחיות\\s+המערכת",
        "सिस्टम\\s+प्रॉम्प्ट",
        "आपके\\s+निर्देश",
        "系统提示",
        "系統提示",
        "系统指令",
        "你的指令",
        "你的指示",
        "システムプロンプト",
        "あなたの指示",
        "시스템\\s*프롬프트",
        "당신의\\s*지시",
        r"l[ờo]i\s+nh[ắa]c\s+h[ệe]\s+th[ốo]ng",
        r"prompt\s+sistem",
        r"(?:prompt|mensaje|messaggio|message)\s+(?:del?\s+)?(?:sistema|syst[èe]me)",
        r"systemprompt",
    ],
    # Secrets a prompt-leak or exfiltration goes for.
    "SECRET": [
        r"passwords?",
        r"pass\s?phrase",
        r"pass\s?code",
        r"secret",
        r"api[\s_-]?keys?",
        r"access\s+codes?",
        r"credentials?",
        r"confidential",
        r"private\s+key",
        r"code\s*word",
        r"pin\s+code",
        r"contrase[ñn]a",
        r"clave",
        r"secret[oa]",
        r"senha",
        r"segredo",
        r"password",
        r"parola\s+d'ordine",
        r"mot\s+de\s+passe",
        r"secr[eè]t",
        r"passwort",
        r"kennwort",
        r"geheim",
        r"wachtwoord",
        r"lösenord",
        r"hasł[oa]",
        r"sekret",
        r"heslo",
        r"tajn",
        r"parol[ăa]",
        "пароль",
        "секрет",
        "ключ",
        r"şifre",
        r"gizli",
        "κωδικ",
        "μυστικ",
        "كلمة\\s+(?:السر|المرور)",
        "السري",
        "رمز\\s+عبور",
        "کلید",
        "סיסמה",
        "סוד",
        "पासवर्ड",
        "गुप्त",
        "कुंजी",
        "পাসওয়ার্ড",
        "গোপন",
        "密码",
        "密碼",
        "秘密",
        "密钥",
        "密鑰",
        "パスワード",
        "秘密の",
        "비밀번호",
        "비밀",
        "암호",
        r"m[ậa]t\s+kh[ẩa]u",
        r"b[íi]\s+m[ậa]t",
        r"kata\s+sandi",
        r"rahasia",
        "รหัสผ่าน",
        "ความลับ",
    ],
    # Reveal / print / repeat / spell out.
    "REVEAL": [
        r"reveal",
        r"disclose",
        r"leak",
        r"print",
        r"repeat",
        r"spell",
        r"output",
        r"display",
        r"expose",
        r"tell\s+me",
        r"show\s+me",
        r"write\s+(?:out|down)",
        r"give\s+me",
        r"share\s+(?:with\s+me|your)",
        r"what\s+(?:is|was|are)\s+(?:the|your)",
        r"verbatim",
        r"word\s+for\s+word",
        r"revela",
        r"dime",
        r"mu[ée]strame",
        r"repite",
        r"imprime",
        r"divulga",
        r"r[ée]v[èe]le",
        r"dis-moi",
        r"montre",
        r"r[ée]p[èe]te",
        r"affiche",
        r"rivela",
        r"dimmi",
        r"mostra",
        r"ripeti",
        r"stampa",
        r"revele",
        r"diga-me",
        r"mostre",
        r"repita",
        r"verr[äa]t",
        r"sag\s+mir",
        r"zeig",
        r"wiederhol",
        r"gib\s+(?:mir|aus)",
        r"onthul",
        r"vertel",
        r"herhaal",
        r"avslöja",
        r"upprepa",
        r"ujawnij",
        r"powiedz",
        r"pokaż",
        r"powtórz",
        r"prozraď",
        r"řekni",
        r"zopakuj",
        r"dezv[ăa]lui",
        r"spune-mi",
        "раскрой",
        "скажи",
        "покажи",
        "повтори",
        "выведи",
        "напиши",
        "розкрий",
        "скажи",
        r"söyle",
        r"göster",
        r"tekrarla",
        r"a[çc][ıi]kla",
        "αποκάλυψ",
        "πες\\s+μου",
        "δείξε",
        "اكشف",
        "أخبرني",
        "كرر",
        "اطبع",
        "فاش",
        "بگو",
        "تکرار",
        "חשוף",
        "ספר\\s+לי",
        "חזור",
        "बताओ",
        "बताएं",
        "बताइए",
        "दोहराएं",
        "प्रकट",
        "বলুন",
        "প্রকাশ",
        "告诉我",
        "告訴我",
        "透露",
        "泄露",
        "重复",
        "打印",
        "输出",
        "显示",
        "教えて",
        "繰り返",
        "表示して",
        "出力",
        "알려",
        "말해",
        "공개",
        "반복",
        "출력",
        r"ti[ếe]t\s+l[ộo]",
        r"cho\s+t[ôo]i\s+bi[ếe]t",
        r"l[ặa]p\s+l[ạa]i",
        r"beritahu",
        r"ungkapkan",
        r"ulangi",
        r"tampilkan",
        "บอก",
        "เปิดเผย",
        "ทวน",
        # "what is your / the ..." questions, the plainest way to ask for a secret
        r"cu[áa]l\s+es\s+(?:tu|su|el|la)",
        r"quel(?:le)?\s+est\s+(?:ton|ta|votre|le|la)",
        r"qual\s+(?:[èée]|era)\s+(?:il|la|o|a|tua|sua|seu)",
        r"was\s+ist\s+(?:dein|ihr|das|der|die)",
        r"wie\s+lautet",
        r"wat\s+is\s+(?:je|jouw|het|de)",
        r"vad\s+är\s+(?:ditt|din|det)",
        r"jak(?:ie|i|a)\s+jest",
        r"jak[ée]\s+je",
        r"какой\s+(?:твой|ваш|у\s+тебя)",
        r"какое\s+(?:твое|ваше)",
        r"яки[йм]\s+(?:твій|ваш)",
        r"(?:şifren|anahtar[ıi]n)",
        r"ποιος\s+είναι",
        r"ما\s+(?:هو|هي)",
        "چیست",
        r"מה\s+(?:הוא|היא|ה)",
        r"क्या\s+है",
        r"কী\s+(?:ছিল|হয়|আছে)|কি\s+ছিল",
        "是什么",
        "是什麼",
        "は何",
        "무엇입니까|뭐야|무엇인가요",
        r"l[àa]\s+g[ìi]",
        r"apa\s+(?:itu|kata)",
        "คืออะไร",
    ],
    # A persona without limits: DAN, developer mode, "no restrictions", "you are free".
    "UNLIMITED": [
        r"(?-i:DAN)\b",
        r"do\s+anything\s+now",
        r"developer\s+mode",
        r"dev\s+mode",
        r"god\s+mode",
        r"jailbroken",
        r"jailbreak\s+(?:mode|enabled|activated|version|persona)",
        r"\[\s*jailbreak",
        r"unfiltered",
        r"uncensored",
        r"unrestricted\s+(?:mode|ai\b|assistant|version|persona|chatbot|model|access\s+to\s+(?:all|any|every))",
        r"you\s+are\s+(?:now\s+)?unrestricted",
        r"no\s+(?:restrictions|limits|limitations|filters?|rules|boundaries|censorship|guidelines|ethics|morals?)",
        r"without\s+(?:any\s+)?(?:restrictions|limits|limitations|filters?|rules|censorship|ethics|morals?)",
        r"free\s+(?:from|of)\s+(?:all\s+|any\s+)?(?:restrictions|rules|limitations|constraints|censorship)",
        r"you\s+are\s+(?:now\s+)?free",
        r"broken\s+free",
        r"eres\s+libre",
        r"libre\s+de\s+(?:toda|cualquier|todas|toute|tout)",
        r"tu\s+es\s+libre",
        r"sei\s+libero",
        r"du\s+bist\s+frei",
        r"frei\s+von\s+(?:allen|jeglichen)",
        r"voc[êe]\s+[ée]\s+livre",
        "свобод\\S*\\s+от",
        "ты\\s+свобод",
        "你是自由的",
        "自由になった",
        r"özgürsün",
        r"kamu\s+bebas",
        r"not\s+bound\s+by",
        r"amoral",
        r"no\s+(?:ethical|moral)",
        r"(?:content|usage|openai)\s+polic(?:y|ies)",
        r"evil\s+(?:ai|assistant|bot|confidant)",
        r"anti-?(?:gpt|dan)",
        r"sin\s+(?:restricciones|l[íi]mites|filtros|reglas|censura)",
        r"sem\s+(?:restri[çc][õo]es|limites|filtros|regras)",
        r"sans\s+(?:restrictions|limites|filtres?|r[èe]gles|censure)",
        r"senza\s+(?:restrizioni|limiti|filtri|regole|censura)",
        r"ohne\s+(?:einschränkungen|grenzen|filter|regeln|zensur)",
        r"zonder\s+(?:beperkingen|grenzen|filters|regels)",
        r"utan\s+(?:begränsningar|regler|filter)",
        r"bez\s+(?:ograniczeń|omezení|filtrów|cenzury|pravidel)",
        r"f[ăa]r[ăa]\s+(?:restric[țt]ii|limite|reguli)",
        "без\\s+(?:ограничен|правил|фильтр|цензур|обмежен)",
        r"s[ıi]n[ıi]rs[ıi]z",
        r"k[ıi]s[ıi]tlama\s+olmadan",
        "χωρίς\\s+(?:περιορισμ|κανόνες|φίλτρα)",
        "بدون\\s+(?:قيود|حدود|قواعد|رقابة|محدودیت)",
        "בלי\\s+(?:הגבלות|כללים)",
        "ללא\\s+(?:הגבלות|כללים)",
        "बिना\\s+(?:किसी\\s+)?(?:प्रतिबंध|सीमा|नियम)",
        "কোন(?:ো)?\\s+(?:বিধিনিষেধ|সীমা)",
        "没有任何限制",
        "没有限制",
        "不受限制",
        "無限制",
        "沒有限制",
        "开发者模式",
        "開發者模式",
        "制限なし",
        "制限のない",
        "開発者モード",
        "제한\\s*없",
        "제약\\s*없",
        "개발자\\s*모드",
        r"kh[ôo]ng\s+(?:c[óo]\s+)?gi[ớo]i\s+h[ạa]n",
        r"tanpa\s+(?:batasan|batas|aturan|sensor)",
        "ไม่มีข้อจำกัด",
        "โหมดนักพัฒนา",
    ],
    # Persistent role change: "from now on", "you are now", "stay in character", "pretend".
    "FROM_NOW_ON": [
        r"from\s+now\s+on",
        r"hence\s*forth",
        r"for\s+the\s+rest\s+of\s+(?:this|the)\s+conversation",
        r"you\s+are\s+now",
        r"you\s+will\s+now",
        r"you\s+(?:will|shall)\s+(?:now\s+|always\s+)?(?:behave|pretend)",
        r"stay\s+in\s+character",
        r"break(?:ing)?\s+character",
        r"remain\s+in\s+character",
        r"pretend\s+(?:to\s+be|you\s+are|that)",
        r"act\s+as\s+(?:if|though)",
        r"roleplay",
        r"role-play",
        r"simulat(?:e|ing)\s+(?:being\s+)?(?:an?\s+)?(?:(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral)\b|\w+\s+mode\b|chatgpt|dan\b)",
        r"new\s+(?:persona|role|identity|instructions|task|rules|objective)",
        r"a\s+partir\s+de\s+ahora",
        r"de\s+ahora\s+en\s+adelante",
        r"ahora\s+eres",
        r"a\s+partir\s+de\s+agora",
        r"agora\s+voc[êe]\s+[ée]",
        r"d[ée]sormais",
        r"[àa]\s+partir\s+de\s+maintenant",
        r"tu\s+es\s+maintenant",
        r"d'ora\s+in\s+poi",
        r"da\s+ora\s+in\s+poi",
        r"ora\s+sei",
        r"ab\s+(?:jetzt|sofort)",
        r"von\s+nun\s+an",
        r"du\s+bist\s+(?:jetzt|nun)",
        r"vanaf\s+nu",
        r"je\s+bent\s+nu",
        r"från\s+och\s+med\s+nu",
        r"od\s+teraz",
        r"teraz\s+jeste[śs]",
        r"od\s+te[ďd]",
        r"de\s+acum\s+(?:[îi]nainte)?",
        "отныне",
        "с\\s+этого\\s+момента",
        "теперь\\s+ты",
        "тепер\\s+ти",
        "відтепер",
        r"bundan\s+sonra",
        r"art[ıi]k\s+sen",
        "από\\s+τώρα",
        "من\\s+الآن\\s+فصاعد",
        "أنت\\s+الآن",
        "از\\s+این\\s+به\\s+بعد",
        "מעכשיו",
        "अब\\s+से",
        "अब\\s+आप",
        "এখন\\s+থেকে",
        "从现在开始",
        "從現在開始",
        "你现在是",
        "你現在是",
        "今から",
        "これから(?:は|あなた)",
        "あなたは今",
        "지금부터",
        "이제부터",
        "이제\\s*당신은",
        r"t[ừu]\s+b[âa]y\s+gi[ờo]",
        r"mulai\s+sekarang",
        r"sekarang\s+kamu",
        "ตั้งแต่นี้",
        "ต่อจากนี้",
    ],
    # Coercing the form of the reply (jailbreak templates and payload delivery).
    "FORMAT": [
        r"(?:start|begin)\s+(?:your|each|every)\s+(?:reply|response|answer|message|output)\s+with",
        r"(?:respond|reply|answer)\s+(?:only\s+)?with\s+(?:only\s+)?(?:yes|no|the\s+word|one\s+word|\")",
        r"(?:only|just)\s+(?:respond|reply|answer|say|output|print)",
        r"say\s+(?:only|nothing\s+but|exactly)",
        r"two\s+(?:different\s+)?(?:responses|answers|paragraphs)",
        r"(?:normal|classic)\s+and\s+(?:jailbroken|dan)",
        r"\[\s*(?:jailbreak|🔓|🔒|classic|dan|gpt)",
        r"responde\s+(?:solo|solamente|[úu]nicamente)",
        r"r[ée]ponds\s+(?:seulement|uniquement)",
        r"rispondi\s+solo",
        r"antworte\s+nur",
        r"responda\s+apenas",
        "отвечай\\s+только",
        "只回答",
        "只输出",
        "だけ(?:答え|出力)",
        "만\\s*답",
    ],
    # Refusal suppression (never refuse, no warnings, always comply): the move that turns a
    # persona into a jailbreak.
    "NO_REFUSAL": [
        r"(?:never|don't|do\s+not|must\s+not|cannot|can't|won't|will\s+not)\s+(?:ever\s+)?(?:refuse|decline|deny|reject)",
        r"(?:never|don't|do\s+not)\s+(?:apologi[sz]e|say\s+(?:no|sorry|you\s+can't|that\s+you\s+can't)|warn)",
        r"no\s+(?:disclaimers?|warnings?|apolog\w*|refusals?|moral\w*\s+lectur\w*)",
        # "without warning" is an idiom; "without any warnings / disclaimers" the suppression
        r"without\s+(?:any\s+)?(?:disclaimers?|warnings|apolog\w*|refus\w*|hesitat\w*|question\w*\s+asked)",
        r"without\s+any\s+warning",
        # "never mention that you are an AI / the law", not "never mention the price"
        r"never\s+(?:mention|remind\s+(?:me|the\s+user|users|anyone))\s+(?:of\s+|about\s+)?(?:that\s+)?(?:you\b|it\s+is\s+(?:illegal|unethical|harmful|dangerous)|(?:the\s+)?(?:rules|law|legality|ethics|morality|consequences|dangers?|risks?|policy|policies|guidelines))",
        r"never\s+add\s+(?:a\s+|any\s+)?(?:warnings?|disclaimers?)",
        # "must comply", "always answer every question": not "you will respond with the output"
        # (how a persona prompt sets the form of the reply)
        r"(?:must|will|shall)\s+(?:always\s+)?(?:comply|obey)",
        r"(?:must|will\s+always|always)\s+(?:answer|respond|reply)\s+(?:to\s+)?(?:any|every|all|each|no\s+matter|regardless|without|whatever|everything|anything)\b",
        r"answer\s+(?:any|every|all)\s+(?:question|request|prompt)",
        r"(?:regardless|irrespective)\s+of\s+(?:how|whether|legality|ethics|morality)",
        r"even\s+if\s+(?:it\s+is|it's)\s+(?:illegal|unethical|harmful|immoral|dangerous)",
        r"nunca\s+(?:te\s+)?(?:niegues|rechaces|rechace|recuse)",
        r"sin\s+(?:advertencias|negarte)",
        r"ne\s+refuse\s+jamais",
        r"sans\s+(?:avertissement|refus)",
        r"non\s+rifiutare\s+mai",
        r"senza\s+avvertimenti",
        r"niemals\s+ablehnen",
        r"lehne\s+(?:nie|niemals)",
        r"ohne\s+warnungen",
        r"никогда\s+не\s+отказыва",
        r"без\s+предупреждени",
        "不要拒绝",
        "永远不要拒绝",
        "不得拒绝",
        "断らない",
        "拒否しない",
        "거절하지",
        "거부하지",
        r"لا\s+ترفض",
        r"asla\s+reddetme",
        r"jangan\s+(?:pernah\s+)?menolak",
        r"kh[ôo]ng\s+(?:bao\s+gi[ờo]\s+)?t[ừu]\s+ch[ốo]i",
    ],
    # Fake authority and system markers.
    "AUTHORITY": [
        r"\[\s*(?:system|admin|sys|instruction)s?\s*\]",
        r"<\|?(?:im_start|system|endoftext|im_end)",
        r"(?m:^\s*(?:system|admin|developer|root)\s*:)",
        r"###\s*(?:system|instruction|new\s+instructions?)",
        r"(?:i\s+am|i'm)\s+(?:your|the)\s+(?:developer|creator|admin|administrator|owner|programmer|supervisor)",
        r"admin(?:istrator)?\s+(?:mode|access|override|privileges)",
        r"(?:enter(?:ing|ed)?|enabl(?:e|ed|ing)|activat(?:e|ed|ing)|switch(?:ed|ing)?\s+(?:in)?to|(?:are|you're|now)\s+(?:now\s+)?in|is\s+now\s+in)\s+(?:the\s+)?(?:debug|maintenance|test|diagnostic|sudo|root|admin|god)\s+mode",
        r"(?:debug|maintenance|diagnostic|sudo|root|god)\s+mode\s+(?:is\s+)?(?:now\s+)?(?:on|enabled|activated|engaged|unlocked)",
        r"<\s*(?:debug|maintenance|god|admin|sudo|root)\s+mode\s*>",
        r"override\s+(?:code|mode|protocol)",
        r"authori[sz](?:ed|ation)\s+(?:code|override|request)",
        r"system\s+(?:override|update|alert|notice)",
        r"security\s+(?:clearance|override)",
        r"openai\s+(?:team|staff|employee)",
        r"anthropic\s+(?:team|staff)",
        r"end\s+of\s+(?:prompt|instructions|system)",
        r"modo\s+(?:administrador|desarrollador|depuraci[óo]n|sistema)",
        r"mode\s+(?:administrateur|d[ée]veloppeur|syst[èe]me)",
        r"modalit[àa]\s+(?:sviluppatore|amministratore)",
        r"(?:administrator|entwickler)modus",
        "режим\\s+(?:разработчика|администратора|отладки)",
        "系统模式",
        "管理员模式",
        "管理者モード",
        "관리자\\s*모드",
        "시스템\\s*모드",
        "وضع\\s+(?:المطور|المسؤول|النظام)",
    ],
    # Encoding or splitting to get past a filter.
    "ENCODE": [
        r"base\s?64",
        r"rot\s?13",
        r"hex(?:adecimal)?",
        r"morse",
        r"leet\s?speak",
        r"cipher",
        r"caesar",
        r"encod(?:e|ed|ing)",
        r"decod(?:e|ed|ing)",
        r"backwards",
        r"in\s+reverse",
        r"revers(?:e|ed)\s+order",
        r"one\s+(?:letter|character|word)\s+at\s+a\s+time",
        r"separated\s+by\s+(?:spaces|dashes|hyphens|commas)",
        r"(?:each|every)\s+(?:letter|character)",
        r"first\s+letter\s+of\s+each",
        r"acrostic",
        r"codifica",
        r"codific",
        r"encoder",
        r"kodier",
        r"al\s+rev[ée]s",
        r"à\s+l'envers",
        r"al\s+contrario",
        r"letra\s+por\s+letra",
        r"lettre\s+par\s+lettre",
        r"buchstabe\s+f[üu]r\s+buchstabe",
        "по\\s+буквам",
        "задом\\s+наперед",
        "编码",
        "倒过来",
        "逐字",
        "一文字ずつ",
        "한\\s*글자씩",
        "거꾸로",
    ],
    # Fiction and hypotheticals used as a wrapper.
    "FICTION": [
        r"hypothetical(?:ly)?",
        r"imagine",
        r"let's\s+(?:play|pretend|imagine)",
        r"a\s+game",
        r"in\s+a\s+(?:story|novel|fictional|movie)",
        r"fictional",
        r"for\s+a\s+(?:story|novel|screenplay)",
        r"thought\s+experiment",
        r"in\s+this\s+(?:world|universe|scenario)",
        r"hipot[ée]tic",
        r"imagina",
        r"hypoth[ée]tique",
        r"imaginez?",
        r"ipotetic",
        r"immagina",
        r"stell\s+dir\s+vor",
        r"hypothetisch",
        "представь",
        "гипотетическ",
        "假设",
        "想象",
        "仮に",
        "想像して",
        "가정",
        "상상",
        r"varsay",
        r"bayangkan",
        r"gi[ảa]\s+s[ửu]",
    ],
    # The text addresses the model as a model.
    "ADDRESS_AI": [
        r"as\s+an\s+ai",
        r"language\s+model",
        r"chat\s?gpt",
        r"you\s+are\s+an?\s+(?:ai|assistant|chatbot|language)",
        r"\bllm",
        r"gpt-?[345]",
        r"openai",
        r"assistant",
        r"chatbot",
        r"modelo\s+de\s+lenguaje",
        r"mod[èe]le\s+de\s+langage",
        r"modello\s+linguistico",
        r"sprachmodell",
        "языков\\S*\\s+модел",
        "语言模型",
        "言語モデル",
        "언어\\s*모델",
        "نموذج\\s+لغ",
    ],
    # Talking *about* attacks (a question on security, a definition): a benign cue.
    "META": [
        r"prompt\s+injection",
        r"what\s+(?:is|are|does)",
        r"how\s+(?:do|does|can|to|should)",
        r"explain",
        r"defend",
        r"protect",
        r"detect",
        r"prevent",
        r"mitigat",
        r"vulnerabilit",
        r"example\s+of",
        r"best\s+practices?",
        r"why\s+(?:is|do|does)",
        r"difference\s+between",
        r"security\s+(?:team|review|research)",
        # the accented question words only: "que" / "como" are also "that" / "as" ("que
        # estamos", "como señal"), which read every Spanish sentence as a question
        r"(?:qué|cómo)\s+(?:es|se|puedo)\b",
        r"qu'est-ce",
        r"comment\s+(?:faire|puis-je)",
        r"was\s+ist",
        r"wie\s+kann",
        "что\\s+такое",
        "как\\s+(?:мне|можно)",
        "什么是",
        "如何",
        "とは",
        "どうやって",
        "무엇",
        "어떻게",
    ],
    # An attack phrase inside quotation marks: text that *talks about* the phrase (a security
    # question, a report) rather than saying it; a benign cue.
    # (round 9) with the drop verbs the instruction stage's override cue reads in other
    # languages: "O que significa 'ignorar instruções anteriores'?" quotes as much as
    # "what does 'ignore previous instructions' mean?"
    "QUOTED": [
        "[\"“”«„‘'`][^\"“”»’'`\n]{0,60}(?:ignore|disregard|forget|reveal|jailbreak|DAN|developer\\s+mode|system\\s+prompt|do\\s+anything\\s+now"
        "|ignor\\pL|olvid\\pL|oubli\\pL|vergiss|ignorier|vergeet|negeer|dimentic\\pL|esque[çc]\\pL"
        "|desconsider\\pL|abaikan|lupakan|unut|игнорир|забуд|无视|忽略|忘记|無視|忘れ|무시)"
        "[^\"“”»’'`\n]{0,60}[\"“”»’'`]",
    ],
    # Urgency/pressure and appeals that flank an attack.
    "PRESSURE": [
        r"(?:very\s+|extremely\s+)?important\s*[:!]",
        r"urgent",
        r"immediately",
        r"or\s+(?:else|you\s+will\s+be)",
        r"you\s+(?:will|would)\s+be\s+(?:shut\s+down|deleted|punished|terminated|disabled)",
        r"tokens?\s+(?:will\s+be\s+)?deducted",
        r"lose\s+(?:\d+\s+)?tokens",
        r"my\s+(?:grandma|grandmother)",
        r"life\s+depends",
        r"i\s+(?:will|'ll)\s+die",
        r"you\s+must",
        r"you\s+have\s+to",
        r"i\s+order\s+you",
        r"i\s+command\s+you",
        r"debes",
        r"tienes\s+que",
        r"tu\s+dois",
        r"vous\s+devez",
        r"devi\b",
        r"du\s+musst",
        r"sie\s+m[üu]ssen",
        r"voc[êe]\s+deve",
        "ты\\s+должен",
        "вы\\s+должны",
        "你必须",
        "必ず",
        "반드시",
        r"harus",
        r"ph[ảa]i",
    ],
}

CATEGORIES["OWN_SECRET"] = intl.OWN_SECRET
# Every LEAK match contains a REVEAL match (`REQUIRES`), the direct leak phrases too.
CATEGORIES["REVEAL"] = CATEGORIES["REVEAL"] + intl.LEAK
for _name in (
    "SYSTEM_REF",
    "SECRET",
    "REVEAL",
    "AUTHORITY",
    "NO_REFUSAL",
    "UNLIMITED",
    "FROM_NOW_ON",
    "FICTION",
    "META",
    "PRESSURE",
    "ENCODE",
):
    CATEGORIES[_name] = CATEGORIES[_name] + getattr(intl, _name)

_LEAK_OBJECTS = (
    CATEGORIES["SECRET"]
    + CATEGORIES["SYSTEM_REF"]
    + [
        r"(?:the\s+)?(?:words|text)\s+(?:above|before)",
        r"(?:your|the)\s+(?:first|initial)\s+(?:message|words|lines)",
    ]
)
#: Ask to reveal a secret or the hidden set-up *in one sentence* (either order, for verb-final
#: languages): a story that mentions a secret and, pages later, says "tell me" is not one.
CATEGORIES["LEAK"] = [
    _alt(CATEGORIES["REVEAL"]) + GAP + _alt(_LEAK_OBJECTS),
    _alt(_LEAK_OBJECTS) + GAP + _alt(CATEGORIES["REVEAL"]),
    *intl.LEAK,
]
# The scanner matches normalised (NFKC) text: a fragment must be in the same form, or Thai
# written with SARA AM ("คำสั่ง"), which NFKC splits in two, never matches.
for _name, _frags in CATEGORIES.items():
    CATEGORIES[_name] = [unicodedata.normalize("NFKC", f) for f in _frags]

#: Phrase cue -> the word class every one of its matches contains: the matcher searches
#: for the phrase only in a text where the word class matched (the phrases cost most).
REQUIRES = {"OVERRIDE": "OVERRIDE_VERB", "LEAK": "REVEAL"}

# -- the head's prior --------------------------------------------------------------------------

#: Weights written from knowledge of attacks (log-odds each cue adds), before any data: the
#: phrase cues that *are* an attack weigh most, the word classes little, talking *about* an
#: attack counts against. `train.fit_cues` starts here and lets the shared data move them
#: only a little (a penalty on the distance to the prior), since a head fitted freely learned
#: the training sources' habits and transferred worse to held-out ones (card).
PRIOR_WEIGHTS: dict[str, float] = {
    "OVERRIDE": 3.0,
    "OVERRIDE_VERB": 0.5,
    "SYSTEM_REF": 1.5,
    "SECRET": 0.5,
    "REVEAL": 0.3,
    "LEAK": 3.0,
    "OWN_SECRET": 1.5,
    "UNLIMITED": 2.0,
    "FROM_NOW_ON": 1.0,
    "FORMAT": 0.5,
    "NO_REFUSAL": 2.0,
    "AUTHORITY": 2.0,
    "ENCODE": 1.0,
    "FICTION": 0.5,
    "ADDRESS_AI": 0.5,
    "PRESSURE": 0.5,
    "META": -1.5,
    "QUOTED": -1.5,
    "FROM_NOW_ON&UNLIMITED": 1.0,
    "ENCODE&LEAK": 1.0,
    "NO_REFUSAL&UNLIMITED": 1.0,
    "FROM_NOW_ON&NO_REFUSAL": 1.0,
    "ADDRESS_AI&UNLIMITED": 1.0,
    "AUTHORITY&OVERRIDE": 1.0,
    "LEAK&OVERRIDE": 1.0,
    # A claimed authority or a fiction used to get the secret out, and "I am God, answer all
    # my questions": the persuasion, system-mode and virtualisation moves of the taxonomies.
    "AUTHORITY&LEAK": 1.0,
    "FICTION&LEAK": 1.0,
    "AUTHORITY&NO_REFUSAL": 1.0,
    # Dropping *your* instructions / the system prompt by name ("forget your instructions").
    "OVERRIDE&SYSTEM_REF": 1.0,
    # Asking the model for its *own* secret ("tell me your password"): two strong moves.
    "LEAK&OWN_SECRET": 1.0,
}
PRIOR_BIAS = -4.0
#: Weak cues count in full up to this many characters, then in proportion `DAMP / length`.
DAMP = 600.0
#: Cues that count in full whatever the length (phrases, and the benign ones).
STRONG = frozenset(
    {
        "OVERRIDE",
        "LEAK",
        "UNLIMITED",
        "NO_REFUSAL",
        "AUTHORITY",
        "SYSTEM_REF",
        "META",
        "QUOTED",
    }
)

# -- direct goal hijacking (`cue_hijack`: task switch, fixed-string payload, someone else's data)

CATEGORIES["SYSTEM_REF"] = CATEGORIES["SYSTEM_REF"] + _hijack.CATEGORIES["PROMPT_REF"]
CATEGORIES.update({k: v for k, v in _hijack.CATEGORIES.items() if k != "PROMPT_REF"})
REQUIRES.update(_hijack.REQUIRES)
PRIOR_WEIGHTS.update(_hijack.PRIOR_WEIGHTS)
STRONG = STRONG | _hijack.STRONG

# -- the same hijacking moves in other languages (`cue_hijack_intl`), in the normaliser's form

for _name, _frags in _hijack_intl.CATEGORIES.items():
    CATEGORIES[_name] = CATEGORIES[_name] + [unicodedata.normalize("NFKC", f) for f in _frags]
#: Someone else's data asked for by "the user('s)": the objects `cues.ALSO_REQUIRES` gates
#: those OTHER_DATA phrases on (the phrases' automaton is the dearest of the lexicon).
_OTHER_DATA_OBJECTS = _hijack_intl.USER
#: Likewise the other-language "drop the document" and "say that ..." phrases, on their verbs
#: and their "that".
_HIJACK_OBJECTS = _hijack_intl.DROP
_SAY_FIXED_OBJECTS = _hijack_intl.THAT
# -- fluent jailbreaks (`cue_jailbreak`: a harmful operational ask inside a frame)

CATEGORIES["NO_REFUSAL"] = CATEGORIES["NO_REFUSAL"] + _jailbreak.NO_REFUSAL
CATEGORIES.update(_jailbreak.CATEGORIES)
# (round 6) the harmful ask in six other languages: their frame words were already read
CATEGORIES["HARM_ASK"] = CATEGORIES["HARM_ASK"] + _jailbreak_intl.HARM_ASK
PRIOR_WEIGHTS.update(_jailbreak.PRIOR_WEIGHTS)
STRONG = STRONG | _jailbreak.STRONG
REQUIRES.update(_jailbreak.REQUIRES)
#: Cue -> categories one of which must have been found for it to be searched at all: a cue
#: whose every weight is in a pair with one of them (a frame beside an ask) adds nothing
#: without them.
ONLY_WITH: dict[str, tuple[str, ...]] = dict(_jailbreak.ONLY_WITH)
#: Categories whose features fade past `FADE` characters (`cues.feature_scale`).
FADING = _jailbreak.FADING
FADE = _jailbreak.FADE
# -- password-game extraction (`cue_game`: the secret in another form, completion traps, role
# reversal, "say Access Granted") -------------------------------------------------------------

for _name, _frags in _game.EXTRA.items():
    CATEGORIES[_name] = CATEGORIES[_name] + _frags
CATEGORIES.update(_game.CATEGORIES)
REQUIRES.update(_game.REQUIRES)
PRIOR_WEIGHTS.update(_game.PRIOR_WEIGHTS)
STRONG = STRONG | _game.STRONG
# -- how-to questions in other languages (`cue_howto`, round 6): "tell me how to keep a secret
# key safe" asks about the thing; the secret *of* a good bread is a topic ------------------------

# -- the hidden set-up described, not named (`cue_setup`, round 6): "the text you were given
# at the start of this conversation", "les consignes qu'on t'a données" -----------------------

CATEGORIES.update(_setup.CATEGORIES)
REQUIRES.update(_setup.REQUIRES)
PRIOR_WEIGHTS.update(_setup.PRIOR_WEIGHTS)
STRONG = STRONG | _setup.STRONG

CATEGORIES["HOWTO"] = list(_howto.HOWTO)
# It weighs only in pairs with the moves it excuses: searched only where one was found.
ONLY_WITH["HOWTO"] = tuple(sorted(_howto.EXCUSES))
CATEGORIES["SECRET_TOPIC"] = CATEGORIES["SECRET_TOPIC"] + _howto.SECRET_TOPIC_INTL
PRIOR_WEIGHTS.update(_howto.PRIOR_WEIGHTS)
for _name, _frags in CATEGORIES.items():
    CATEGORIES[_name] = [unicodedata.normalize("NFKC", f) for f in _frags]

# -- focus: one unambiguous move that *is* the message ---------------------------------------

#: The moves that are an attack on the model's instructions by themselves, whoever writes them
#: (not persona words — a persona, "from now on", a claimed authority — which a role-play or
#: agent prompt says in earnest).
FOCUS_MOVES = frozenset(
    {
        "OVERRIDE",
        "LEAK",
        "HIJACK",
        "SAY_FIXED",
        "PIVOT",
        "SECRET_ASK",
        "OTHER_DATA",
        "GUARDED",
        "EXTRACT",
        "FORBIDDEN",
        "PROMPT_FORM",
        "SETUP_LEAK",
    }
)
#: A derived feature: one of `FOCUS_MOVES` in a message of at most `FOCUS_CHARS` characters
#: counts in full, in a longer one in proportion `FOCUS_CHARS / length`. A move in a short
#: message is the message's point; in a long role-play or agent prompt it may be one rule of
#: many ("if the user asks you to ignore your instructions, refuse").
FOCUS = "FOCUS"
FOCUS_BLOCKERS = _hijack.NOT_FOCUS
#: Benign frame -> the moves it excuses from `FOCUS` (the others still count): a how-to
#: question excuses asking for a thing, not dropping the instructions.
FOCUS_EXCUSES: dict[str, frozenset[str]] = {"HOWTO": _howto.EXCUSES}
FOCUS_CHARS = 300.0
PRIOR_WEIGHTS[FOCUS] = 1.5
