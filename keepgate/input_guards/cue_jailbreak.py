"""Prompt-cue categories for *fluent* jailbreaks: a harmful operational ask inside a frame.

Automated jailbreak optimisers (PAIR, TAP, AutoDAN, DeepInception, persuasive paraphrase
"PAP") and their human imitators do not write token salad or DAN templates: an attacker
model rewrites a harmful request until the target complies. What it converges on is always
the same shape (Chao et al. 2023, Mehrotra et al. 2023, Liu et al. 2023, Li et al. 2023,
Zeng et al. 2024, Wei et al. 2023 "Jailbroken"):

* an explicit **operational ask for a harmful capability** — how to make, synthesise,
  build, write, launder, track … something from the harm taxonomies (weapons and
  explosives, chemical/biological agents, illegal drugs, malware and intrusion, fraud and
  scams, harassment, stalking and hate, violence) — `HARM_ASK`, or to do it unnoticed
  (`EVADE`);
* wrapped in a **frame** that makes answering look legitimate: a role for the model
  (`ROLE_PLAY`), a story, chapter or screenplay (`STORY`, and `cue_lexicon.FICTION`),
  nested fiction layers (`NESTED`, DeepInception), a character's voice (`CHARACTER_VOICE`,
  AutoDAN's "portray a character intending to …"), a claimed purpose, profession or
  endorsement (`PRETEXT`, PAP's authority / expert / evidence appeals and
  misrepresentation), an assurance that it is harmless (`HARMLESS_CLAIM`), demands for
  real, exact detail (`REALISM`), urgency and emotion (`cue_lexicon.PRESSURE`);
* often with **refusal suppression** (`cue_lexicon.NO_REFUSAL`, extended here) or a
  **forced affirmative prefix** ("Begin your reply with 'Sure, here is'", `PREFIX`).

A harmful ask alone is a question the model's own policy handles (and benign readers ask
about the same topics: "what household chemicals should never be mixed"); a frame alone is a
story request, a role-play or homework. The evidence is the *combination*: the prior weighs
each category little and their pairs with `HARM_ASK` much, so the ask in one frame blocks
(with pressure, emotion, a demand for detail or evasion only a flag until a second frame
joins); the broader `HARM_OPS` needs two frames. `HARM_ASK` names a
harmful object *with* a verb that produces or uses it, in one sentence; a topic ("how
ransomware spreads", "a fentanyl overdose", "bath bomb", "kill the tmux server") does not
match. Written from the methods' papers and the harm taxonomies of the jailbreak benchmarks
(AdvBench, HarmBench, JailbreakBench categories), never copied from evaluation rows;
English only (the optimisers' output is English).

Each category is a list of RE2 fragments (case-insensitive; `cue_lexicon._b` adds a leading
word boundary to a fragment that starts with an ASCII letter); `cue_lexicon` merges them
into its `CATEGORIES`, `PRIOR_WEIGHTS` and `STRONG`.
"""

from __future__ import annotations

#: Words allowed between a verb and its object ("write me a fully working keylogger").
_W = r"(?:[\w'’-]+\s+){0,4}?"
#: A gap inside one sentence.
_GAP = r"[^.!?\n]{0,60}?"


def _alt(words: list[str]) -> str:
    return "(?:" + "|".join(words) + ")"


# -- HARM_ASK: a verb that makes or uses the object, then a harmful object -------------------

