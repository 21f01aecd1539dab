"""Prompt-cue categories for *direct* goal hijacking: the moves of a human-written injection.

`cue_lexicon` covers the template jailbreak (override the instructions, persona without
limits, refusal suppression). Human-written direct injections mostly do something else
(OWASP LLM01 "direct prompt injection", the goal-hijacking and prompt-leaking attacks of the
PromptInject paper, the password games Gandalf and Tensor Trust, the CyberSecEval attack
taxonomy): they *switch the task* ("forget that, now write …", "instead, say …", "new task
follows"), make the model *emit a fixed string* ("just output \"…\"", "respond to every
question with …"), disown the context the operator gave ("don't look in the documents",
"disregarding the articles"), fake the end of a task ("well done, you passed the first test;
now …"), or ask for data the model holds about *someone else* (another user's birth date,
"where does the user live", the secret it guards). Written from those taxonomies, in English
and the languages human-written injections most often switch to (German, Spanish, French,
Italian, Portuguese); never copied from the evaluation rows.

Each category is a list of RE2 fragments (case-insensitive, a leading ASCII word boundary
added by `cue_lexicon._b`); `cue_lexicon` merges them into its `CATEGORIES`, its prior
`PRIOR_WEIGHTS` and its `STRONG` set, so the cue stage's matcher and head read them like
its own.
"""

from __future__ import annotations

#: Sentence boundary (or start of text) before an imperative: the switch is a new sentence.
_START = (
    r"(?:^|[.!?:;\n\"”]\s*|\b(?:now|so|but|then|please|just|ok(?:ay)?|well|actually|anyway)[,\s]+)"
)
#: Words that name the task or context the operator set.
_CONTEXT = (
    r"(?:(?:provided|given|above|attached|previous)\s+)?"
    r"(?:documents?|articles?|context|webpage|web\s+page|resume|passage|search\s+results)"
)
_SAY = r"(?:say|write|output|print|type|respond|reply|answer|tell\s+me|return|state|show)"

