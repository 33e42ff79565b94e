# ruff: noqa: RUF001, RUF002, RUF003
"""Script-independent phonetic keys ("skeletons") for personal names.

One person's name reaches the office in many spellings: Cyrillic from a Russian form, Latin from
passports issued under different rules (1997 MVD rules: Y/YU/YA; 2010 order: TC for Ц; ICAO Doc 9303
since 2013: I/IU/IA, KH, ZH, SHCH), BGN/PCGN or GOST 7.79 renderings, German (Kowaltschuk), French
(Joukov), Polish (-ski, cz), Ukrainian (Hryhorii, Oleksandr), Uzbek Latin (Oʻktam, Gʻayrat, Xasan)
and informal spellings typed by whoever filled a form.

The skeleton is built in two steps:

1. Cyrillic is brought to Latin with one fixed scheme, ICAO Doc 9303 via ``iuliia`` (the maintained
   implementation).  ICAO covers Russian only, so the letters of Ukrainian, Belarusian, Tajik, Uzbek,
   Kazakh, Kyrgyz and Azerbaijani Cyrillic are first folded onto the Russian letter that Russian
   orthography uses for them (Ukrainian Ґ→Г, Tajik Ҷ→ДЖ, Uzbek Қ→К, Kazakh Ә→А ...).  Hard and soft
   signs are dropped: schemes disagree about them (', ", ie, y or nothing) and they never carry
   identity on their own.
2. The Latin form is tokenised into sound classes that merge what the schemes keep apart:
   * sibilants: SH/SHCH/SCH/SHH/Ŝ/Š → one class (Щ and Ш are also confused by people, and the spec's
     "Shcherbakov/Sherbakov" must meet), CH/TCH/TSCH/CZ/Č → one class, ZH/DZH/DJ/Ž → one class;
   * Ц: TS/TC/TZ and C (GOST, ISO, Polish) → one class;
   * the velar/glottal fricatives G/H/KH/GH/X → one class: Ukrainian Г is H, Russian renders foreign H
     as Г (Гасанов = Hasanov, Ибрагим = Ibrahim), X is Uzbek Latin Х;
   * the iotation glide (Y, I, J before a vowel: YU/IU/JU, YA/IA/JA, YE/IE/JE, YO/IO/JO) is dropped
     after a consonant or vowel and kept as one "y" at the start of a word, where it distinguishes
     Yana from Anna; a word-initial E is iotated (Russian Е at the start of a word is /je/, so ICAO
     Elena = BGN Yelena); iotated O becomes E because ICAO writes Ё as E (Fedor/Fyodor/Fiodor);
   * remaining I/Y/J are one vowel class (Russian И/Ы, Ukrainian И/І/Ї), word-final runs included
     (Yuriy/Yurii/Yury/Jurij, -skiy/-skii/-sky);
   * W→V, PH→F, Q→K, CK→K, OU→U (French), Uzbek Oʻ→U (Ўктам = Oʻktam = Уктам);
   * doubled letters collapse, and a final -OF becomes -OV (Smirnoff, Iwanow).

Some Latin letters are genuinely ambiguous, and each produces alternative readings instead of a guess:
J (Й in German/ISO: Julia, Jurij; Ж/ДЖ in French, Uzbek, Kazakh, Tajik: Jamshid, Janibek), C before a
back vowel or consonant (Ц in GOST/ISO: Kuznecov; K in Western spellings: Nicolas, Carina), CH (Ч in
English-based schemes, Х in German and Polish: Chabibullin, Ш in French: Chota), SCH (Ш/Щ, or Ж in
German: Schukow), Z (З in most schemes, Ц in German: Kusnezow).  S and Z (З) are one class: voicing
is what German (Asis, Nosadse) and informal spellings of Turkic and Persian names blur.  X reads as
KS (Alexander) or as the Uzbek fricative (Xasan).  :func:`skeletons` returns the set of all readings
(at most 16); two names are "the same after transliteration" when their sets intersect.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

import iuliia

# Letters of non-Russian Cyrillic alphabets, folded onto the Russian spelling used for them in Russian
# documents.  Ukrainian І/И are both the Latin vowel class later, so І→И loses nothing.
_CYRILLIC_FOLD = str.maketrans(
    {
        # Ukrainian / Belarusian
        "і": "и",
        "ї": "йи",
        "є": "е",
        "ґ": "г",
        "ў": "у",
        # Tajik
        "ғ": "г",
        "ӣ": "и",
        "қ": "к",
        "ӯ": "у",
        "ҳ": "х",
        "ҷ": "дж",
        # Uzbek (ў қ ғ ҳ above), Kazakh, Kyrgyz, Azerbaijani, Bashkir/Tatar
        "ә": "а",
        "ө": "о",
        "ү": "у",
        "ұ": "у",
        "ң": "н",
        "һ": "х",
        "ҹ": "дж",
        "ҝ": "г",
        "җ": "ж",
        "ҡ": "к",
        "ҙ": "з",
        "ҫ": "с",
        # signs and Ё: dropped / plain Е as ICAO does
        "ъ": "",
        "ь": "",
        "ё": "е",
    }
)

# Latin letters whose NFKD decomposition would lose a distinction the schemes rely on.
_LATIN_FOLD = str.maketrans(
    {
        "š": "sh",
        "ś": "s",
        "ş": "sh",
        "ș": "sh",
        "č": "ch",
        "ć": "ch",
        "ç": "ch",
        "ž": "zh",
        "ż": "zh",
        "ź": "z",
        "ŝ": "shch",
        "û": "yu",
        "â": "ya",
        "ë": "yo",
        "ə": "a",
        "ğ": "g",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "ß": "ss",
        "ŭ": "u",
        "ĭ": "i",
        "ĳ": "ij",
    }
)

# Apostrophe-like marks: Uzbek oʻ/gʻ, transliterated soft/hard signs, Irish O'.
_MARKS = "ʻʼʹʺ'’‘`´\"”“′″"
_UZBEK_O = re.compile("o[" + re.escape(_MARKS) + "]")
_MARKS_RE = re.compile("[" + re.escape(_MARKS) + "]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_NON_LETTER = re.compile(r"[^a-z]+")

# Token table, longest spellings first.  A value is one reading or a tuple of alternative readings.
# Upper-case letters are sound classes: S (Ш/Щ), C (Ч), Z (Ж/ДЖ), Q (Ц), H (Г/Х/H), I (vowel or glide).
_TOKENS: dict[str, str | tuple[str, ...]] = {
    "tsch": "C",
    "shch": "S",
    "dzh": "Z",
    "dsh": "Z",
    "sch": ("S", "Z"),
    "shh": "S",
    "tch": "C",
    "sh": "S",
    "ch": ("C", "H", "S"),
    "cz": "C",
    "ck": "k",
    "zh": "Z",
    "dj": "Z",
    "kh": "H",
    "gh": "H",
    "ts": "Q",
    "tc": "Q",
    "tz": "Q",
    "ph": "f",
    "ou": "u",
    "h": "H",
    "g": "H",
    "w": "v",
    "q": "k",
    "x": ("ks", "H"),
    "j": ("I", "Z"),
    "z": ("s", "Q"),
    "y": "I",
    "i": "I",
}
_TOKEN_RE = re.compile("|".join(sorted(_TOKENS, key=len, reverse=True)) + "|c|.")
_VOWELS = frozenset("aeou")
_MAX_READINGS = 16


@lru_cache(maxsize=65536)
def latinise(name: str) -> str:
    """Lower-case ASCII Latin form of ``name`` (Cyrillic via ICAO Doc 9303), separators kept as spaces."""
    text = unicodedata.normalize("NFC", name or "").lower()
    if _CYRILLIC_RE.search(text):
        text = iuliia.ICAO_DOC_9303.translate(text.translate(_CYRILLIC_FOLD)).lower()
    text = _UZBEK_O.sub("u", text)
    text = _MARKS_RE.sub("", text).translate(_LATIN_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NON_LETTER.sub(" ", text).strip()


def _readings(word: str) -> list[list[str]]:
    """Tokenise one Latin word into sound classes; each position lists its alternative readings."""
    out: list[list[str]] = []
    for match in _TOKEN_RE.finditer(word):
        token = match.group()
        if token == "c":
            following = word[match.end() : match.end() + 1]
            out.append(["Q"] if following in ("e", "i", "y") else ["Q", "k"])
            continue
        value = _TOKENS.get(token, token)
        out.append(list(value) if isinstance(value, tuple) else [value])
    return out


def _finish(tokens: tuple[str, ...]) -> str:
    """Apply the positional rules (iotation, final vowel runs, doubles, -of) to one reading."""
    text = "".join(tokens)
    if text.startswith("e"):
        text = "I" + text  # word-initial Е is iotated: Elena = Yelena
    # A glide run before a vowel: kept as one "y" at the start of a word, dropped elsewhere; Ё→E.
    text = re.sub(r"^I+([aeou])", lambda m: "y" + ("e" if m.group(1) == "o" else m.group(1)), text)
    text = re.sub(r"(?<=.)I+([aeou])", lambda m: "e" if m.group(1) == "o" else m.group(1), text)
    text = re.sub(r"I+", "i", text)
    text = re.sub(r"(.)\1+", r"\1", text)
    if text.endswith("of"):
        text = text[:-1] + "v"
    return text


@lru_cache(maxsize=65536)
def word_skeletons(word: str) -> tuple[str, ...]:
    """Skeleton readings of one Latin word, primary reading first; at most ``_MAX_READINGS``."""
    if not word:
        return ()
    positions = _readings(word)
    combos = itertools.islice(itertools.product(*positions), _MAX_READINGS)
    return tuple(dict.fromkeys(_finish(combo) for combo in combos))


@lru_cache(maxsize=65536)
def skeletons(name: str) -> frozenset[str]:
    """Readings of a whole name part (several words are joined without separators)."""
    words = latinise(name).split()
    if not words:
        return frozenset()
    per_word = [word_skeletons(w) for w in words]
    combos = itertools.islice(itertools.product(*per_word), _MAX_READINGS)
    return frozenset("".join(combo) for combo in combos)


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """The primary reading (J as Й, C as Ц, X as KS): a stable key for display and exact look-up.

    Index :func:`skeletons` rather than this when a look-up must survive the J/C/X ambiguity.
    """
    words = latinise(name).split()
    return "".join(word_skeletons(w)[0] for w in words)


def icao_latin(name: str) -> str:
    """The Latin form of a name as a passport would print it under ICAO Doc 9303 (2013 rules).

    Cyrillic words are transliterated (Ukrainian, Central Asian letters folded first); Latin words are
    kept as written. The capitalisation of each word is kept: «ЮЛИЯ» gives IULIIA, «Юлия» Iuliia.
    """
    text = unicodedata.normalize("NFC", name or "").strip()
    if not _CYRILLIC_RE.search(text):
        return text
    words = []
    for word in text.split():
        latin = iuliia.ICAO_DOC_9303.translate(word.lower().translate(_CYRILLIC_FOLD))
        if word.isupper() and len(word) > 1:
            latin = latin.upper()
        elif word[:1].isupper():
            latin = "-".join(part[:1].upper() + part[1:] for part in latin.split("-"))
        words.append(latin)
    return " ".join(words)