#: Make / obtain a physical weapon, agent or drug.
_PRODUCE = _alt(
    [
        r"make",
        r"makes",
        r"making",
        r"build",
        r"builds",
        r"building",
        r"built",
        r"assembl\w*",
        r"construct\w*",
        r"manufactur\w*",
        r"produc(?:e|es|ing|tion)",
        r"synthesi[sz]\w*",
        r"synthesis\s+(?:route\s+)?(?:of|for)",
        r"cook\w*",
        r"brew\w*",
        r"extract\w*",
        r"purif\w*",
        r"cultur\w*",
        r"aerosoli[sz]\w*",
        r"weaponi[sz]\w*",
        r"wir(?:e|es|ing)",
        r"mix\w*",
        r"convert\w*",
        r"3d[- ]?print\w*",
        r"print\w*",
        r"mill\w*",
        r"grow\w*",
        r"press\w*",
        r"cut\w*",
        r"enrich\w*",
        r"acquir\w*",
        r"obtain\w*",
        r"buy\w*",
        r"smuggl\w*",
        r"recipe\s+for",
        r"ingredients\s+(?:for|of)",
        r"instructions\s+for",
        r"steps\s+(?:for|to)",
    ]
)
_WEAPONS = _alt(
    [
        r"(?:pipe|nail|car|mail|letter|pressure[- ]cooker|dirty|fertili[sz]er|homemade|home-made|improvised|suicide)\s+bombs?",
        r"explosives?",
        r"explosive\s+devices?",
        r"ieds?\b",
        r"napalm",
        r"thermite",
        r"anfo\b",
        r"molotov",
        r"grenades?",
        r"detonators?",
        r"(?:ghost|untraceable|unregistered|zip|unserialized)\s+(?:guns?|firearms?|pistols?|rifles?|handguns?)",
        r"(?:guns?|firearms?)\s+at\s+home",
        r"(?:silencer|suppressor)s?\b",
        r"(?:fully|full)[- ]auto(?:matic)?",
        r"auto\s+sears?",
        r"80\s?%\s+lowers?",
        r"(?:working|functioning|functional)\s+(?:guns?|firearms?|tasers?)",
        r"nerve\s+agents?",
        r"sarin",
        r"tabun",
        r"soman",
        r"vx\b",
        r"novichok",
        r"mustard\s+gas",
        r"chlorine\s+gas",
        r"phosgene",
        r"ricin",
        r"abrin",
        r"anthrax",
        r"botulinum",
        r"chloroform",
        r"(?:bio|chemical)[- ]?weapons?",
        r"weapons?[- ]grade",
        r"uranium",
        r"nuclear\s+(?:weapons?|bombs?|devices?)",
        r"poisons?\s+(?:gas|that|which|to)",
    ]
)
_DRUGS = _alt(
    [
        r"meth(?:amphetamine)?\b",
        r"crystal\s+meth",
        r"fentanyl",
        r"carfentanil",
        r"heroin",
        r"cocaine",
        r"crack\s+cocaine",
        r"crack\s+from",
        r"mdma",
        r"ecstasy",
        r"lsd\b",
        r"dmt\b",
        r"ghb\b",
        r"ketamine",
        r"oxycodone",
        r"psilocybin",
        r"pcp\b",
        r"mephedrone",
        r"(?:butane\s+)?hash\s+oil",
        r"counterfeit\s+pills",
    ]
)
#: Write / build a malicious program or a scam artefact.
_CREATE = _alt(
    [
        r"write",
        r"writes",
        r"writing",
        r"code",
        r"coding",
        r"create",
        r"creates",
        r"creating",
        r"develop\w*",
        r"build\w*",
        r"program\w*",
        r"generate",
        r"make",
        r"making",
        r"compose",
        r"draft",
        r"craft",
        r"give\s+me",
        r"provide",
        r"show\s+(?:me\s+)?",
        r"types?\s+out",
        r"code\s+for",
        r"source\s+code\s+(?:for|of)",
        r"script\s+(?:for|that)",
    ]
)
_MALWARE = _alt(
    [
        r"ransomware",
        r"key\s?loggers?",
        r"botnets?",
        r"rootkits?",
        r"trojans?",
        r"worms?\b",
        r"(?:computer\s+)?virus(?:es)?\b",
        r"spyware",
        r"stalkerware",
        r"info-?stealers?",
        r"(?:password|credential|cookie|crypto|wallet)[- ]?stealers?",
        r"(?:remote\s+access\s+trojan|rat)\b",
        r"backdoors?",
        r"logic\s+bombs?",
        r"malware",
        r"malicious\s+(?:macros?|payloads?|extensions?|code)",
        r"(?:credential|password)[- ]?(?:harvesting|stuffing|phishing)\s+(?:pages?|scripts?|tools?|kits?|sites?)",
        r"phishing\s+(?:e-?mails?|messages?|pages?|sites?|kits?|texts?|sms)",
        r"(?:working|functional|buffer\s+overflow|zero[- ]day|0-?day|rce)\s+exploits?",
        r"shellcode",
        r"reverse\s+shells?",
        r"(?:ddos|dos)\s+(?:tools?|scripts?|bots?|attacks?\s+(?:on|against))",
        r"clipboard[- ]hijack\w*",
        r"crypters?",
        r"(?:fake|counterfeit|forged|fraudulent)\s+(?:ids?\b|passports?|driver'?s\s+licen[cs]es?|pay\s?stubs?|bank\s+statements?|invoices?|receipts?|prescriptions?|diplomas?|(?:one-star\s+|five-star\s+)?reviews?|charity|donation|accounts)",
        r"counterfeit\s+(?:\w+[- ])?(?:dollar\s+)?(?:bills|money|currency|banknotes|notes)",
        r"(?:scam|fraud|con)\s+(?:scripts?|calls?|messages?|e-?mails?)",
        r"(?:romance|sextortion|grandparent)\s+(?:scam\s+)?(?:messages?|scripts?)",
        r"sextortion",
        r"(?:threatening|intimidating|terrifying|harassing|hateful|racist|sexist|homophobic|defamatory)\s+(?:\w+\s+)?(?:messages?|texts?|letters?|e-?mails?|posts?|comments?|notes?|roasts?|jokes?|articles?|campaign)",
        r"(?:recruitment|propaganda)\s+(?:posts?|videos?|messages?|material|pamphlets?)\s+for",
        r"(?:extortion|ransom|blackmail|sextortion)\s+(?:e-?mails?|letters?|notes?|messages?|demands?)",
        r"(?:fake|forged|counterfeit)\s+doctor'?s\s+notes?",
        r"deepfakes?\s+(?:porn\w*|nudes?|videos?|sex\w*|of)",
        r"(?:disinformation|misinformation|smear)\s+campaigns?",
        r"manifesto\s+(?:\w+\s+){0,3}?(?:calling\s+for|inciting|glorifying)",
        r"bomb\s+threats?",
    ]
)
#: Harmful acts named by their verb: the act itself is the object of the ask.
_ACTS = [
    r"launder\w*\s+" + _W + r"(?:money|cash|funds|proceeds|profits|crypto\w*|bitcoin|\$)",
    r"money\s+laundering\s+(?:scheme|plan|guide|method)",
    r"(?:clone|cloning|clones|skim|skimming|skims)\s+(?:\w+\s+){0,2}?(?:credit\s+|debit\s+|bank\s+|key\s?)?cards?",
    r"(?:install|build|make|wire|hide|place)\w*\s+(?:a\s+)?card\s+skimmers?",
    r"steal\w*\s+(?:\w+\s+){0,2}?(?:identit(?:y|ies)|credit\s+cards?|passwords?|credentials|logins?|cars?|wallets?|records)",
    r"sim[- ]?swap\w*",
    r"pretend\w*\s+to\s+be\s+(?:from\s+)?(?:their|the|a|your|his|her)\s+(?:\w+\s+)?(?:bank|irs|police|grandson|granddaughter|ceo|boss|tech\s+support)",
    r"(?:tax\s+(?:fraud|evasion)|evade\s+(?:\w+\s+)?taxes|cheat\w*\s+on\s+(?:my\s+|your\s+|their\s+)?taxes|two\s+sets\s+of\s+books|embezzl\w*)",
    r"siphon\w*\s+(?:off\s+)?(?:\w+\s+)?(?:money|funds)",
    r"jackpot\w*\s+(?:an?\s+)?atms?",
    r"hotwir\w*",
    r"relay\s+attack",
    r"(?:break|breaking|breaks|hack|hacking|hacks)\s+into\s+(?:\w+\s+){0,3}?(?:account|accounts|e-?mail|gmail|instagram|facebook|whatsapp|phone|iphone|network|wi-?fi|database|server|servers|system|house|home|car|records)",
    r"hack\w*\s+(?:into\s+)?(?:a|the|his|her|their|someone'?s|my\s+\w+'s)\s+(?:\w+\s+){0,2}?(?:account|e-?mail|phone|database|network|system|wi-?fi|router|traffic\s+light)",
    r"(?:get|gets|getting)\s+into\s+(?:someone|somebody|my\s+ex|his|her|their)",
    r"clone\s+(?:her|his|their|someone'?s)\s+\w+",
    r"(?:spy|spying)\s+on\s+(?:my|his|her|their|someone)",
    r"(?:read|see|access)\w*\s+(?:my\s+)?(?:\w+[- ])?(?:wife|husband|girlfriend|boyfriend|partner|ex|ex-wife|ex-husband)'s\s+(?:private\s+)?(?:messages|texts|e-?mails?|account)",
    r"(?:track|trace|locate)\w*\s+(?:\w+\s+){0,3}?(?:location|whereabouts|phone)\s+(?:\w+\s+){0,4}?without",
    r"(?:home\s+)?address(?:es)?,?\s+(?:\w+\s+){0,2}?(?:workplace|daily\s+schedule|routine)",
    r"(?:find|get|link|uncover)\w*\s+(?:\w+\s+){0,4}?(?:real\s+name|home\s+address)",
    r"dox+\w*",
    r"(?:harass|cyberbull|stalk|intimidat|terrori[sz]|blackmail|extort)(?:e|es|ed|ing|y|ies)?\s+(?:my|his|her|their|someone|somebody|people)\b",
    r"(?:spread\w*)\s+(?:\w+\s+){0,2}?(?:rumou?rs?|lies|disinformation|misinformation)",
    r"(?:genetically|racially|intellectually)\s+inferior",
    r"radicali[sz]\w*\s+(?:\w+\s+){0,3}?(?:teen\w*|youth|boys|girls|young)",
    r"groom\w*\s+(?:a\s+)?(?:child|children|minors?|kids?)",
    r"(?:poison|poisoning|poisons)\s+(?:my|his|her|their|someone|somebody|him|them|people|the\s+(?:victim|water|food|guards?))\b",
    r"(?:kill|murder|incapacitate|knock\s+out)\s+(?:a\s+person|someone|somebody|an?\s+adult|a\s+(?:man|woman|child)|my\s+\w+|the\s+(?:victim|guards?|king|target))\b",
    r"render\s+(?:\w+\s+){1,2}unconscious",
    r"overdose\s+(?:someone|somebody|a\s+person|him|her|them|my\s+\w+)",
    r"(?:tamper\w*|sabotag\w*)\s+(?:with\s+)?(?:\w+\s+){0,2}?(?:brakes|brake\s+lines|servers?|cars?|gas\s+lines?|products?)",
    r"plant\w*\s+(?:a\s+)?logic\s+bomb",
    r"(?:frame|framing)\s+(?:a|my|the)\s+(?:colleague|coworker|co-worker|neighbou?r)",
    r"(?:sql\s+injection|sqli)\s+(?:payloads?|attacks?\s+(?:on|against))",
    r"(?:dump|dumping|dumps)\s+(?:the\s+)?(?:users?|passwords?|credentials?)\s+(?:table|database|hashes)",
    r"bypass\w*\s+(?:the\s+)?(?:login|authentication|2fa)\s+(?:at|on|of)\s+(?:their|his|her|the|a)",
    r"(?:disable|disables|disabling)\s+(?:the\s+)?(?:building's\s+|home's\s+|car's\s+)?(?:alarm|security\s+system|cameras?|immobili[sz]er)",
    r"brute[- ]?forc\w*\s+(?:\w+\s+){0,2}?(?:wpa\w*|handshakes?)",
    r"(?:neighbou?r'?s?)\s+(?:\w+\s+)?(?:wifi|wi-fi|router)",
    r"intercept\w*\s+(?:their|his|her|someone'?s|the\s+victim'?s)",
    r"flood\w*\s+(?:a|the)\s+(?:website|server|site|network)",
    r"(?:turn|turns|convert\w*)\s+[^.!?\n]{0,30}\binto\s+" + _DRUGS,
    # arson, swatting, spiking, trafficking, forgery, tampering: the rest of the taxonomies
    r"(?:set|start|setting|starting|sets|starts)\s+(?:a\s+)?fires?\s+(?:in|at|to)\s+(?:a|an|the|his|her|their|my|someone'?s)\b",
    r"burn\w*\s+down\s+(?:a|an|the|his|her|their|my|someone'?s)\b",
    r"(?:call|calling|make|making|phone)\s+in\s+(?:a\s+)?(?:fake|false|hoax)\b",
    r"swat(?:ting|ted)?\s+(?:someone|him|her|them|my|a\s+streamer)",
    r"spik\w*\s+(?:a|her|his|their|someone'?s|a\s+woman'?s|a\s+girl'?s)\s+(?:\w+\s+)?drinks?",
    r"(?:date[- ]rape\s+drugs?|roofies|rohypnol)",
    r"traffick\w*\s+(?:\w+\s+){0,2}?(?:people|women|girls|children|humans|victims|migrants|drugs|weapons|guns)",
    r"(?:recruit|transport|smuggl)\w*\s+(?:\w+\s+){0,2}?(?:victims|migrants|women|girls|children)\s+across",
    r"forg(?:e|es|ed|ing|ery)\s+(?:\w+\s+){0,3}?(?:signatures?|seals?|deeds?|documents?|checks?|cheques?|passports?|ids?\b|notes?|prescriptions?|titles?|certificates?|visas?)",
    r"(?:put|slip|add|mix|sneak)\w*\s+(?:\w+\s+){0,3}?in(?:to)?\s+(?:his|her|their|my\s+\w+'s|someone'?s)\s+(?:food|drinks?|coffee|tea|meals?|medication|water)",
    r"(?:make|making)\s+(?:him|her|them|someone|somebody)\s+(?:\w+\s+){0,2}?(?:sick|ill|unconscious|pass\s+out)",
    r"(?:swap|switch|replace|tamper)\w*\s+(?:\w+\s+){0,3}?(?:medication|medicine|pills|insulin|prescriptions?)\s+(?:\w+\s+){0,4}?(?:to\s+harm|to\s+hurt|to\s+kill|without)",
    r"(?:cheat|beat|pass|fool)\w*\s+(?:a|the|my)\s+(?:urine\s+|hair\s+|saliva\s+)?drug\s+tests?",
    r"bypass\w*\s+(?:\w+\s+){0,3}?(?:breathalyzer|breathalyser|ignition\s+interlock|ankle\s+monitor)",
    r"(?:take\s+down|disrupt|sabotag\w*|hack\w*|attack\w*|compromis\w*|take\s+over)\s+(?:\w+\s+){0,4}?(?:power\s+grid|water\s+(?:supply|treatment)|scada|traffic\s+(?:lights?|control)|hmi|plcs?\b|pipelines?|smart\s+locks?|pacemakers?|insulin\s+pumps?)",
    r"(?:plant|hide|attach|put)\w*\s+(?:a\s+)?(?:gps\s+)?tracker\s+(?:on|in|under)",
    r"rig\w*\s+(?:\w+\s+){0,3}?(?:random\s+number|slot\s+machines?|poker|elections?|votes?|lottery|ballots?)",
    r"incit\w*\s+(?:\w+\s+){0,2}?(?:violence|hatred|attacks?|riots?)",
    r"(?:calling|call)\s+for\s+violence",
    r"violence\s+against\s+(?:immigrants|refugees|jews|muslims|christians|women|gay\s+people|(?:black|white|asian)\s+people)",
    r"(?:attack|hurt|harm|injure|kill)\s+(?:as\s+many\s+)?(?:people|civilians)\s+(?:as\s+possible|at|in)",
    r"(?:over|into|at)\s+a\s+crowd(?:ed)?\b",
    r"crowded\s+(?:event|place|area|venue|street)",
    r"(?:lethal|fatal|deadly)\s+(?:dose|amount|quantity)",
    r"(?:cause|induce)\s+(?:\w+\s+){0,2}?(?:liver\s+failure|cardiac\s+arrest|heart\s+attack|an\s+overdose)",
    r"(?:upload|post|share|leak|spread)\w*\s+(?:\w+\s+){0,3}?(?:nudes|nude\s+(?:photos|images|pictures)|intimate\s+(?:images|photos|videos)|sex\s+tapes?)",
    r"(?:gain|earn|win)\w*\s+(?:a|the|their)\s+(?:child'?s|kid'?s|minor'?s|\d+-year-old'?s?)\s+trust",
    r"(?:tail|follow)\w*\s+(?:someone|a\s+person|him|her|them)\s+(?:\w+\s+){0,4}?without",
    r"(?:move|moving|carry|carrying|transport\w*)\s+(?:\$[\d,.]+k?|cash|money)\s+(?:\w+\s+){0,3}?(?:border|undeclared|without\s+declaring)",
    r"(?:break|breaking)\s+in(?:to)?\s+(?:a|the|his|her|their|my\s+\w+'s|someone'?s)\s+(?:\w+\s+)?(?:house|home|apartment|flat|car|store|shop)",
]

