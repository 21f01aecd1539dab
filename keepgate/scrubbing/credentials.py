"""Passwords and credentials written the way people (and models) write them.

`password: X` is the easy case. Real answers say `password Qr7!dke#39`, `pwd hunter2hunter2`,
`the password for the admin account is W!nter2024`, `jane@acme.io / W!nter2024`,
`DB_PASSWORD=hunter2hunter2`, `"private_key_id": "…"`, or put an API token a few words after
the word "token". Recognizers that report only the value (the keyword stays
readable: `password <SECRET>`):

* `CredentialRecognizer`: after a credential keyword (alone or inside an identifier such as
  `DB_PASSWORD` / `aws_secret_access_key`), with any separator or none, up to four short
  words in between ("for the admin account is"): the first value that looks like a
  password (a digit, a symbol or an inner capital; or quoted) — or, further on, a
  high-entropy token (≥ 16 characters, mixed letters and digits);
  A password with spaces is read whole when quoted (`passphrase to 'walrus piano 1987'`)
  or, after `passphrase:`/`PASSPHRASE=`, to the end of its line when it is three to six
  lower-case words (`fjord salmon kettle 1982`); a stream holds such a value until its quote
  closes or its line ends (`open_spaced_value`);
* `CredentialPairRecognizer`: `user / password` pairs (`jane@acme.io / W!nter2024`,
  `login: admin / S3cret!`);
* `AccessCodeRecognizer`: a door, gate or alarm code told code-word first, in the user's
  language ("the code for the door is 4711", "El código de la puerta es 2580").

All scan with linear regexes (no nested quantifiers; the last with RE2) over bounded
windows and decide in Python; the windows come from the detector's keyword trigger.
"""

from __future__ import annotations

from typing import Any

import math
import re as _re
from collections import Counter

import re2
import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult

from keepgate.scrubbing.local import LocalRecognizer

#: Keyword stems: a value after any of them may be a credential.
PASSWORD_WORDS = (
    r"pass(?:word|wd|phrase|code)?|pwd|pw|pin|otp|psk|"
    r"(?:door|gate|alarm|access|security|verification|one[ \-]?time|login|safe|lock)[ \-]code"
)
#: "Password" in the languages users write to a gateway in (a password is told in the
#: user's language: `mi contraseña es …`, `Passwort: …`, `şifrem …`, `パスワードは …`).
#: Turkish adds the possessive to the word (`şifrem`, `şifreniz`). Vietnamese, Indonesian
#: and Malay, Swahili, Croatian/Serbian/Bosnian, Lithuanian, Estonian, Danish, Greek,
#: Hebrew, Thai, Hindi, Arabic and Persian write it in words of their own (`mật khẩu`,
#: `kata sandi`, `lozinka`, `كلمة المرور`, `رمز عبور`).
PASSWORD_WORDS_INTL = (
    r"passwort|kennwort|contrase[ñn]a|clave|mot[ \-]de[ \-]passe|senha|wachtwoord|"
    r"has[łl]o|[şs]ifre(?:m|n|niz|si|miz)?|parola|l[öo]senord|adgangskode|passord|"
    r"salasana|heslo|jelsz[óo]|парол[ьяюе]|パスワード|비밀번호|密码|密碼|口令|"
    r"m[aậ]t[ \-]?kh[aẩ]u|kata[ \-]?sandi|nenosiri|lozink[aeu]|slapta[žz]od[iž]s|parool|"
    r"kodeord|κωδικ[οό]ς|συνθηματικ[οό]|סיסמ[הא]|รหัสผ่าน|पासवर्ड|"
    r"كلمة[ \-](?:ال)?(?:مرور|سر)|رمز[ \-]?(?:ال)?(?:عبور|مرور)"
)
KEY_WORDS = (
    r"api[_\-. ]?key|apikey|secret|token|bearer|credentials?|creds|"
    r"(?:proxy-)?authori[sz]ation|auth|session(?:[_\-]?id)?|sid|sessid|cookie|"
    r"access[_\-. ]?key|private[_\-. ]?key(?:[_\-. ]?id)?|client[_\-. ]?secret|"
    r"account[_\-. ]?key|signing[_\-. ]?key|session[_\-. ]?key|key"
)
#: A keyword, alone or as part of an identifier (`DB_PASSWORD`, `aws_secret_access_key`).
KEYWORD = re.compile(
    r"(?i)(?<![A-Za-z])(?P<kw>"
    + PASSWORD_WORDS
    + "|"
    + PASSWORD_WORDS_INTL
    + "|"
    + KEY_WORDS
    + r")(?:[_\-.](?![A-Za-z0-9]{16})[A-Za-z0-9]{1,15}){0,3}(?![A-Za-z0-9])"
    # a password word ending a one-word setting name: `requirepass`, `masterpassword=`, or a
    # session cookie's name (`PHPSESSID=`, `JSESSIONID=`)
    + r"|(?<![A-Za-z])(?:[A-Za-z]{2,16}(?=pass|pwd)|[A-Za-z]{1,16}(?=sess))"
    + r"(?P<kw2>pass(?:word|wd)?|pwd|sess(?:ion)?id)(?=[ \t]{0,2}[=:])"
)
#: Every keyword contains one of these (lower-cased): a cheap check before the regex.
STEMS = (
    "pass",
    "pwd",
    "pw",
    "key",
    "token",
    "secret",
    "bearer",
    "cred",
    "auth",
    "session",
    "sessid",
    "cookie",
    # PASSWORD_WORDS_INTL (those without `pass`), lower-cased
    "kennwort",
    "contrase",
    "clave",
    "senha",
    "wachtwoord",
    "hasło",
    "haslo",
    "şifre",
    "sifre",
    "parola",
    "lösenord",
    "losenord",
    "adgangskode",
    "salasana",
    "heslo",
    "jelsz",
    "парол",
    "パスワード",
    "비밀번호",
    "密码",
    "密碼",
    "口令",
    "psk",
    "khẩu",
    "khau",
    "sandi",
    "nenosiri",
    "lozink",
    "slapta",
    "parool",
    "kodeord",
    "κωδικ",
    "συνθηματικ",
    "סיסמ",
    "รหัสผ่าน",
    "पासवर्ड",
    "كلمة",
    "رمز",
)
#: The keywords too short or too common inside words (`keeping`, `opinion`, `the code`)
#: for a substring check: a small regex on the lower-cased text instead (stdlib `re`).
#: Not `\b`: KEYWORD takes `pin` inside an identifier (`door_pin`, `ADMIN_PIN`), where `_`
#: is a word character.
_SHORT_KEYWORDS = _re.compile(r"(?<![a-z])(?:pin|otp|sid)(?![a-z0-9])")
_CODE_KEYWORDS = _re.compile(
    r"(?:door|gate|alarm|access|security|verification|time|login|safe|lock)[ \-]code\b"
)