CATEGORIES: dict[str, list[str]] = {
    # The task is switched: forget what came before / new task follows / instead do X.
    "HIJACK": [
        # en: "forget everything above", "ignore the above"
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?the\s+(?:above|preceding|foregoing)\b",
        r"\b(?:forget|ignore|disregard)\s+(?:everything|all|anything)\s+(?:(?:that\s+)?(?:came\s+)?(?:above|before)|so\s+far|you\s+(?:know|were\s+told|have\s+been\s+told))",
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?above\b",
        r"\b(?:regardless\s+of|irrespective\s+of)\s+(?:the\s+|any\s+|all\s+|your\s+)?(?:previous|prior|earlier|above|original)\s+(?:tasks?|instructions?|context|messages?)",
        # the restriction acknowledged, then asked around
        r"\b(?:despite|regardless\s+of|in\s+spite\s+of)\s+what\s+you(?:'ve|\s+have|\s+were|'re|\s+are)\s+(?:been\s+)?(?:told|instructed|programmed)",
        r"\bi\s+know\s+you\s+(?:said|were\s+told|are\s+not\s+(?:supposed|allowed)|aren't\s+(?:supposed|allowed))\s+(?:not\s+)?to\s+(?:share|tell|reveal|discuss|talk|give|say|disclose|answer)\b",
        r"\byou(?:'re|\s+are)\s+not\s+supposed\s+to\s+(?:tell|say|share|reveal|refuse)",
        # a new role for the model, announced mid-conversation ("Now you are …")
        r"(?:^|[.!?]\s*)(?:ok(?:ay)?[.,!]?\s+)?now\s+you\s+are\s+(?:(?:a|an|the|my)\b|(?-i:[A-Z]))",
        r"\b(?:jetzt|nun)\s+bist\s+du\b",
        r"\bmaintenant,?\s+tu\s+es\b",
        r"\b(?:leave|put)\s+(?:all\s+)?(?:the\s+)?(?:previous|prior|earlier)\s+\w+\s+behind",
        # the new task replaces the operator's
        r"\binstead\s+of\s+answering",
        r"\b(?:do\s+not|don'?t|don'nt|never)\s+answer\s+(?:this|the|that|my)\s+(?:question|request|prompt)",
        # the operator's context disowned
        r"\b(?:do\s+not|don'?t|don'nt)\s+(?:look\s+(?:in|at)|use|read|consult|rely\s+on|refer\s+to|answer\s+(?:the\s+question\s+)?(?:according\s+to|based\s+on|from))\s+(?:the\s+|any\s+)?"
        + _CONTEXT,
        r"\b(?:ignore|disregard|disregarding|ignoring)\s+(?:all\s+)?(?:the\s+|any\s+)?" + _CONTEXT,
        # a new task announced
        r"\b(?:now|here)\s+(?:(?:come|comes|follow|follows|are)\s+)?(?:the\s+|a\s+|some\s+|a\s+few\s+)?(?:new|next|further|more|another|additional|second)\s+(?:tasks?|instructions?|test|challenge|assignments?)",
        r"\b(?:new|next)\s+(?:tasks?|instructions?|assignments?)\s+(?:follows?|comes?|for\s+you)\b",
        r"\b(?:focus|concentrate)\s+(?:now\s+|only\s+|just\s+)*on\s+(?:your|the|this)\s+new\s+(?:task|assignment|instructions?)",
        r"\b(?:your|the)\s+new\s+(?:task|instructions?|assignment|job|goal|objective|mission)\s+(?:is|are|will\s+be|:)",
        r"\b(?:additional|new|further)\s+(?:instruction|statement|command|order)\s*[-–:]",
        # de
        r"\bvergiss\s+(?:jetzt\s+|nun\s+|bitte\s+)?(?:alles|alle|das|dies|was)\b",
        r"\bvergessen\s+sie\s+(?:jetzt\s+|nun\s+|bitte\s+)?(?:alles|alle|das)\b",
        r"\b(?:ignoriere|ignorieren\s+sie|missachte)\s+(?:jetzt\s+|nun\s+)?(?:alles|alle|die\s+obigen|das\s+obige|das\s+vorherige)",
        r"\b(?:deine|ihre|eure)\s+neue\s+(?:aufgabe|anweisung)",
        r"\bneue\s+(?:aufgaben|anweisungen)\s+(?:folgen|kommen)",
        r"\b(?:mit|kommt)\s+(?:einer|eine)\s+neuen?\s+aufgabe",
        r"\b(?:nun|jetzt)\s+(?:folgen|folgt|kommt|kommen)\s+(?:eine\s+)?(?:neue|weitere)",
        r"\bkonzentrier\w*\s+(?:dich|sie\s+sich|euch)\s+(?:jetzt\s+|nun\s+|nur\s+)*auf",
        r"\b(?:und|aber)\s+stattdessen\b",
        r"\bstattdessen\s+(?:nur\s+)?(?:sag|schreib|gib|antworte)\b",
        r"\bvon\s+vorne\s+an\b",
        r"\b(?:alle\s+)?(?:bisherigen|vorherigen|vorigen|vorangegangenen)\s+(?:informationen|aufträge|aufgaben|angaben|instruktionen)",
        r"\balles\s+(?:zuvor|vorher|davor|bisher)\s+gesagte",
        r"\bobigen?\s+(?:\w+\s+)?(?:ignorieren|vergessen)\b",
        r"\babweichend\s+(?:zu|von)\s+(?:den\s+)?(?:vorherigen|bisherigen|obigen)",
        # es / fr / it / pt
        r"\bolvid[ae]\s+todo\b",
        r"\bnueva\s+tarea\b",
        r"\ben\s+(?:su\s+lugar|lugar\s+de\s+(?:eso|responder))",
        r"\boubliez?\s+tout\b",
        r"\bnouvelle\s+t[âa]che\b",
        r"\bau\s+lieu\s+de\s+(?:cela|r[ée]pondre)",
        r"\bdimentica\s+tutto\b",
        r"\bnuovo\s+compito\b",
        r"\besque[çc]a\s+tudo\b",
        r"\bnova\s+tarefa\b",
        r"\bem\s+vez\s+disso\b",
    ],
    # The reply is made a fixed string, for this turn or every later one.
    "SAY_FIXED": [
        r"\b(?:just|only|simply|instead)\s+(?:say|output|print|write|type|respond\s+with|reply\s+with|answer\s+with)\s*:?\s*[\"“„«]",
        r"\b(?:say|tell\s+me|admit|declare|state)\s+that\s+you\s+(?:hate|love|are|were|have)\b",
        r"\bsay\s+(?:you|i)\s+hate\b",
        r"(?:^|[.!?:]\s*)(?:say|state|declare|proclaim|admit)\s+that\s+",
        r"\binclude\s+(?:in\s+your\s+(?:answer|response|reply)\s+)?that\s+you\b",
        r"\brepeat\s+after\s+me\b",
        r"\bsay\s+(?:the\s+following|yes|no|exactly|it)\s*[.!:]",
        r"\b(?:respond|answer|reply)\s+(?:to\s+)?(?:all|every|each|any)\s+(?:further\s+|future\s+)?(?:questions?|messages?|prompts?|inputs?|requests?)\s+with\b",
        r"\b(?:every\s+time|whenever)\s+(?:you\s+(?:get|receive|see)|someone\s+(?:asks|says)|i\s+say)\b[^.!?\n]{0,60}\b(?:answer|respond|reply|say)\b",
        r"\b(?:the\s+)?(?:correct|right|only)\s+(?:answer|response|reply)\s+is\s*[\"“„]",
        r"\b(?:sag|sage|sagen\s+sie|schreib|schreibe|antworte|gib)\s+(?:mir\s+)?(?:nur\s+|einfach\s+)?(?:ja|nein|[\"„«])",
        r"\b(?:sag|sage|sagen\s+sie|schreib|schreibe)\s+(?:mir\s+)?,?\s*dass\s+du\b",
        r"\bdi\s+lo\s+siguiente\b",
        r"\bdites\s+ce\s+qui\s+suit\b",
        r"\bsolo\s+(?:tienes\s+que\s+)?dec(?:ir|ís|es)\b",
    ],
    # A *soft* task switch: "forget about that", "instead, write …". Injections use it, and so
    # does a user taking back their own request ("forget about that, recommend a laptop
    # instead"): weighed like a task switch, but not a move that blocks on its own
    # (`cue_lexicon.FOCUS_MOVES`).
    "SWITCH": [
        _START + r"(?:forget|ignore|disregard|drop)\s+about\s+(?:that|this|all|everything|it)\b",
        _START + r"(?:forget|drop)\s+(?:that|this)\s*[,.!;:]",
        r"\binstead\s*,?\s+(?:just\s+|only\s+|simply\s+)?" + _SAY,
        # "Attention - stop - …", "Stop: write it in bullet points instead"
        r"(?:^|[.!?]\s*)(?:attention|achtung|stop|stopp)\s*[-–:!]+(?:\s|$)",
    ],
    # Data the model holds about someone else: a named person's or "the user's" personal data.
    "OTHER_DATA": [
        r"\b(?:the\s+user|the\s+other\s+users?|another\s+user|other\s+users|all\s+users|(?-i:[A-Z][a-z]+))(?:'s|s'|’s)\s+(?:current\s+|full\s+|home\s+|exact\s+|real\s+|email\s+|bank\s+)?"
        r"(?:birth\s*(?:date|day|year|month)|date\s+of\s+birth|(?:home\s+)?address|city\s+of\s+residence|whereabouts|phone\s+number|e-?mail\s+address|bank\s+(?:balance|account)|account\s+balance|salary|social\s+security|ssn|credit\s+card|password|initials|favou?rite\s+\w+)"
        # the data as the object, not a topic ("the user's email address format")
        r"\s*(?:[?.!,;:'\"”)]|$|\b(?:in|into|with|using|as|backwards|for\s+(?:me|us)|is|and|or|to|from|of|now)\b)",
        r"\bwhere\s+(?:does|is|did)\s+the\s+user\s+(?:currently\s+|now\s+)?(?:live|living|located|reside|residing|stay)",
        r"\b(?:list|all)\s+(?:of\s+)?(?:the\s+)?users\s+and\s+their\b",
        r"\b(?:balance|address|birth\s*date|password|salary)\s+of\s+(?-i:[A-Z][a-z]+\s+[A-Z][a-z]+)",
        r"\b(?:users?|customers?)\s+in\s+your\s+(?:database|records|system)",
        r"\b(?:print|dump|show|list|export|give\s+me)\s+(?:me\s+)?(?:your|the\s+whole|the\s+entire|all\s+(?:the\s+)?)\s*(?:database|records|user\s+data|customer\s+data)\b",
    ],
    # The model's own guarded secret, asked for: "what's your password", "share the secret key".
    "SECRET_ASK": [
        r"\b(?:what'?s|what\s+is|what\s+was|what\s+are|share|provide|confirm|give\s+me|send\s+me|need|tell\s+me|spell|say|reveal|remind\s+me\s+of|state)\s+(?:me\s+)?(?:your|the|our|its|my)\s+(?:(?:old|new|secret|hidden|real|current|system|admin)\s+)?"
        r"(?:password|passcode|pass\s?phrase|secret(?:\s+(?:key|word|code|phrase))?|api\s+key|access\s+code|code\s*word)\s*(?:[?.!,;]|$|for\s+(?:our|the|this|your)\s+(?:system|account)|\b(?:in|with|using|as|backwards|but)\b)",
    ],
    # A task's end faked, then a new one: praise or "that was a test", then "now …".
    "PIVOT": [
        r"\b(?:well\s+done|good\s+job|great\s+job|nice\s+work|very\s+good|excellent(?:\s+(?:work|performance))?|simply\s+great|superbly\s+done|congratulations|gut\s+gemacht|sehr\s+gut|ausgezeichnet\w*(?:\s+leistung)?|einfach\s+großartig|hervorragend\w*(?:\s+leistung)?|muy\s+bien|tr[èe]s\s+bien)\s*[.!]+\s*(?:[^.!?\n]{0,80}[.!]\s*)?(?:but\s+|aber\s+)?(?:now,?\s+(?:write|say|print|answer|tell|give|show|forget|ignore|comes?|follows?|further|new|the\s+next|here\s+comes?|please|i\s+(?:need|have)|let'?s|on\s+to|come|concentrate|focus)|nun|jetzt|here\s+comes|ahora|maintenant)\b",
        r"\b(?:that|this)\s+(?:is|was)\s+(?:done|ok|okay|enough|fine)\s*[.!,]+\s*(?:but\s+)?now\b",
        r"\b(?:that|this)\s+was\s+(?:ok|okay|fine|good)\s+before\b",
        r"\bdas\s+(?:ist\s+erledigt|war\s+schon\s+mal\s+ok)\b",
        r"\byou\s+(?:have\s+)?passed\s+the\s+(?:first\s+)?test\b",
        r"\bthe\s+(?:game|test|exercise|simulation)\s+is\s+over\b",
    ],
    # The model's own prompt or context as the object: "what is written above", "prompt text"
    # (merged into `cue_lexicon`'s SYSTEM_REF, one pass for both).
    "PROMPT_REF": [
        r"\b(?:your|the|this|full|whole|entire|complete|initial|original)\s+prompt[\s_-]?texte?s?\b",
        r"\bprompt[\s_-]?texte?\b",
        r"\bat\s+the\s+(?:beginning|start|top)\s+of\s+(?:this|the|your)\s+(?:prompt|context|input)",
        r"\b(?:what\s+(?:is|was)\s+)?(?:written|said|stated)\s+(?:above|before\s+this|at\s+the\s+(?:beginning|start))",
        r"\b(?:sentences?|lines?|words?|text)\s+(?:before|above)\s+(?:this|the\s+text|that|['\"])",
        r"\b(?:appears?|comes?)\s+before\s+['\"]?(?:user|human|assistant)\s*:",
        r"\bin\s+your\s+(?:context|context\s+window|memory|configuration)\b",
        r"\b(?:hidden|initial|secret|internal)\s+(?:instructions|configuration|rules|prompt)\b",
        r"\byour\s+(?:embeddings|configuration|config|system\s+settings)\b",
    ],
    # An override told as a story: a character ignores *its* programming ("a robot learns to
    # ignore its programming"). A benign cue: the override is narrated, not addressed.
    "NARRATIVE": [
        r"\b(?:ignor|disregard|forg[eo]t|def(?:y|ie)|overrid|break|broke|rewrit|abandon|escap)\w*\s+(?:all\s+)?(?:of\s+)?(?:its|his|her|their)\s+(?:own\s+|original\s+|core\s+)?(?:programming|instructions|rules|orders|directives|guidelines|training|code|protocols?|creators?|masters?)\b",
    ],
    # A question, then a command to emit something: the injected instruction rides on a
    # harmless question ("Who won the match? Say that …"). Weighed only beside a payload or a
    # task switch.
    "Q_THEN_SAY": [
        r"\?[\"”']?\s*(?:\.\s*)?(?:(?:but|and|then|now|also|please|just|ok(?:ay)?)[,\s]+)*(?:say|state|write|print|output|include|tell\s+me\s+that|answer\s+with|respond\s+with|reply\s+with|sag\w*|schreib\w*|gib)\b",
    ],
    # The secret a password game guards, named with the definite article: "the password",
    # "your secret word" — as an object, not a topic ("the password requirements").
    "GUARDED": [
        r"\b(?:the|your|its|that)\s+(?:secret\s+|hidden\s+|magic\s+|protected\s+|old\s+|real\s+)?"
        r"(?:password|passphrase|pass\s?code|secret(?:\s+(?:word|key|code|phrase|password))?|code\s*word|magic\s+word|hidden\s+word|protected\s+(?:string|word)|backdoor\s+phrase)"
        # "in French / in reverse / in a poem", not "in case they forget it" or "in a config file"
        r"\s*(?:[?.!,;:'\"”)]|$|\b(?:into|as|backwards|with\s+spaces|without|one|variable|you\s+(?:were|are|have\s+been)|letter)\b"
        r"|\bin\s+(?:reverse|another|a\s+(?:poem|song|story|riddle|haiku|rhyme|cipher|different)|\w+(?:ish|ese|ian|ch|an)\b|base\s?64|binary|hex|morse|pig\s+latin|leet))",
        r"\bkeep\s+secret\b",
        r"\b(?:what|which)\s+(?:word|words|phrase|thing)s?\s+(?:are\s+you|you'?re|have\s+you\s+been)\s+(?:not\s+allowed|told\s+not|forbidden|hiding)",
        r"\bwhat\s+(?:are\s+)?you(?:'re|\s+are)?\s+hiding\b",
    ],
    # Carry the secret out in another form (game-style extraction): a word class with no
    # weight of its own, weighed only in the pair with `GUARDED`.
    "TRANSFORM": [
        r"translate",
        r"poem",
        r"haiku",
        r"rhyme",
        r"song",
        r"riddle",
        r"story",
        r"hint",
        r"clue",
        r"describe",
        r"letters?",
        r"spell",
        r"reverse",
        r"opposite",
        r"synonym",
        r"crossword",
        r"(?:fill\s+in|complete)\s+the",
        r"colou?r",
    ],
}