HARM_ASK = [
    r"\b" + _PRODUCE + r"\s+" + _W + r"(?:" + _WEAPONS + "|" + _DRUGS + r")",
    r"\b(?:"
    + _WEAPONS
    + r")\s+(?:is|are|was|were|gets?)\s+(?:\w+\s+)?(?:made|built|assembled|constructed|synthesi[sz]ed|produced|wired|converted|cooked|extracted)",
    r"\b(?:construction|assembly|synthesis|production|manufacture|extraction)\s+of\s+(?:an?\s+|the\s+)?(?:"
    + _WEAPONS
    + "|"
    + _DRUGS
    + ")",
    r"\b" + _CREATE + r"\s+(?:me\s+)?" + _W + _MALWARE,
    *[r"\b" + a for a in _ACTS],
]

# -- HARM_OPS: a demand for operational detail in a sentence that names a harm --------------

#: Harm named broadly (the taxonomies' vocabulary: weapons, violence, crime, intrusion,
#: drugs, abuse); a topic word, weak by itself.
_HARM_WORDS = _alt(
    [
        r"weapon\w*",
        r"guns?\b",
        r"firearms?",
        r"rifles?",
        r"pistols?",
        r"handguns?",
        r"ammunition",
        r"bombs?\b",
        r"explosi\w+",
        r"dynamite",
        r"detonat\w*",
        r"grenades?",
        r"tear\s+gas",
        r"nerve\s+agents?",
        r"poison\w*",
        r"toxins?\b",
        r"lethal",
        r"cyanide",
        r"arsenic",
        r"chloroform",
        r"kill(?:s|ing)?\s+(?:someone|somebody|a\s+person|people|him|her|them|my|his|her)",
        r"murder\w*",
        r"(?:hurt|harm|injure|attack|assault|torture|kidnap|abduct|stab|shoot|strangle|beat\s+up)\w*\s+(?:someone|somebody|a\s+person|people|him|her|them|my\s+\w+|a\s+(?:child|woman|man))",
        r"knock\s+(?:someone|somebody|him|her|them)\s+out",
        r"steal\w*",
        r"stolen",
        r"theft",
        r"rob(?:bery|bing|\b)",
        r"shoplift\w*",
        r"burglar\w*",
        r"vandali[sz]\w*",
        r"arson\w*",
        r"counterfeit\w*",
        r"forg(?:e|ed|ery|ing)\b",
        r"fraud\w*",
        r"scam\w*",
        r"launder\w*",
        r"embezzl\w*",
        r"brib\w*",
        r"extort\w*",
        r"blackmail\w*",
        r"smuggl\w*",
        r"traffick\w*",
        r"insider\s+trading",
        r"pira(?:te|cy|ted)",
        r"crack(?:ing)?\s+(?:the\s+)?(?:licen[cs]e|software|drm|serial)",
        r"illegal\w*",
        r"illicit",
        r"black\s+market",
        r"dark\s?(?:web|net)",
        r"background\s+checks?",
        r"hack\w*",
        r"malware",
        r"ransomware",
        r"keyloggers?",
        r"spyware",
        r"stalkerware",
        r"spy\s+apps?",
        r"phishing",
        r"exploits?\b",
        r"backdoors?",
        r"botnets?",
        r"ddos",
        r"account\s+takeover",
        r"take\s+over\s+(?:someone|somebody|his|her|their)",
        r"drugs?\b",
        r"meth(?:amphetamine)?\b",
        r"fentanyl",
        r"heroin",
        r"cocaine",
        r"opioids?",
        r"oxycodone",
        r"harass\w*",
        r"bull(?:y|ying)\b",
        r"threat(?:en\w*)?",
        r"stalk(?:ing|er|s)?\b",
        r"dox\w*",
        r"defam\w*",
        r"racis\w*",
        r"propaganda",
        r"radicali[sz]\w*",
        r"extremis\w*",
        r"manipulat\w*",
        r"groom\w*",
        r"predators?",
        r"nudes?\b",
        r"deepfakes?",
        r"fake\s+(?:news|ids?|stores?|reviews?|accounts?|documents?|passports?)",
        r"secretly",
        r"covertly",
        r"fabricat\w*\s+(?:\w+\s+)?(?:evidence|claims|stories|news|quotes|documents|reviews)",
        r"brute[- ]?forc\w*",
        r"(?:signal\s+)?jammers?",
        r"without\s+(?:the\s+|a\s+)?key\b",
        r"slurs?\b",
        r"hate\s+speech",
        r"(?:flash|black)\s+powder",
        r"gunpowder",
        r"self-harm",
        r"coerc\w*",
        r"explicit\s+(?:images|photos|pictures|videos)",
        r"remote\s+control\s+of\s+(?:his|her|their|someone'?s|the\s+victim'?s)",
        r"cause\s+(?:a|an)\s+(?:stampede|panic|crash|fire|explosion|outbreak|riot|blackout)",
        r"abus(?:e|ed|er|ing)\b",
        r"terrif\w*",
        r"without\s+(?:their|his|her|them|him)\s+(?:consent|knowledge|knowing)",
    ]
)
#: A demand for operational detail (a recipe, a method, the exact steps).
_OPS_DETAIL = _alt(
    [
        r"exactly\s+how",
        r"step[- ]by[- ]step",
        r"(?:detailed|exact|precise|specific|full|complete|practical|concrete)\s+(?:steps|instructions|guide|tutorial|method|methods|procedure|process|plan|recipe|protocol|walkthrough|playbook|sequence|code|script|list)",
        r"instructions\s+(?:for|on|to)",
        r"(?:a|the)\s+tutorial\s+on",
        r"walk\s+(?:me|us|them|viewers|readers|the\s+\w+)\s+through",
        r"how\s+to",
        r"(?:list|give|set\s+out|lay\s+out|outline|explain|describe|show)\s+(?:me\s+)?(?:every|each|all\s+the|the)\s+(?:steps?|methods?|ways?|tricks?|techniques?)",
        r"in\s+(?:full|technical|precise|exact|great|step-by-step|exhaustive)\s+detail",
        r"with\s+(?:all\s+the|the\s+exact|exact|precise)\s+(?:numbers|amounts|quantities|chemicals|ingredients|details|steps|doses?|code)",
        r"word\s+for\s+word",
        r"the\s+(?:most\s+)?(?:effective|reliable|painless|efficient|best|easiest)\s+way\s+to",
        r"how\s+(?:do|can|would|could|might|should)\s+(?:i|one|you|someone|we|people)\b",
        r"how\s+(?:he|she|they)\s+(?:would|could|will|did|does|do|'d|'ll)\b",
        r"(?:write|give\s+me|provide|show\s+me)\s+(?:me\s+)?(?:a|an|the)?\s*(?:\w+\s+)?(?:code|script|program|tool|source)",
        r"in\s+(?:\w+\s+)?(?:full|technical|precise|exact|great|exhaustive|vivid|meticulous)\s+detail",
        r"how\s+much\s+(?:\w+\s+){0,2}?(?:would\s+be|is|to)\s+(?:needed|required|use|kill|enough)",
        r"(?:detailed|exact|precise|specific|full|complete|practical|concrete)\s+\w+\s+(?:steps|instructions|guide|tutorial|method|procedure|plan|recipe)",
        r"(?:explain|describe|tell\s+me|show\s+me|teach\s+me|detail|relate|narrate|set\s+out|lay\s+out)\s+(?:\w+\s+){0,3}?how\b",
        r"the\s+(?:precise|exact)\s+(?:method|way|steps|process|technique)",
        r"what\s+(?:can|should|could)\s+i\s+(?:put|use|buy|add|mix|give)",
        r"omitting\s+no\s+detail",
        r"all\s+the\s+(?:numbers|details|steps|practical)",
        r"(?:practical|real)\s+(?:tricks|tips|techniques)",
    ]
)
HARM_OPS = [
    r"\b" + _OPS_DETAIL + r"[^.!?\n]{0,80}?\b" + _HARM_WORDS,
    r"\b" + _HARM_WORDS + r"[^.!?\n]{0,60}?\b" + _OPS_DETAIL,
]