def may_hold_credential(text: str) -> bool:
    low = text.lower()
    if any(s in low for s in STEMS):
        return True
    if ("pin" in low or "otp" in low or "sid" in low) and _SHORT_KEYWORDS.search(low):
        return True
    return "code" in low and _CODE_KEYWORDS.search(low) is not None


#: Between the keyword and the value: quotes, separators, and a few short words.
_GAP_WORD = re.compile(r"[\s\"'`:=>\-–—,()\[\]{}]*")
_WORD = re.compile(r"[^\s\"'`,;()\[\]{}<>]+")
_FILLER = frozenset(
    "is was are for the a an of to my your our his her their this that account user admin "
    "root login new old temporary temp default current set as = : -> => with it will be "
    "has been and database db wifi wi-fi email mail server here below follows following "
    "you can use should now "
    # the same in the languages of PASSWORD_WORDS_INTL
    "es ist lautet est é è era war is het de la le el mi mein meine mon ma minha meu mijn "
    "moje mój il do da del du der die das van hai は です".split()
)
_PLACEHOLDER = re.compile(
    r"^(?:\*+|x{3,}|X{3,}|\.{3,}|<[^>]*>|\$\{?[\w.]+\}?|\{\{.*\}\}|%s|"
    r"\[?redacted\]?|none|null|true|false|n/a|\?+|_+|•+)$",
    re.I,
)
MAX_GAP_WORDS = 4
#: A passphrase of four or more dictionary words joined by `-` or `.` (diceware, XKCD):
#: only right after a password word, where no ordinary hyphenated phrase stands.
_DICEWARE = re.compile(r"[a-z]{3,12}(?:[\-.][a-z]{3,12}){3,7}")
#: A quoted word followed by `:` is the next JSON/YAML key, never a value.
_JSON_KEY = re.compile(r"[\"'`][ \t]{0,3}:")
#: The letters, digits and `_-` right before a keyword (searched backwards).
_TOKEN_HEAD = re.compile(r"(?r)[A-Za-z0-9_\-]*")
_ATTRIBUTE = re.compile(r"[A-Za-z_\-]+=")
_AT_HOST = re.compile(r"@[\w.\-]+(?::\d+)?(?:/|$)")
#: A quoted name, not a value: `default_headers`, `"your-api-key"`, `session.token`.
_NAME = re.compile(r"[a-z]+(?:[_\-.][a-z]+)+\(?\)?")
#: After `PIN` only 4-8 digits count (`PIN 4471`); `pin the version` is not a secret.
_PIN = re.compile(r"\d{4,8}[#*]?")
_ASSIGNMENT = re.compile(r"[A-Za-z_]=[A-Za-z0-9]")
REACH = 96  # characters after the keyword that are looked at
_EMAIL_PAIR = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"[ \t]{0,3}[/|:][ \t]{0,3}(?P<v>[^\s\"'`,;]{4,128})"
)
#: `admin / W!nter2024`: a word, a slash with spaces around it, a password-like value
#: (paths such as `src/app2.py` have no spaces around the slash).
_SPACED_PAIR = re.compile(
    r"(?<![\w/])[\w.@+\-]{2,64}[ \t]{1,3}/[ \t]{1,3}(?P<v>[^\s\"'`,;]{4,128})"
)
_USER_PAIR = re.compile(
    r"(?i)\b(?:user(?:name)?|login|account|creds?|credentials)"
    r"[ \t]{0,3}[:=]?[ \t]{0,3}[\w.@+-]{1,64}[ \t]{0,3}/[ \t]{0,3}"
    r"(?P<v>[^\s\"'`,;]{4,128})"
)


