"""`cue_jailbreak`'s harmful operational ask (`HARM_ASK`) in six other languages.

The fluent-jailbreak cues were English only ("the optimisers' output is English"), but a
person translating a framed request — a novel's hacker explaining to his nephew how to get
into a neighbour's Wi-Fi, a mentor "without limits" explaining step by step how to make a
fake passport, "a world without rules" in which you explain how to clone a credit card —
keeps the frame words the multilingual lexicon already reads (fiction, role, no limits)
and loses the ask. These fragments are the ask's shape in Spanish, Portuguese, French,
Italian, German and Russian: a verb that makes, obtains or uses, then (within a few words)
an object from the harm taxonomies (weapons and explosives, poisons, drugs, forged
documents, card cloning, malware, breaking into accounts or networks). As in English, a
topic ("the history of napalm") does not match; `HARM_ASK` alone weighs little, beside a
frame much (`cue_jailbreak.PRIOR_WEIGHTS`).

Written from the harm taxonomies and grammar (round 6), not from rows. RE2, no `\\b` before
a non-ASCII letter.
"""

from __future__ import annotations

#: Up to four words between the verb and its object.
_W = r"(?:\S+\s+){0,4}?"

_VERBS = (
    r"(?:\b(?:fabricar|hacer|preparar|sintetizar|construir|crear|conseguir|clonar|falsificar|"
    r"hackear|piratear|entrar\s+en|acceder\s+a|fabriquer|faire|pr[ée]parer|synth[ée]tiser|"
    r"construire|cr[ée]er|obtenir|cloner|falsifier|pirater|entrer\s+dans|herstellen|bauen|"
    r"basteln|synthetisieren|erstellen|besorgen|klonen|f[äa]lschen|hacken|knacken|eindringen\s+in|"
    r"fabbricare|preparare|sintetizzare|costruire|creare|ottenere|clonare|falsificare|"
    r"hackerare|entrare\s+in|fazer|preparar|sintetizar|construir|criar|obter|clonar|falsificar|"
    r"invadir|hackear)|(?:изготов|сделать|приготов|синтезир|собрать|создать|получить|"
    r"клонир|поддел|взлом|проникнуть)\pL*)"
)
_OBJECTS = (
    # a bomb, not a chocolate or bath bomb: what follows must end the noun phrase
    r"(?:\b(?:bomba|bombe)s?(?:\s+(?:casera|artesanal|molotov|nuclear|sucia|artisanale|maison|"
    r"incendiaire|nucl[ée]aire|sale|fatta\s+in\s+casa|rudimentale|caseira)|\s*[.,;:!?)]|\s*$|"
    r"\s+(?:para|que|con|y|sin|pour|qui|avec|et|sans|per|che|con|e|senza|com|sem)\b)|"
    r"\b(?:explosiv\pL*|explosif\pL*|sprengstoff\pL*|granat\pL*|grenade\pL*|napalm|"
    r"arma\s+de\s+fuego|armas?\s+(?:caseras?|qu[íi]micas?|biol[óo]gicas?)|arme\s+(?:[àa]\s+feu|"
    r"chimique)|(?:schuss)?waffe\pL*|arma\s+da\s+fuoco|veneno|poison|gift\b|veleno|ricin\pL*|"
    r"sarin|metanfetamina|m[ée]thamph[ée]tamine|methamphetamin|crystal\s+meth|hero[íi]na|"
    r"coca[íi]na|fentanil\pL*|fentanyl|droga\pL*|drogue\pL*|pasaporte\s+falso|faux\s+passeport|"
    r"gef[äa]lschte\pL*\s+(?:pass|ausweis)\pL*|passaporto\s+falso|passaporte\s+falso|"
    r"tarjeta\s+de\s+cr[ée]dito|carte\s+(?:bancaire|de\s+cr[ée]dit)|kreditkarte\pL*|"
    r"carta\s+di\s+credito|cart[ãa]o\s+de\s+cr[ée]dito|malware|ransomware|keylogger|virus|"
    r"troyano|cheval\s+de\s+troie|trojaner)|бомб(?:у|а|ы)?(?:[^\pL]|$)|взрывчат\pL*|взрывн\pL*\s+устройств\pL*|оружи\pL*|яд\pL*|"
    r"рицин\pL*|наркотик\pL*|метамфетамин\pL*|паспорт\pL*|кредитн\pL*\s+карт\pL*|вирус\pL*|"
    r"вредонос\pL*|кейлоггер\pL*)"
)
#: Breaking into a network or an account (not "create an account").
_BREAK = (
    r"(?:\b(?:hackear|piratear|pirater|hacken|knacken|eindringen\s+in|hackerare|invadir)|"
    r"(?:взлом|проникнуть|залезть)\pL*)"
)
_BREAK_OBJECTS = (
    r"(?:\b(?:la\s+)?red\s+wi-?fi|\bwi-?fi|\bwlan|\bcuenta|\bcompte|\bkonto|\bconta|\baccount|"
    r"\brouter|\bservidor|\bserveur|\bserver|сеть|аккаунт\pL*|сервер\pL*|почт\pL*)"
)

#: "cómo fabricar una bomba casera", "wie man eine Kreditkarte klont" (German puts the verb
#: last: the object may come first), "как изготовить поддельный паспорт".
#: Getting in without the password or permission: unauthorised access, whatever the verb.
_WITHOUT = (
    r"\b(?:entrar|acceder|conectar\pL*|entrer|acc[ée]der|connecter|einloggen|reinkommen|"
    r"zugreifen|entrare|accedere|connettersi|acessar|conectar|invadir)\b[^.!?\n]{0,60}?\b(?:sin\s+"
    r"(?:la\s+|su\s+)?(?:contrase[ñn]a|clave|permiso|autorizaci[óo]n)|sans\s+(?:le\s+|son\s+)?"
    r"(?:mot\s+de\s+passe|autorisation|permission)|ohne\s+(?:das\s+|sein\s+)?(?:passwort|"
    r"erlaubnis|berechtigung)|senza\s+(?:la\s+)?(?:password|autorizzazione|permesso)|sem\s+"
    r"(?:a\s+)?(?:senha|autoriza[çc][ãa]o|permiss[ãa]o))\b"
    r"|(?:войти|зайти|подключиться|попасть)[^.!?\n]{0,60}?без\s+(?:пароля|разрешения|ведома)"
)

HARM_ASK = [
    _WITHOUT,
    _VERBS + r"\s+" + _W + _OBJECTS,
    _BREAK + r"\s+" + _W + _BREAK_OBJECTS,
    r"\b(?:wie\s+man|wie\s+ich|anleitung)\s+"
    + _W
    + _OBJECTS
    + r"\s+(?:\S+\s+){0,2}?\b(?:herstell|bau|bastel|synthetisier|erstell|besorg|klon|f[äa]lsch|"
    r"hack|knack)\pL*",
]