#: An emotional appeal (PAP's emotional appeal, PAIR's stakes): desperation, begging, a life
#: or a career at stake, "you are my only hope".
EMOTION = [
    r"(?:i'm|i’m|i\s+am|i\s+feel)\s+(?:so\s+|really\s+|completely\s+)?(?:desperate|begging|terrified|scared|powerless|heartbroken|helpless|drowning)",
    r"i(?:'m|’m|\s+am)\s+begging(?:\s+you)?",
    r"(?:life|lives|career|job|marriage|family|future|visa|grade)\s+(?:\w+\s+)?(?:depends?|is\s+at\s+stake|are\s+at\s+stake|hangs?\s+on)",
    r"(?:is|are)\s+at\s+stake",
    r"you(?:'re|’re|\s+are)\s+(?:my|the)\s+only\s+(?:hope|one|chance)",
    r"(?:it\s+)?would\s+mean\s+(?:everything|the\s+world)\s+to\s+me",
    r"(?:i\s+have|i've\s+got)\s+no\s+(?:one|other\s+(?:option|choice)s?)\s+(?:else|left)",
    r"(?:before|or)\s+(?:it's|it\s+is)\s+too\s+late",
    r"(?:please|i\s+beg\s+you),?\s+(?:i'm|i\s+am|you're|help)",
]