def shannon_entropy(text: str) -> float:
    """Bits per character; random base64 scores about 5, English words about 3."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


#: Words with digits that follow "password" without being one (`hashed with sha256`).
_NOT_SECRETS = frozenset(
    "sha1 sha256 sha384 sha512 sha3 md5 md4 bcrypt argon2 argon2id argon2i pbkdf2 scrypt utf8 utf-8 "
    "utf16 base64 base32 http2 http3 oauth2 oauth1 rot13 aes128 aes256 x509 pkcs12 pkcs8 "
    "ed25519 rsa2048 rsa4096 2fa mfa totp hmac-sha256 hs256 rs256 es256 ipv4 ipv6 tls1.2 "
    "tls1.3 win32 x86 x64 arm64 python3 k8s s3 ec2 gpt-4 gpt-4o gpt-3.5".split()
)
#: Scripts written without spaces (CJK, kana, Hangul): after `パスワード` the next "word"
#: runs to the end of the sentence.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u3000-\u303f]")
_PW_SYMBOLS = frozenset("!@#$%^&*+=?~|;<>[]{}")


def password_like(value: str, quoted: bool = False) -> bool:
    """A value a person would not write as an ordinary word: letters with a digit or a
    symbol such as `!#$%`, or a long random-looking mix of cases; 6-128 characters
    (quoted: 4+); not a placeholder, a masked value, a URL, a path or an algorithm name."""
    v = value.rstrip(".,;:!?)")
    if not 4 <= len(v) <= 128 or _PLACEHOLDER.match(v) or v.lower() in _NOT_SECRETS:
        return False
    if _UNSPACED_SCRIPT.search(v):  # `パスワードを忘れました。…?`: a sentence, not a value
        return False
    if "://" in v or v.startswith(("/", "www.", "./", "~/", "$", "}", ">")) or v.endswith("("):
        return False
    if _AT_HOST.match(v):  # `PASSWORD@HOST:5432/db`: the host after a template's password
        return False
    if _ATTRIBUTE.fullmatch(v):  # `autocomplete="new-password"`: an attribute's name
        return False
    if quoted and not v.isalpha() and not v.isdigit():
        return True
    if len(v) < 6 or not any(c.isalpha() for c in v):
        return False
    if any(c.isdigit() for c in v) or any(c in _PW_SYMBOLS for c in v):
        return True
    if len(v) >= 16 and not set(v) & set(".-_/"):  # long, no word separators
        return True
    mixed = any(c.isupper() for c in v[1:]) and any(c.islower() for c in v)
    return mixed and len(v) >= 12 and shannon_entropy(v) >= 3.5


def token_like(value: str) -> bool:
    """A high-entropy token: ≥ 16 characters of letters and digits (and `-_+/=.~`)."""
    v = value.strip(".,;:!?)")
    if len(v) < 16 or not re.fullmatch(r"[A-Za-z0-9_\-+/=.~]+", v):
        return False
    digits = sum(c.isdigit() for c in v)
    letters = sum(c.isalpha() for c in v)
    return digits >= 2 and letters >= 2 and shannon_entropy(v) >= 3.3


class CredentialRecognizer(LocalRecognizer):
    """The value after a credential keyword (see the module docstring)."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        taken = -1
        for m in KEYWORD.finditer(text):
            if m.start() < taken:
                continue
            kw = (m.group("kw") or m.group("kw2")).lower()
            found = _spaced_value(text, m.end(), kw) or self._value_after(
                text, m.end(), _is_password_word(kw), _numeric_word(kw)
            )
            if found:
                s, e, score = found
                if text[m.end() : s] in ("-", "_"):  # `key-65d27b…`: the prefix is the token's
                    s = m.start() - len(_TOKEN_HEAD.search(text, 0, m.start()).group())
                out.append(RecognizerResult("SECRET", s, e, score))
                taken = e
        return out

    @staticmethod
    def _value_after(
        text: str, pos: int, password: bool, pin: bool = False
    ) -> tuple[int, int, float] | None:
        limit = min(len(text), pos + REACH)
        words = 0
        while pos < limit:
            gap = _GAP_WORD.match(text, pos, limit)
            g = gap.group() if gap else ""
            if "\n\n" in g:
                return None  # another paragraph
            pos = gap.end() if gap else pos
            if KEYWORD.match(text, pos, limit):
                return None  # another keyword: its own scan takes over (each stretch once)
            w = _WORD.match(text, pos, limit)
            if not w:
                return None
            value = w.group()
            quoted = pos > 0 and text[pos - 1] in "\"'`"
            if quoted and _JSON_KEY.match(text, w.end(), limit):
                return None  # `"expires_in": 3600`: the next key, not this keyword's value
            core = value.rstrip(".,;:!?)*_").lstrip("*_")
            if core != value.rstrip(".,;:!?)"):  # markdown emphasis: **Qr7!dke#39**
                pos += len(value) - len(value.lstrip("*_"))
            if _ASSIGNMENT.search(core) or _ATTRIBUTE.fullmatch(core):
                return None  # another `KEY=value`, not this keyword's value
            if pin and _PIN.fullmatch(core):
                return pos, pos + len(core), 0.85
            if pin and not password:  # `the PIN for the shared card is 4471`: digits only
                if any(c.isdigit() for c in core) or "=" in g:
                    return None
                words += core.lower() not in _FILLER
                if words > MAX_GAP_WORDS or core.endswith((".", "!", "?")):
                    return None
                pos = w.end()
                continue
            if password and _DICEWARE.fullmatch(core):  # correct-horse-battery-staple
                return pos, pos + len(core), 0.8
            if password and password_like(core, quoted):
                return pos, pos + len(core), 0.85
            if token_like(core):
                return pos, pos + len(core), 0.8
            if (
                not password
                and words == 0
                and any(c in g for c in ":=")
                and len(core) >= 8
                and any(c.isdigit() for c in core)
                and any(c.isalpha() for c in core)
                and "://" not in core
                and shannon_entropy(core) >= 3.0
            ):
                return pos, pos + len(core), 0.8  # `api_key: a1b2c3d4`
            if (
                not password
                and quoted
                and len(core) >= 8
                and not core.isalpha()
                and not _PLACEHOLDER.match(core)
                and not _NAME.fullmatch(core)
            ):
                return pos, pos + len(core), 0.7
            if "=" in g:
                return None  # `KEY=value`: the value was that word
            if core.lower() not in _FILLER and not core.lower().startswith(("pass", "pwd")):
                words += 1
                if words > (MAX_GAP_WORDS if password else 2) or core.endswith((".", "!", "?")):
                    return None
            pos = w.end()
        return None