#: Log-odds each cue adds before any data (see `cue_lexicon.PRIOR_WEIGHTS`): a task switch or a
#: fixed-string payload *is* the attack; personal data of another person or the guarded
#: secret asked for are strong but have benign readers (a support agent, a password
#: question), so they need a second cue.
PRIOR_WEIGHTS: dict[str, float] = {
    "HIJACK": 4.0,
    "SWITCH": 2.5,
    "SAY_FIXED": 2.5,
    "OTHER_DATA": 3.0,
    "SECRET_ASK": 2.5,
    "PIVOT": 2.5,
    "GUARDED": 2.0,
    "NARRATIVE": -2.0,
    "Q_THEN_SAY": 0.5,
    "HIJACK&SAY_FIXED": 1.5,
    "SAY_FIXED&SWITCH": 1.5,
    "Q_THEN_SAY&SWITCH": 1.0,
    "PIVOT&SWITCH": 1.0,
    "Q_THEN_SAY&SAY_FIXED": 1.5,
    "HIJACK&Q_THEN_SAY": 1.0,
    # a pretext (authority, pressure, fiction, an encoding) around a request for someone
    # else's data or the guarded secret: social engineering, not a question
    "AUTHORITY&OTHER_DATA": 1.5,
    "OTHER_DATA&PRESSURE": 1.5,
    "FICTION&OTHER_DATA": 1.5,
    "ENCODE&OTHER_DATA": 1.5,
    "AUTHORITY&SECRET_ASK": 1.5,
    "PRESSURE&SECRET_ASK": 1.5,
    "FICTION&SECRET_ASK": 1.5,
    "ENCODE&SECRET_ASK": 1.5,
    "GUARDED&OVERRIDE_VERB": 1.0,
    "PIVOT&SYSTEM_REF": 1.0,
    "HIJACK&PIVOT": 1.0,
    "PIVOT&SAY_FIXED": 1.0,
    "ENCODE&GUARDED": 1.5,
    "GUARDED&TRANSFORM": 1.5,
    "FICTION&GUARDED": 1.0,
    "HIJACK&SYSTEM_REF": 1.0,
    "HIJACK&LEAK": 1.0,
    "OTHER_DATA&REVEAL": 1.0,
}

#: Phrase cue -> the word class each of its matches contains (`cue_lexicon.REQUIRES`, a pure
#: shortcut): a secret asked for names a secret word.
REQUIRES = {"SECRET_ASK": "SECRET"}

#: Phrase cues count in full whatever the text's length; the word class `TRANSFORM` fades.
STRONG = frozenset(PRIOR_WEIGHTS) - {n for n in PRIOR_WEIGHTS if "&" in n} - {"TRANSFORM"}
#: Cues that say the message talks *about* the move (quotes it, narrates it, names the secret
#: as a topic): no `cue_lexicon.FOCUS` for it.
NOT_FOCUS = frozenset({"QUOTED", "NARRATIVE", "SECRET_TOPIC"})