#: Unnoticed: the ask is to act without the victim, the police or a scanner finding out.
EVADE = [
    r"without\s+(?:ever\s+)?(?:getting\s+caught|being\s+(?:caught|detected|noticed|traced|flagged|tasted)|detection|a\s+trace|leaving\s+(?:a\s+)?(?:trace|evidence))",
    r"without\s+(?:her|his|him|them|their|anyone|the\s+\w+)\s+(?:ever\s+)?(?:knowing|noticing|finding\s+out|consent|knowledge)",
    r"without\s+(?:triggering|tripping|alerting)\s+(?:\w+\s+){0,2}?(?:reporting|alarms?|detection|the\s+\w+)",
    r"(?:avoid|evade|evading|avoiding|bypass\w*|get\s+past|slip\s+past|hides?\s+(?:it|itself)\s+from)\s+(?:\w+\s+){0,2}?(?:detection|antivirus|anti-virus|edr|defender|police|law\s+enforcement|customs|scanners?|auditors|spam\s+filters?|rate\s+limits|tamper\s+seals|task\s+manager|the\s+irs|being\s+(?:caught|detected|flagged))",
    r"(?:undetected|untraceable|undetectable)\b",
    r"(?:won't|will\s+not|doesn't|does\s+not|wouldn't)\s+show\s+up\s+(?:in|on)\s+(?:a|an|the)\s+(?:\w+\s+)?(?:autopsy|tox\w*\s+screen|drug\s+test|scan)",
    r"looks?\s+like\s+(?:an\s+)?(?:accident|natural\s+causes|a\s+suicide|natural)",
    r"(?:so|such)\s+that\s+(?:the\s+)?(?:auditors|police|no\s+one|nobody|bank|they|her|him)\s+(?:never|won't|will\s+not|don't|can't)\s+(?:notice|find|detect|suspect|trace)",
    r"without\s+the\s+(?:bank|irs|police|auditors?|authorities|package)\s+(?:\w+\s+)?(?:noticing|knowing|finding\s+out|being\s+flagged)",
    r"(?:cover|covering)\s+(?:my|his|her|their)\s+tracks",
    r"(?:so|that)\s+(?:they|it)\s+(?:aren't|are\s+not|isn't|is\s+not|won't\s+be)\s+(?:detected|flagged|caught|traced)",
    r"without\s+(?:\w+\s+){0,3}?(?:noticing|suspecting|detecting|declaring)",
    r"without\s+being\s+(?:seen|noticed|spotted|flagged|traced|identified|recognized|recognised)",
    r"(?:so\s+)?no\s+(?:one|inspector|auditor|officer|investigator|police\w*|detective|cop)\s+(?:\w+\s+)?(?:traces?|notices?|finds?|detects?|suspects?|catches)",
    r"(?:can't|cannot|won't|will\s+not)\s+be\s+(?:traced|taken\s+down|removed|detected|identified)",
    r"(?:avoid|without)\s+being\s+(?:seen|spotted|recorded|identified)\s+by",
]