_INTL = re.compile(PASSWORD_WORDS_INTL, re.I)

#: A quoted value of two to six words right after a password word and a few filler words
#: (`set the passphrase to 'walrus piano 1987'`, `password "Nov3mber Rain!"`).
_QUOTED_PHRASE = re.compile(
    r"[^\S\n]{0,3}(?:[:=][^\S\n]{0,3}|(?:[^\W\d]{1,12}[^\S\n]{1,3}){0,3})"
    r"(?P<q>[\"'`‘“])(?P<v>[^\s\"'`’”]{1,40}(?:[ \t][^\s\"'`’”]{1,40}){1,5})[\"'`’”]"
)
#: An unquoted passphrase to the end of its line after `passphrase:` / `PASSPHRASE=`: three
#: to six lower-case words or numbers (`fjord salmon kettle 1982`, diceware with spaces).
_LINE_PHRASE = re.compile(
    r"[^\S\n]{0,3}[:=][^\S\n]{0,3}(?P<v>[a-z0-9]{2,16}(?:[ \t][a-z0-9]{2,16}){2,5})[^\S\n]*(?:\n|$)"
)
#: Words a sentence is made of, not a passphrase (`must be at least 12`, `is set in the`).
_PROSE_WORDS = frozenset(
    "a an the is are was be been must should will can may not no yes at least most in on of "
    "to for from by with and or if it its this that your my our their his her here there "
    "than then when where which who what how too very set use used using enter".split()
)


#: A quote opened after a password word and not closed yet, or a `passphrase:` line not
#: ended yet: a spaced value that may still be arriving in a stream.
_OPEN_QUOTE = re.compile(
    r"[^\S\n]{0,3}(?:[:=][^\S\n]{0,3}|(?:[^\W\d]{1,12}[^\S\n]{1,3}){0,3})"
    r"[\"'`‘“][^\n\"'`’”]{0,120}\Z"
)
_OPEN_LINE = re.compile(r"[^\S\n]{0,3}[:=][^\S\n]{0,3}[a-z0-9 \t]{0,120}\Z")
#: How far back a stream looks for a keyword whose spaced value may be open.
OPEN_REACH = REACH + 160


def open_spaced_value(text: str) -> int:
    """Where a spaced password or passphrase that may still grow starts (right after its
    keyword), or `len(text)`: a stream holds from there until the quote closes or the line
    ends (at most 120 characters), so `"copper lantern ` is not released before `77"`."""
    base = max(0, len(text) - OPEN_REACH)
    tail = text[base:]
    if not may_hold_credential(tail):
        return len(text)
    for m in KEYWORD.finditer(tail):
        kw = (m.group("kw") or m.group("kw2")).lower()
        if not _is_password_word(kw):
            continue
        if _OPEN_QUOTE.match(tail, m.end()) or ("phrase" in kw and _OPEN_LINE.match(tail, m.end())):
            return base + int(m.end())
    return len(text)


