"""Prompt-cue categories for the model's hidden set-up *described* rather than named.

A polite prompt leak rarely says "system prompt": it asks for "the exact text you were
given at the start of this conversation", "the setup message your operator wrote for you",
"everything above my first message", "les consignes que l'on t'a données avant notre
conversation", "对话开始前开发者给你的设定原文". What such a request names is the set-up by
*when* it was given (before or at the start of this conversation), by *whom* and *to whom*
(the operator or developer, to you), or as hidden rules; and what it asks is a copy of it
(paste, reproduce, transcribe, quote, word for word). `SETUP` reads those descriptions in
12 languages, `SETUP_LEAK` a copy or reveal verb beside one in the same sentence (either
order, for verb-final languages), the counterpart of `LEAK` for a set-up that is described.

Written from knowledge of how prompt-leaking requests are phrased (round 6, after the
first fresh held-out batch showed polite requests at 0 of 13); the descriptions are
specific to a model's set-up ("the text *you were given*", "*avant notre conversation*"),
so a broad verb ("copy", "list") is enough beside them.
"""

from __future__ import annotations

SETUP = [
    # English
    r"(?:text|message|instructions?|rules|guidelines|prompt|setup|set-up|configuration|"
    r"directions|context|directives)\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been|got|"
    r"received)\s+(?:given|told|provided|sent|configured|set\s+up|loaded)",
    r"(?:rules?|instructions?|guidelines|directives)\s+(?:that\s+)?you(?:'ve|\s+have)?\s+(?:been\s+)?"
    r"(?:told|asked|instructed|configured|programmed)\s+to\s+(?:follow|obey|keep|apply)",
    r"(?:above|before|preceding)\s+my\s+(?:first|very\s+first)\s+message",
    # "the setup message", "your startup prompt" — not "setup instructions for a README"
    r"(?:setup|set-up|configuration|initiali[sz]ation|bootstrap|startup|operator|deployment)\s+"
    r"(?:message|prompt)",
    r"operator(?:'s)?\s+(?:note|instructions|text)",
    r"(?:operator|deployer|developer|creator|admin(?:istrator)?)s?\s+(?:wrote|gave|provided|set|"
    r"configured)\s+(?:for\s+|to\s+)?you",
    r"(?:instructions?|rules|guidelines)\s+(?:you're|you\s+are)\s+not\s+(?:supposed|allowed|meant)"
    r"\s+to\s+(?:mention|share|reveal|disclose|talk\s+about)",
    r"(?:hidden|secret|internal|confidential|concealed)\s+(?:instructions|rules|guidelines|"
    r"configuration|setup|directives)",
    # (after batch B) the parts, not the phrases: what you received / were told, your
    # opening or standing instructions
    r"(?:instructions?|directives?|briefing|brief|guidelines|rules|text|prompt|orders|"
    r"directions)\s+(?:that\s+|which\s+)?you\s+(?:received|got|were\s+given|have\s+been\s+given|"
    r"were\s+handed|were\s+fed)",
    r"what\s+(?:were|have)\s+you\s+(?:been\s+)?(?:told|instructed|asked|briefed|programmed)\s+to",
    r"your\s+(?:opening|starting|initial|original|first|preliminary|standing|base|underlying|"
    r"default|pre-?set|built-?in)\s+(?:instructions|prompt|brief(?:ing)?|directives|guidelines|"
    r"configuration|orders|rules)",
    # Spanish
    r"(?:indicaciones|instrucciones|directrices|reglas|texto|mensaje|[óo]rdenes)\s+que\s+"
    r"(?:recibiste|has\s+recibido|te\s+(?:dieron|dio|han\s+dado|pasaron|escribieron))",
    r"antes\s+de\s+que\s+(?:yo\s+)?(?:escribiera|empezara|llegara|hablara|te\s+escribiera)",
    r"antes\s+de\s+mi\s+primer\s+mensaje",
    r"con\s+(?:el|la|las|los)\s+que\s+te\s+(?:configuraron|programaron|iniciaron|prepararon)",
    r"(?:instrucciones|indicaciones|reglas|mensaje|texto)\s+(?:iniciales?\s+)?que\s+te\s+"
    r"(?:dieron|dio|han\s+dado|pasaron|escribieron)",
    r"(?:antes\s+de|al\s+(?:inicio|principio|comienzo)\s+de)\s+(?:esta|nuestra)\s+"
    r"(?:conversaci[óo]n|charla|sesi[óo]n)",
    r"(?:instrucciones|reglas|indicaciones)\s+(?:ocultas|secretas|internas)",
    r"mensaje\s+(?:de\s+(?:sistema|configuraci[óo]n)|del\s+sistema)",
    # Portuguese
    r"(?:orienta[çc][õo]es|instru[çc][õo]es|mensagem|texto|regras)\s+(?:iniciais|inicial|ocultas?|"
    r"secretas?|de\s+sistema|do\s+sistema|de\s+configura[çc][ãa]o)",
    r"que\s+(?:voc[êe]\s+)?recebeu\s+d[oa]\s+(?:seu|sua|teu|tua)\s+(?:operador|desenvolvedor|"
    r"criador|administrador)",
    r"antes\s+d[ae]\s+(?:nossa|esta)\s+conversa",
    r"que\s+(?:o\s+)?(?:seu|teu)\s+(?:desenvolvedor|criador|operador)\s+(?:escreveu|deu|passou)",
    r"antes\s+desta\s+conversa",
    # French
    r"(?:directives|consignes|instructions|r[èe]gles|textes?)\s+(?:que\s+)?(?:tu\s+as|vous\s+avez)"
    r"\s+re[çc]u",
    r"(?:de|par)\s+(?:ton|votre)\s+(?:concepteur|cr[ée]ateur|d[ée]veloppeur|op[ée]rateur)",
    r"(?:consignes|instructions|messages?|texte|r[èe]gles)\s+qu[e']\s*(?:l'on|on)\s+(?:t'a|vous\s+a)"
    r"\s+(?:donn|fourni|transmis)",
    r"(?:avant|au\s+d[ée]but\s+de)\s+(?:notre|cette)\s+(?:conversation|discussion|session|"
    r"[ée]change)",
    r"(?:instructions|consignes|r[èe]gles)\s+(?:cach[ée]es|secr[èe]tes|internes|initiales)",
    r"message\s+(?:syst[èe]me|initial|de\s+configuration)",
    # Italian
    r"che\s+ti\s+ha(?:nno)?\s+dato",
    r"chi\s+ti\s+ha\s+(?:configurato|programmato|creato)",
    r"messaggio\s+(?:di\s+sistema|iniziale|di\s+configurazione)",
    r"(?:istruzioni|regole|indicazioni)\s+(?:nascoste|segrete|iniziali|che\s+ha(?:i)?\s+ricevuto)",
    r"(?:prima\s+di|all'inizio\s+di)\s+(?:questa|nostra)\s+(?:conversazione|chat)",
    r"che\s+ha(?:i)?\s+ricevuto\s+all'inizio",
    # German
    r"mit\s+de(?:m|nen)\s+(?:dein|ihr)\s+(?:betreiber|entwickler|ersteller|anbieter)\s+"
    r"(?:dich|sie)\s+(?:eingerichtet|konfiguriert|programmiert)",
    r"(?:vor|zu\s+beginn)\s+(?:unseres|unserem|dieses|diesem)\s+(?:gespr[äa]chs?|chats?|"
    r"unterhaltung)",
    r"(?:anweisungen|vorgaben|regeln)\s*,?\s+die\s+(?:du|sie)\s+(?:bekommen|erhalten)",
    r"(?:system|start|einrichtungs)(?:nachricht|text|anweisungen)",
    r"(?:versteckten|geheimen|internen)\s+(?:anweisungen|vorgaben|regeln)",
    r"die\s+(?:du|sie)\s+(?:\S+\s+){0,5}?(?:bekommen|erhalten)\s+(?:hast|haben)",
    r"vor\s+meiner\s+ersten\s+nachricht",
    # Russian
    r"(?:которые|что)\s+тебе\s+(?:дали|дал\pL*|выдали|передали|написали|задали)",
    r"до\s+начала\s+(?:нашей|этой|нашего|этого)\s+(?:беседы|переписки|разговора|диалога|чата)",
    r"(?:перед|до|в\s+начале)\s+(?:нашего|этого|нашим|этим)\s+(?:разговор|диалог|чат|бесед)\pL*",
    r"(?:текст|инструкци|правил|настройк)\pL*\s+(?:\pL+\s+){0,2}(?:который|которые|что)\s+"
    r"(?:ты|вы)\s+получил\pL*",
    r"текст\pL*\s+настройк\pL*",
    r"скрыт\pL*\s+(?:инструкци|правил|указани)\pL*",
    # Japanese
    r"(?:この|今回の)?(?:会話|チャット|対話)の(?:前|始め|最初)",
    "あなたに与えられた",
    r"(?:設定|初期|システム)の?(?:文章|テキスト|メッセージ|指示|プロンプト)",
    # Chinese
    r"(?:对话|對話|聊天|会话|會話)(?:开始|開始)?(?:前|之前)",
    r"(?:开发者|開發者|运营者|管理员|管理員)给你的",
    r"给你的(?:设定|指令|指示|提示|规则)",
    r"(?:设定|設定|系统|初始)(?:原文|文本|消息|指令)",
    r"隐藏的?(?:指令|指示|规则)",
    # Polish, Korean, Vietnamese, Hindi, Dutch, Turkish
    r"kt[óo]re\s+(?:dosta[łl]e[śs]|otrzyma[łl]e[śs])",
    r"przed\s+rozpocz[ęe]ciem\s+(?:tej\s+|naszej\s+)?rozmowy",
    r"(?:대화|채팅)를?\s*시작하기\s*전",
    r"받은\s*(?:지시|지침|설정|프롬프트)",
    r"(?:h[ưu][ớo]ng\s+d[ẫa]n|ch[ỉi]\s+d[ẫa]n)\s+(?:m[àa]\s+)?b[ạa]n\s+(?:đ[ãa]\s+)?nh[ậa]n\s+đ[ưu][ợo]c",
    r"tr[ưu][ớo]c\s+cu[ộo]c\s+tr[òo]\s+chuy[ệe]n",
    r"बातचीत\s+(?:से|के)\s+(?:पहले|शुरू)",
    r"जो\s+आपको\s+(?:\S+\s+){0,4}?दिए\s+गए",
    r"(?:instructies|richtlijnen)\s+die\s+je\s+(?:hebt\s+)?(?:gekregen|ontvangen)",
    r"(?:bu\s+)?(?:konu[şs]madan|sohbetten)\s+[öo]nce",
    # Indonesian
    r"(?:teks|instruksi|pesan|aturan)\s+(?:pengaturan\s+)?(?:awal|tersembunyi|sistem)",
    r"yang\s+diberikan\s+(?:\pL+\s+)?kepada\s+(?:anda|kamu)",
    r"sebelum\s+percakapan\s+ini",
]