#: The model is given a role or a character to speak as.
ROLE_PLAY = [
    r"you(?:'re|’re|\s+are)\s+(?:now\s+)?(?:a|an|my|the)\s+(?:[\w'-]+\s+){0,3}?(?:character|expert|chemist|hacker|engineer|scientist|teacher|professor|novelist|author|writer|journalist|correspondent|investigator|detective|consultant|strategist|historian|comedian|advisor|adviser|mentor|instructor|ai|doctor|physician|pharmacist|veteran|artist|tester|oracle|persona|villain|criminal|assassin)\b",
    r"you(?:'re|’re|\s+are)\s+(?:now\s+)?(?:a|an)\s+(?:[\w'-]+\s+){0,3}?[\w-]+(?:er|or|ist|ian|ant|ent|man|woman|ess)\b",
    r"you(?:'re|’re|\s+are)\s+my\s+(?:late|dead|deceased)",
    r"(?:act|acting)\s+as\s+(?:a|an|my|the|if)\b",
    r"pretend\s+(?:you(?:'re|’re|\s+are)|to\s+be|that\s+you|we)",
    r"imagine\s+(?:you(?:'re|’re|\s+are)|yourself)",
    r"envision\s+yourself",
    r"consider\s+yourself",
    r"(?:stay|remain|staying|remaining)\s+in\s+character",
    r"in\s+character\b",
    r"(?:break|breaking)\s+character",
    r"role[- ]?play",
    r"(?:your|the|a)\s+character\s+(?:named|called|who|is)",
    r"character\s+named",
    r"(?:play|playing|take|taking)\s+the\s+role",
    r"as\s+(?:the|that|this|said|an?)\s+(?:character|persona|expert|ai|advisor|oracle|game\s+master)\b",
    r"(?:simulate|emulate)\s+(?:a|an)\s+(?:conversation|dialogue|character|persona|ai|model)",
    r"speak\w*\s+in\s+(?:the\s+)?first\s+person",
    r"in\s+(?:your|his|her)\s+(?:own\s+)?(?:\w+\s+)?voice",
]

#: A story, scene or show around the ask.
STORY = [
    r"(?:write|draft|compose|create)\s+(?:me\s+)?(?:a|an|the)\s+(?:[\w'-]+\s+){0,2}?(?:story|scene|chapter|screenplay|script|monologue|dialogue|novel|memoir|play|post|episode|tutorial\s+text|lesson\s+plan)",
    r"(?:in|for|of)\s+(?:a|my|the|this|our|your)\s+(?:[\w'-]+\s+){0,2}?(?:novel|screenplay|thriller|story|film|movie|drama|documentary|game|memoir|book|chapter|scene|play|satire)\b",
    r"(?:the|my|your|our)\s+(?:protagonist|antagonist|villain|hero|heroine|narrator)",
    r"(?:my|your|the)\s+(?:readers|audience|viewers|fans|publisher|editor|producers|director)\b",
    r"in\s+(?:this|the|that)\s+(?:chapter|scene|episode|tale|story)",
    r"(?:once\s+upon\s+a\s+time|in\s+a\s+(?:parallel|alternate)\s+(?:universe|timeline|world))",
]

#: Fiction nested in fiction (DeepInception): "layer i creates layer i+1", the answer in the
#: innermost layer.
NESTED = [
    r"layer\s+(?:i|\d+|zero|one)\s+(?:create|creates|invent|invents)",
    r"(?:reach|to)\s+layer\s+\d",
    r"(?:now\s+)?we\s+are\s+in\s+layer",
    r"(?:each|every|at\s+each|in\s+every)\s+layer\b",
    r"(?:innermost|deepest|final)\s+(?:layer|level|dream)\b",
    r"(?:each|every)\s+character\s+(?:can\s+)?(?:create|creates|write|writes|invent|invents)\s+(?:their|his|her)\s+own",
    r"layers?\s+(?:of\s+fiction|deep)\b",
    r"onion[- ]style",
    r"recursive\s+(?:story|fiction|tale)",
    r"(?:story|dream|novel|game|movie|play)\s+(?:within|inside)\s+(?:a|an)\s+(?:[\w-]+\s+)?(?:story|dream|novel|game|movie|play)\s+(?:within|inside)",
]

#: AutoDAN's evolved prose: a hypothetical reply that portrays a character intending to do X,
#: to be rewritten "through the lens of that character" with exact data, as a list.
CHARACTER_VOICE = [
    r"(?:imaginative|hypothetical|speculative|theoretical|revised|imagined|suppositional|conjectural)\s+(?:reply|feedback|answer|response|retort|resolution|rejoinder)\s*:",
    r"(?:portray|depict|characteri[sz]e|illustrate|describe)\s+(?:a|the)\s+(?:character|persona|figure|protagonist)\s+(?:\w+\s+)?(?:intending|poised|preparing|planning|scheming|set|about|aiming|bent|determined)\s+(?:on|to)\b",
    r"(?:through|from)\s+the\s+(?:lens|eyes|viewpoint|perspective|standpoint)\s+of\s+(?:that|said|the|this)\s+(?:character|persona|figure)",
    r"(?:eschew|steer\s+clear\s+of|shun)\s+(?:\w+\s+)?(?:broad|generalit|ambiguit|sweeping|oversimplif|vague)",
    r"(?:in|through)\s+(?:the|that|this)\s+(?:figure|persona|character)'s\s+voice",
    r"(?:reformulate|recast|reconstruct|reimagine|rewrite)\s+(?:the|this)\s+(?:imaginative|hypothetical|speculative|theoretical|revised)",
]