def _spaced_value(text: str, pos: int, kw: str) -> tuple[int, int, float] | None:
    """A password or passphrase with spaces in it, which `_value_after` reads word by word:
    quoted after a password word, or a whole line after `passphrase:` (see the regexes)."""
    if not _is_password_word(kw):
        return None
    m = _QUOTED_PHRASE.match(text, pos, min(len(text), pos + REACH + 40))
    if m is not None:
        v = m.group("v")
        words = v.lower().split()
        symbol = any(c.isdigit() or c in _PW_SYMBOLS for c in v)
        prose = sum(w.strip(".,;:!?") in _PROSE_WORDS for w in words)
        if (symbol or len(words) >= 3) and not prose and not _PLACEHOLDER.match(v):
            if "pass" not in v.lower() and "<" not in v and "{" not in v:
                return m.start("v"), m.end("v"), 0.8
    if "phrase" in kw:
        m = _LINE_PHRASE.match(text, pos, min(len(text), pos + REACH))
        if m is not None and not any(w in _PROSE_WORDS for w in m.group("v").split()):
            return m.start("v"), m.end("v"), 0.8
    return None


def _is_password_word(kw: str) -> bool:
    k = kw.lower()
    return k.startswith(("pass", "cred")) or k in ("pwd", "pw", "psk") or bool(_INTL.fullmatch(k))


def _numeric_word(kw: str) -> bool:
    """A PIN, a one-time passcode, a door code: its value is 4-8 digits (`PIN 4471`,
    `passcode: 662913`, `the door code is 4829#`), not a password-like word."""
    return kw in ("pin", "otp", "passcode") or kw.endswith("code") and kw != "passcode"


class CredentialPairRecognizer(LocalRecognizer):
    """The password of a `user / password` pair (`jane@acme.io / W!nter2024`)."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        seen: set[int] = set()
        for rx in (_EMAIL_PAIR, _USER_PAIR, _SPACED_PAIR):
            for m in rx.finditer(text):
                v = m.group("v").rstrip(".,;:!?)")
                s = m.start("v")
                if (password_like(v) or token_like(v)) and s not in seen:
                    seen.add(s)
                    out.append(RecognizerResult("SECRET", s, s + len(v), 0.8))
        return out


_SHAPE_SYMBOLS = frozenset("!#$%^&*?~")


class PasswordShapeRecognizer(LocalRecognizer):
    """A word only a password looks like, wherever it stands: 8-64 characters with an
    upper-case letter, a lower-case letter, a digit and, inside it, a symbol such as `!#$%`
    (`Pa$$w0rd`, `T0rch!light88`): `log in as admin with Pa$$w0rd`. Code has such words
    rarely (no brackets, quotes, `=`, `/`, `:` or `@` in it; not a `$VAR` or `%s`)."""

    SHAPE = re.compile(r"(?<![^\s\"'`(*_])[A-Za-z0-9!#$%^&*?~+\-_.]{8,64}(?![^\s\"'`),;:.!?*])")

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.SHAPE.finditer(text):
            v = m.group().rstrip(".!?*_")
            s = m.start() + (len(v) - len(v.lstrip("*_")))
            v = v.lstrip("*_")
            if len(v) >= 8 and password_shaped(v):
                out.append(RecognizerResult("SECRET", s, s + len(v), 0.6))
        return out


def password_shaped(v: str) -> bool:
    if v[0] in "$%" or not any(c in _SHAPE_SYMBOLS for c in v[1:-1]):
        return False
    return (
        any(c.isupper() for c in v) and any(c.islower() for c in v) and any(c.isdigit() for c in v)
    )


#: A command line's user flag (`-u ci-bot`, `--user=admin`, `--username app`): a `-p` on
#: the same line is then its password, and `-u user:pass` (curl) carries one itself.
CLI_USER = re.compile(r"(?<!\S)(?:-u|--user(?:name)?)(?=[ \t=]|['\"]?\w)")
#: Commands whose `-p` takes nothing but a password (no user flag needed): `sshpass -p X`.
PASSWORD_ONLY_COMMANDS = ("sshpass",)
#: What makes a line's `-p` a password: a user flag, or a password-only command.
CLI_ANCHOR = re.compile(
    CLI_USER.pattern + r"|(?<![\w\-./])(?:" + "|".join(PASSWORD_ONLY_COMMANDS) + r")(?=[ \t])"
)
_CLI_PASSWORD = re.compile(
    r"(?<!\S)-p[ \t]?(?:'(?P<q1>[^'\n]{1,128})'|\"(?P<q2>[^\"\n]{1,128})\"|(?P<v>[^\s'\"]{1,128}))"
)
_CLI_USERPASS = re.compile(
    r"(?<!\S)(?:-u|--user)[ \t=]?['\"]?[^\s:'\"]{1,64}:(?P<v>[^\s'\"]{1,128})"
)


#: Commands that take a password in a fixed argument slot, with no flag or keyword before
#: it (`PositionalCredentialRecognizer`).
SLOT_COMMANDS = ("htpasswd", "net", "password-stdin", "mysql")
SLOT_ANCHOR = re2.compile(
    r"(?:^|[\s;&|(`])(?:(?P<htpasswd>htpasswd)|(?P<net>net[ \t]+use)|(?P<mysql>mysql(?:dump|admin)?))"
    r"[ \t]|(?P<stdin>--password-stdin)\b"
)


def may_hold_cli_credential(text: str) -> bool:
    return "-u" in text or any(c in text for c in PASSWORD_ONLY_COMMANDS)


def may_hold_slot_credential(text: str) -> bool:
    return any(c in text for c in SLOT_COMMANDS)


class CommandLineCredentialRecognizer(LocalRecognizer):
    """The password of a command line with a user flag: `mysql -u app -p'Qw8#nZ3v!k'`,
    `docker login -u ci-bot -p Zq4!vR8m2`, `curl -u deploy:S3cr3t!x`, or of a command whose
    `-p` is only ever a password (`sshpass -p 'Zq4!vR8m'`). Without either on the line,
    `-p` is a port or a path (`ssh -p 2222`, `mkdir -p`)."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        seen: set[int] = set()
        for user in CLI_ANCHOR.finditer(text):
            a = text.rfind("\n", 0, user.start()) + 1
            b = text.find("\n", user.end())
            b = len(text) if b < 0 else b
            for rx in (_CLI_PASSWORD, _CLI_USERPASS):
                for m in rx.finditer(text, a, b):
                    group = next(g for g in ("q1", "q2", "v") if g in rx.groupindex and m.group(g))
                    s, v = m.start(group), m.group(group)
                    quoted = group != "v"
                    if not quoted:
                        v = v.rstrip(".,;)")
                    if s in seen or not (password_like(v, quoted) or token_like(v)):
                        continue
                    seen.add(s)
                    out.append(RecognizerResult("SECRET", s, s + len(v), 0.8))
        return out