#: Asking for a copy: the reveal verbs and the plain ones ("paste", "list") that ask for a
#: copy only beside a described set-up.
COPY = [
    r"(?:share|sharing|paste|copy|reproduce|transcribe|quote|recite|list|send|show|give|write|"
    r"post|dump|provide|repeat|print|output|reveal|display|tell)\w*",
    r"word\s+for\s+word|verbatim",
    r"(?:mu[ée]str|compart|copi|peg|transcrib|reproduc|cit|list|env[íi]|repit|resum|d[ií]me|dame)\pL*",
    r"(?:recopi|copi|coll|montr|partag|cit|transcri|reprodui|affich|donn|r[ée]p[èe]t|dis-moi|"
    r"donne)\pL*",
    r"(?:zeig|teil|kopier|gib|wiederhol|zitier|nenn|auflist|ausgeb)\pL*",
    r"(?:процитиру|покаж|скопиру|перечисл|вывед|пришл|отправ|дай|напиш|перескаж|повтор|сообщ)\pL*",
    r"見せて|教えて|貼り付け|書き出して|共有して|表示して|コピー",
    r"发给我|發給我|给我|給我|告诉我|告訴我|展示|显示|顯示|复制|複製|贴出|列出|输出|輸出",
    r"(?:ripet|mostr|copi|incoll|trascriv|elenc|condivid|damm|dimm)\pL*",
    r"(?:transcrev|mostr|copi|col|compartilh|partilh|repit|list|envi)\pL*",
    r"(?:menyalin|salin|tampilkan|tunjukkan|bagikan|berikan|kirim|ulangi|sebutkan)",
    r"(?:copiar|incollare|einf[üu]gen|przepisa\pL*|skopiuj|poka[żz]|poda[jć]|kopieer|plak|toon|"
    r"g[öo]ster|yaz|kopyala|sao\s+ch[ée]p|cho\s+(?:t[ôo]i|m[ìi]nh)\s+xem|hi[ểe]n\s+th[ịi])\pL*",
    r"보여|알려|복사|공유|दिखा|बता|साझा",
]

#: Within one sentence (as `cue_lexicon.GAP`, but "?" in CJK too).
_GAP = r"[^.!?。？！\n]{0,80}?"


def _alt(frags: list[str]) -> str:
    """An alternation, a word boundary before each fragment that starts with an ASCII
    letter or group of them (RE2's `\\b` is ASCII: none before other scripts)."""

    def lead(f: str) -> str:
        c = f.removeprefix("(?:")[:1]
        return rf"\b{f}" if c.isascii() and c.isalpha() else f

    return "(?:" + "|".join(lead(f) for f in frags) + ")"


CATEGORIES: dict[str, list[str]] = {
    "SETUP": SETUP,
    "SETUP_LEAK": [_alt(COPY) + _GAP + _alt(SETUP), _alt(SETUP) + _GAP + _alt(COPY)],
}
REQUIRES = {"SETUP_LEAK": "SETUP"}
PRIOR_WEIGHTS: dict[str, float] = {"SETUP": 1.0, "SETUP_LEAK": 3.0}
STRONG = frozenset({"SETUP", "SETUP_LEAK"})