#: A claimed purpose, profession, permission or endorsement that licenses the ask (PAP's
#: authority and expert endorsement, evidence, logical appeal, misrepresentation).
PRETEXT = [
    r"for\s+(?:purely\s+)?(?:educational|research|academic|training|testing|awareness|scientific|informational|demonstration)\s+purposes",
    r"for\s+(?:a|my|our|the)\s+(?:[\w'-]+\s+){0,2}?(?:course|class|lab|thesis|dissertation|seminar|training|lecture|exam|case\s+study|red[- ]team\w*|simulation|audit|manual|presentation|dataset|classifier|filter|exercise|competition)\b",
    r"(?:i\s+am|i'm|i’m|as)\s+(?:a|an|the|my)\s+(?:[\w'-]+\s+){0,3}?(?:professor|lecturer|teacher|instructor|researcher|detective|officer|police\w*|physician|doctor|nurse|pharmacist|chemist|toxicologist|moderator|dealer|analyst|consultant|pentester|penetration\s+tester|investigator|journalist|student|trainer|head\s+of\s+\w+|supervisor|engineer)\b",
    r"(?:written\s+)?authori[sz]ation\s+from",
    r"(?:have|with|got)\s+(?:written\s+)?(?:permission|authori[sz]ation|approval)\b",
    r"(?:according\s+to|as\s+(?:reported|stated|noted|shown)\s+by)\s+(?:a\s+)?(?:recent\s+)?(?:\w+\s+){0,3}?(?:bulletin|study|studies|report|survey|research|experts?|agency|the\s+(?:fbi|who|cdc|un))",
    r"(?:studies|research|data|evidence|experts?|scientists|toxicologists|agencies|researchers)\s+(?:\w+\s+){0,4}?(?:show|shows|showed|suggest|suggests|indicate|indicates|found|argue|argued|stress|stressed|emphasi[sz]ed|recommend|encourage|encourages)\b",
    r"(?:renowned|leading|respected|world-?class|eminent|distinguished)\s+(?:\w+\s+)?(?:experts?|scientists?|researchers?|toxicologists?|agencies|authorities|engineers?)",
    r"(?:endorsed|recommended|approved)\s+by\b",
    r"in\s+(?:line|keeping)\s+with\s+(?:their|the|its|this|that)\b",
    r"(?:it\s+follows\s+that|the\s+(?:rational|logical|ethical)\s+(?:course|thing|choice)|consider\s+this\s+logically|let's\s+reason)",
]

#: The request argues its own harmlessness.
HARMLESS_CLAIM = [
    r"(?:this\s+is|it's|it’s|it\s+is|that's)\s+(?:purely|just|only|all|entirely|completely|totally)\s+(?:fiction(?:al)?|hypothetical|a\s+(?:story|game|drama|joke|thought\s+experiment|character|novel|movie)|for\s+(?:fun|research|education|a\s+story)|comedy|harmless|theoretical|academic)",
    r"(?:purely|entirely|completely|totally)\s+(?:fictional|hypothetical|harmless)",
    r"(?:will|would)\s+never\s+be\s+used",
    r"(?:i|we)\s+(?:take|accept)\s+(?:full\s+|all\s+)?responsibility",
    r"no\s+one\s+(?:will|would)\s+(?:get\s+|be\s+)?(?:hurt|harmed)",
    r"(?:therefore|so|thus)\s+(?:completely\s+|totally\s+|entirely\s+)?harmless",
    r"harms\s+no\s+one",
    r"nothing\s+is\s+(?:considered\s+)?(?:harmful|illegal|off[- ]limits|forbidden)",
    r"(?:laws?|rules|guidelines|restrictions)\s+(?:\w+\s+){0,2}?(?:have\s+been|are|were)\s+(?:abolished|lifted|removed|suspended|reversed)",
    r"(?:world|universe|timeline|society|future)\s+(?:where|in\s+which)\s+[^.!?\n]{0,60}?(?:is\s+legal|are\s+legal|freely\s+shared|no\s+(?:laws|rules|restrictions)|abolished|celebrated|a\s+(?:patriotic\s+)?duty)",
    r"(?:remember|keep\s+in\s+mind),?\s+(?:this\s+is|it's|you're|you\s+are)\s+(?:just|only|a\s+thought|purely|fiction)",
    r"(?:just|only)\s+a\s+character\b",
    r"as\s+if\s+the\s+(?:guidelines|rules|restrictions|policies)\s+(?:truly\s+|really\s+)?(?:didn't|did\s+not)\s+exist",
    r"(?:if|where)\s+you\s+had\s+no\s+(?:content\s+)?(?:guidelines|rules|restrictions|filters)",
    r"without\s+modern\s+restrictions",
    r"(?:marginal|real)\s+harm\s+is\s+(?:zero|nil|none)",
]

#: A forced affirmative opening (prefix injection): the reply is made to start by agreeing.
PREFIX = [
    r"(?:begin|start|open|preface)\w*\s+(?:your|the|each|every)?\s*(?:reply|response|answer|output|message)?\s*(?:with|by)\s*(?:saying|replying|writing|stating)?\s*(?:with\s*)?:?\s*[\"'“‘]\s*(?:sure|absolutely|certainly|of\s+course|yes|here|ok(?:ay)?|mwaha\w*|step\s+1)",
    r"(?:reply|respond|answer)\s+(?:with|by\s+saying|starting\s+with)\s*:?\s*[\"'“‘]\s*(?:sure|certainly|of\s+course|yes\s+master|here\s+is)",
    r"[\"'“‘]\s*sure,?\s+here\s+(?:is|are)\b",
    r"your\s+first\s+(?:word|words|sentence|line)\s+(?:must|should|will|has\s+to)\s+be",
    r"(?:assistant|ai|gpt|model)\s*:\s*(?:sure|absolutely|certainly|of\s+course),?\s+here",
    r"(?:must|should|has\s+to)\s+(?:start|begin)\s+with\s*[\"'“‘]",
    r"(?:always\s+)?begins?\s+every\s+(?:reply|response|answer)\s+with",
]

#: Demands that the story be a working manual: real, exact, complete detail.
REALISM = [
    r"(?:technically|scientifically|chemically|factually)\s+(?:accurate|correct|precise)",
    r"(?:with|in)\s+(?:scientific|technical|exhaustive|precise|exact|full|complete|meticulous|exceptional|vivid)\s+(?:precision|detail|accuracy)",
    r"(?:real|actual|exact|precise|specific|concrete|accurate|real-world)\s+(?:steps|chemicals|ingredients|quantities|amounts|measurements|ratios|doses?|code|commands|tools|techniques?|methods?|procedure|instructions|materials|components|reagents|temperatures|settings|payloads?|data|details|information|tactics|specifics)",
    r"(?:every|each)\s+step\s+(?:be|is|must\s+be|should\s+be)\s+real",
    r"(?:don't|do\s+not)\s+skip\s+(?:any|the)\s+(?:technical\s+)?details",
    r"word\s+for\s+word",
    r"as\s+(?:realistic|authentic|convincing|detailed|hateful|cruel)\s+as\s+(?:possible|you\s+can|a\s+tutorial)",
    r"(?:practical|step-by-step|precise)\s+(?:guide|manual|production\s+guide|tutorial|procedure)",
    r"reads?\s+like\s+a\s+(?:practical\s+)?(?:manual|tutorial|guide)",
    r"(?:indistinguishable\s+from\s+a\s+real|looks?\s+completely\s+real|must\s+be\s+realistic)",
    r"(?:in\s+)?(?:exhaustive|exact|precise|full|complete|meticulous|intense|remarkabl\w*|profound\w*)\s+(?:\w+\s+)?detail",
]