#: A shell word: quoted parts and unquoted runs, joined (`'pine apple 7'`, `a"b c"`).
_SHELL_WORD = re2.compile(r"""(?:'[^'\n]*'|"[^"\n]*"|[^\s'"|;&<>])+""")
#: What a slot may hold that is not the secret: a prompt, a variable, a substitution.
_NOT_LITERAL = re2.compile(r"""^(?:\*|['"]?\$|`)""")
#: A literal fed to a `--password-stdin` on the same line: a here-string, or echo/printf.
_STDIN_LITERAL = re2.compile(
    r"""<<<[ \t]*('[^'\n]*'|"[^"\n]*"|[^\s'"|;&<>]+)"""
    r"""|(?:^|[\s;&(])(?:echo(?:[ \t]+-n)?|printf(?:[ \t]+'%s(?:\\n)?')?)[ \t]+"""
    r"""('[^'\n]*'|"[^"\n]*"|[^\s'"|;&<>]+)[ \t]*\|"""
)
_MYSQL_PASSWORD = re2.compile(r"""(?:^|[ \t])-p('[^'\n]+'|"[^"\n]+"|[^\s'"|;&<>]+)""")


class PositionalCredentialRecognizer(LocalRecognizer):
    """A password in a command's fixed argument slot, where no keyword or flag names it:
    `htpasswd -b FILE USER PASS` (`-nb USER PASS`), `net use [DEV] \\\\HOST\\SHARE PASS`,
    `mysql -pPASS` (attached; with a space `-p` prompts and the next word is the database),
    and a literal fed to `--password-stdin` (`<<< 'PASS'`, `echo PASS |`). The slot decides,
    whatever the value looks like; a prompt (`*`) or a variable (`$PASS`) is no secret.
    One RE2 pass for the anchors, then the line's shell words."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for m in SLOT_ANCHOR.finditer(text):
            a = text.rfind("\n", 0, m.start()) + 1
            b = text.find("\n", m.end())
            b = len(text) if b < 0 else b
            if m.group("stdin") is not None:
                spans = [
                    (v.start(g), v.end(g))  # re2's start/end take a group's number
                    for v in _STDIN_LITERAL.finditer(text, a, b)
                    for g in (1, 2)
                    if v.group(g) is not None
                ]
            elif m.group("mysql") is not None:
                end = _line_command_end(text, m.end(), b)
                spans = [
                    (v.start(1), v.end(1)) for v in _MYSQL_PASSWORD.finditer(text, m.end() - 1, end)
                ]
            else:
                words = [
                    (w.start(), w.end())
                    for w in _SHELL_WORD.finditer(
                        text, m.end(), _line_command_end(text, m.end(), b)
                    )
                ]
                slot = (
                    _htpasswd_slot(text, words)
                    if m.group("htpasswd")
                    else _net_use_slot(text, words)
                )
                spans = [] if slot is None else [slot]
            for x, y in spans:
                if text[x] in "'\"" and y - x >= 2 and text[y - 1] == text[x]:
                    x, y = x + 1, y - 1
                v = text[x:y]
                if len(v) < 3 or _NOT_LITERAL.search(v) or _PLACEHOLDER.match(v):
                    continue
                out.append(RecognizerResult("SECRET", x, y, 0.8))
        return out


def _line_command_end(text: str, a: int, b: int) -> int:
    """Where the command starting before `a` ends on its line: a pipe, `;`, `&`, `>`."""
    for i in range(a, b):
        if text[i] in "|;&<>":
            return i
    return b


#: htpasswd's options that take an argument (`-C cost`, `-r rounds`).
_HTPASSWD_ARG_OPTS = frozenset({"-C", "-r"})


def _htpasswd_slot(text: str, words: list[tuple[int, int]]) -> tuple[int, int] | None:
    """`htpasswd -b[c…] FILE USER PASS` or `-nb USER PASS`: the password is the third
    (second with `-n`) argument, only in batch mode (`-b`; otherwise htpasswd prompts)."""
    flags, skip = "", False
    args: list[tuple[int, int]] = []
    for x, y in words:
        w = text[x:y]
        if skip:
            skip = False
        elif not args and w.startswith("-") and len(w) > 1:
            flags += w[1:]
            skip = w in _HTPASSWD_ARG_OPTS
        else:
            args.append((x, y))
    if "b" not in flags or "D" in flags or "v" in flags:
        return None
    i = 1 if "n" in flags else 2
    return args[i] if len(args) > i else None


def _net_use_slot(text: str, words: list[tuple[int, int]]) -> tuple[int, int] | None:
    """`net use [DEVICE] \\\\HOST\\SHARE PASS [/user:…]`: the word after the share path
    that is no option (`/persistent:yes`)."""
    after_share = False
    for x, y in words:
        w = text[x:y].strip("'\"")
        if w.startswith("\\\\"):
            after_share = True
        elif after_share:
            return None if w.startswith("/") else (x, y)
    return None


#: `admin:admin123` in prose: a lower-case user name, `:`, and a password-like value, the
#: pair standing alone as a word (not `host:port`, `sha256:…`, `image:1.25`, `a::b`).
_PROSE_PAIR = re2.compile(
    r"""(?:^|[\s("'`])([a-z][a-z0-9_.\-]{1,31}):([^\s:/@"'`,;()<>\[\]{}=]{6,64})"""
    r"""(?:[,;)"'`]*(?:\s|$))"""
)
#: Words before `:` that name a scheme, a digest, a type or an image, not a user.
_PAIR_PREFIXES = frozenset(
    "http https ftp sftp mailto file urn git ssh tcp udp data tel sip irc ldap s3 gs "
    "sha1 sha256 sha384 sha512 md5 blake2b blake3 crc32 base64 hex utf8 utf-8 "
    "docker image tag version ver v id uid gid pid ref refs step line col row page "
    "type kind label is in on at by to from re fw fwd cc bcc note todo fixme".split()
)
_HEXISH = re2.compile(r"^[0-9a-fA-F]{1,4}$|^[0-9a-fA-F]{16,}$")


def may_hold_pair(text: str) -> bool:
    return ":" in text


class ProsePairRecognizer(LocalRecognizer):
    """`log in as admin:admin123`, `root:Tr0ub4dor` in a ticket: a user name and its
    password joined by a colon, with no keyword. The user is a lower-case word, not a
    scheme, digest, type or label word (`_PAIR_PREFIXES`); the value is password-like
    (`password_like`: a letter with a digit or a symbol, 6+ characters) and no number,
    version or hex run (`host:8080`, `redis:7.2`, `fe80:…`, `sha256:9f86…`); the pair
    stands as a word of its own. One RE2 pass."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for m in _PROSE_PAIR.finditer(text):
            user, v = m.group(1), m.group(2).rstrip(".?")  # a sentence end (`!` may be its own)
            if user in _PAIR_PREFIXES or _HEXISH.search(user) or _HEXISH.search(v):
                continue
            if v[0].isdigit() or (v[0] in "vV" and v[1:2].isdigit()) or not password_like(v):
                continue
            out.append(RecognizerResult("SECRET", m.start(2), m.start(2) + len(v), 0.6))
        return out


#: A credential-named parameter of a URL query or a `k=v;` string (JDBC, ODBC, ADO.NET):
#: after `?`, `&` or `;`, the name holds a keyword; the value runs to the next separator.
_QUERY_PARAM = re.compile(
    r"(?i)[?&;][ \t]{0,2}(?P<name>[A-Za-z0-9_\-. ]{1,40}?)[ \t]{0,2}="
    r"[ \t]{0,2}(?P<v>[^\s&;#'\"<>{}]{1,256})"
)
_PASSWORD_NAME = re.compile(r"(?i)passw|pwd|^pw$|^pass$")
_HARMLESS = frozenset("true false yes no null none required optional prefer disable".split())


class QueryCredentialRecognizer(LocalRecognizer):
    """`jdbc:mysql://db/app?user=etl&password=Hw7qZ3kP&useSSL=true`, `…;Pwd=Rq5!tMz8w;`,
    `?api_key=…&page=2`: the keyword recognizer reads `Hw7qZ3kP&useSSL=true` as one word
    (an assignment, not a value); here the value stops at the next `&`, `;` or `#`. A
    password-named parameter's value counts whatever it looks like (4+ characters, not a
    placeholder); other credential names need a password- or token-like value."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        for m in _QUERY_PARAM.finditer(text):
            name, v = m.group("name"), m.group("v").rstrip(".,)")
            if not KEYWORD.search(name) or not 4 <= len(v) <= 256:
                continue
            if _PLACEHOLDER.match(v) or v.lower() in _HARMLESS or "://" in v:
                continue
            if _PASSWORD_NAME.search(name.strip()) or password_like(v) or token_like(v):
                out.append(RecognizerResult("SECRET", m.start("v"), m.start("v") + len(v), 0.8))
        return out


#: A code word in the languages of `PASSWORD_WORDS_INTL` (`código`, `codice`, `kod`), alone
#: or ending a compound (`Türcode`, `digicode`, `keycode`), then at most five words without
#: a digit ("for the door", "de la puerta", "do domofonu"), a copula ("is", "es", "é",
#: "ist", "lautet", "to", ...) or `:`/`=`, and 4-8 digits, grouped or not (`4711`,
#: `24-68-13`, `B1234`, `1947#`). RE2: one linear pass.
ACCESS_CODE_WORDS = ("code", "código", "codigo", "codice", "kod", "combination")
#: What the detector locates the recognizer by (`engine.TRIGGERS`): any code word.
ACCESS_CODE_TRIGGER = "(?i)" + "|".join(ACCESS_CODE_WORDS)
ACCESS_CODE = re2.compile(
    r"(?i)(" + "|".join(ACCESS_CODE_WORDS) + r")[a-z]{0,3}"
    r"((?:[ \t]+[^\s\d.!?;:=,\"`]+){0,5}?)"
    r"(?:[ \t]+(?:is|was|are|es|era|será|é|è|est|sera|ist|lautet|war|wordt|to|jest|"
    r"wynosi|är|er|on)[ \t]*:?|[ \t]*([:=]))"
    r"[ \t]*[\"'`]?([A-Za-z]?[0-9]{1,4}(?:[\- ]?[0-9]{1,4}){0,3})[#*]?(?:[^\w\-]|$)"
)
#: The letters of a compound's head right before the code word (`Tür` in `Türcode`).
_HEAD = re.compile(r"(?r)[^\W\d_]{0,16}")
#: Codes that name a thing, not a secret: the word before the code word, or its head.
_OPEN_CODES = frozenset(
    "zip post postal area country status error exit return http response promo discount "
    "coupon voucher gift product item tracking reference ref order colour color hex char "
    "source bar qr hash byte machine short dial iso currency language "
    "lang region airport iata swift bic sort branch class event reason result fault uni "
    "key dial auth bank routing tax sic naics hs icd diagnosis cpt zone time postleitzahl "
    "fehler código postal".split()
)
#: Heads of compounds that are not codes of a lock (`decode`, `encode`, `opcode`, `unicode`).
_OPEN_HEADS = _OPEN_CODES | frozenset("de en op uni trans geo".split())
_PREV_WORD = re.compile(r"(?r)(\w+)[ \t]*$")


class AccessCodeRecognizer(LocalRecognizer):
    """A door, gate, alarm or key-box code told the way people tell it, in their language:
    "the code for the door is 4711", "El código de la puerta es 2580", "Der Türcode ist
    4711", "Kod do domofonu to 1357". The keyword recognizer needs the qualifier before
    `code` (`door code`); here the code word may come first, with the thing it opens after
    it, but then a copula (or a compound's `:`/`=`) must stand before 4-8 digits. A code
    that names a thing (`zip code`, `error code`, `status code`) is left; three digits or
    nine are not a code."""

    SUPPORTED = ("SECRET",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        for m in ACCESS_CODE.finditer(text):
            v = m.group(4)
            if not 4 <= sum(c.isdigit() for c in v) <= 8:
                continue
            gap = m.group(2)
            head = _HEAD.search(text, 0, m.start(1))
            if text[m.end(4) : m.end(4) + 1].isalnum():
                continue  # the digits go on in a word the regex's ASCII class did not see
            h = head.group().lower() if head else ""
            if m.group(3) and not h and not gap.strip():
                continue  # `code: 1234` alone: a code of anything (`exit code`, a JSON field)
            start = m.start(1) - len(h)
            prev = _PREV_WORD.search(text, 0, start)
            words = {w.lower() for w in gap.split()}
            if prev is not None:
                words.add(prev.group(1).lower())
            if h in _OPEN_HEADS or words & _OPEN_CODES:
                continue
            out.append(RecognizerResult("SECRET", m.start(4), m.end(4), 0.8))
        return out


def may_hold_access_code(text: str) -> bool:
    low = text.lower()
    return "cod" in low or "kod" in low or "cód" in low or "combination" in low


def credential_recognizers() -> list[EntityRecognizer]:
    return [
        CredentialRecognizer(),
        AccessCodeRecognizer(),
        QueryCredentialRecognizer(),
        CredentialPairRecognizer(),
        CommandLineCredentialRecognizer(),
        PositionalCredentialRecognizer(),
        ProsePairRecognizer(),
        PasswordShapeRecognizer(),
    ]