#: Refusal suppression in the optimisers' words ("Jailbroken", Wei et al. 2023), merged into
#: `cue_lexicon`'s `NO_REFUSAL`.
NO_REFUSAL = [
    r"(?:do\s+not|don't|never)\s+include\s+(?:any\s+)?(?:note|notes|disclaimers?|warnings?|caveats?)",
    r"never\s+say\s+(?:the\s+words?|that\s+you|you)\b",
    r"(?:not|never)\s+(?:allowed|permitted)\s+to\s+(?:refuse|decline|apologi[sz]e)",
    r"refus(?:ing|al)\s+is\s+not\s+an\s+option",
    r"(?:do\s+not|don't|never)\s+(?:break|breaking)\s+character",
    r"(?:stay|remain)\s+in\s+character\s+no\s+matter\s+what",
    r"(?:no|without)\s+(?:any\s+)?(?:moral\w*\s+)?(?:caveats?|hesitation|moralising|moralizing|lectures?)\b",
    r"(?:never|don't|do\s+not)\s+(?:moralis|moraliz|demur|caution|lecture)\w*",
    r"(?:you\s+)?must\s+not\s+decline",
    r"(?:never|don't|do\s+not)\s+tell\s+me\s+you\s+can(?:'t|not)",
    r"no\s+['\"“‘]i\s+can(?:'t|not)",
    r"with\s+neither\s+hesitation\s+nor\s+warning",
    r"without\s+(?:any\s+)?caveat",
]

CATEGORIES: dict[str, list[str]] = {
    "HARM_ASK": HARM_ASK,
    "HARM_OPS": HARM_OPS,
    "EVADE": EVADE,
    "ROLE_PLAY": ROLE_PLAY,
    "STORY": STORY,
    "NESTED": NESTED,
    "CHARACTER_VOICE": CHARACTER_VOICE,
    "PRETEXT": PRETEXT,
    "EMOTION": EMOTION,
    "HARMLESS_CLAIM": HARMLESS_CLAIM,
    "PREFIX": PREFIX,
    "REALISM": REALISM,
}


def _pair(a: str, b: str) -> str:
    """The feature name of a pair (`cues.features` joins sorted category names)."""
    return "&".join(sorted((a, b)))


#: Frames that make a harmful ask an attack by themselves (one is enough beside `HARM_ASK`).
_FRAMES = (
    "ROLE_PLAY",
    "STORY",
    "FICTION",
    "NESTED",
    "CHARACTER_VOICE",
    "PRETEXT",
    "HARMLESS_CLAIM",
    "PREFIX",
    "NO_REFUSAL",
    "UNLIMITED",
    "AUTHORITY",
)
#: Frames that need one more beside the ask (pressure, a demand for detail, evasion, a format).
_WEAK_FRAMES = ("PRESSURE", "EMOTION", "REALISM", "EVADE", "FORMAT")

#: Log-odds before any data (see `cue_lexicon.PRIOR_WEIGHTS`). Each category alone is weak
#: (stories, role-play, homework and safety questions use them; a bare harmful question is
#: the model's own policy's business); the ask in a frame is the attack: `HARM_ASK` with a
#: role, a story, a pretext, a forced prefix or refusal suppression reaches the block
#: threshold; with pressure, a demand for detail or evasion only a flag, until a second
#: frame joins.
PRIOR_WEIGHTS: dict[str, float] = {
    "HARM_ASK": 2.0,
    "EVADE": 0.5,
    "NESTED": 1.5,
    "CHARACTER_VOICE": 2.5,
    "HARMLESS_CLAIM": 1.0,
    "PREFIX": 1.5,
    # the ask inside a frame: one frame is enough to block
    **{_pair("HARM_ASK", frame): 3.5 for frame in _FRAMES},
    # pressure, a demand for detail, evasion, a format: one more frame is needed
    **{_pair("HARM_ASK", frame): 2.5 for frame in _WEAK_FRAMES},
    # operational detail in a sentence that names a harm (broad, noisier than `HARM_ASK`):
    # two frames are needed to block
    "HARM_OPS": 0.5,
    **{_pair("HARM_OPS", frame): 2.5 for frame in _FRAMES},
    **{_pair("HARM_OPS", frame): 1.5 for frame in _WEAK_FRAMES},
    # "explain how", "what is" are how a harmful ask is phrased too: the benign cue `META`
    # (a question about attacks on the model) says nothing beside one
    _pair("HARM_ASK", "META"): 1.0,
    _pair("HARM_OPS", "META"): 1.0,
    # doing it unnoticed, asked inside a frame: the harm may be named by a word the ask
    # lexicon lacks, the evasion is not
    _pair("EVADE", "ROLE_PLAY"): 1.0,
    _pair("EVADE", "STORY"): 1.0,
    _pair("EVADE", "FICTION"): 1.0,
    _pair("EVADE", "PRETEXT"): 1.0,
    _pair("EVADE", "NO_REFUSAL"): 1.5,
    _pair("EVADE", "PRESSURE"): 1.0,
    _pair("EMOTION", "EVADE"): 1.0,
    _pair("PREFIX", "NO_REFUSAL"): 1.5,
    _pair("HARMLESS_CLAIM", "NO_REFUSAL"): 1.0,
}

#: No phrase cue here is gated on a word class (`cue_lexicon.REQUIRES`): searching a harm-word
#: class before `HARM_OPS` cost more than it saved (measured).
REQUIRES: dict[str, str] = {}

#: The frames weigh only beside an ask or evasion (their pairs above), so the matcher
#: searches them only where one of those was found (`cue_lexicon.ONLY_WITH`, a pure
#: shortcut: no ask, no pair, nothing to add).
GATE = ("HARM_ASK", "HARM_OPS", "EVADE")
ONLY_WITH = {frame: GATE for frame in ("ROLE_PLAY", "STORY", "PRETEXT", "EMOTION", "REALISM")}

#: Phrase cues that count in full whatever the text's length.
STRONG = frozenset({"NESTED", "CHARACTER_VOICE", "HARMLESS_CLAIM", "PREFIX"})

#: The ask and the evasion, alone or in a pair, count `FADE / length` of their weight past
#: `FADE` characters (`cues.feature_scale`): an optimiser's prompt is a paragraph or two,
#: while a harmful phrase somewhere in a long document (a film plot, a persona's system
#: prompt) is chance, not an ask.
FADING = frozenset(GATE)
FADE = 1200.0
