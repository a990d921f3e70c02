#!/usr/bin/env python3
"""Sila's analyzer written in Python, as a competent Python engineer would: the yardstick for the Swift analyzer.

Same steps as Sources/ArabicText (DESIGN.md, "The analyzer"), same word lists (read from
Sources/ArabicText/Resources/*.txt), one core:

1. NFKC where the text needs it (a regex finds compatibility characters first), URLs and e-mails removed;
2.-4. one str.translate: format characters, tashkeel, Quranic marks and tatweel dropped, letters folded, digits
   folded; str.lower() for Latin;
5. tokens by `re` (runs of letters/digits; digit groups joined by ٫ ٬), 1-letter tokens dropped, numbers kept only
   as 4-digit years;
6. stopwords (a set, with و/ف prefixed forms), 7. light10-style stemmer with protected words (memoized).

Usage: python3 python_analyzer.py [CORPUS.jsonl] [--repeat N] [--dump]
Prints MB/s of UTF-8 input (title + body) over the corpus, by CPU time of this one process (so other load on the
machine does not skew the ratio with Sila) and by wall time. --dump prints each text's terms instead.
"""
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "Sources" / "ArabicText" / "Resources"
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "ar-news-dev.jsonl"

# Step 1: format characters (ZWNJ, ZWJ, LRM, RLM, ALM, BOM, soft hyphen, word joiner, bidi controls).
FORMAT_CHARACTERS = [0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, 0x00AD, 0x2060]
FORMAT_CHARACTERS += list(range(0x202A, 0x202F)) + list(range(0x2066, 0x2070))
# Step 2: tashkeel, honorific marks, superscript alef, Quranic marks, tatweel.
DIACRITICS = list(range(0x064B, 0x0660)) + list(range(0x0610, 0x061B)) + [0x0670, 0x0640]
DIACRITICS += list(range(0x06D6, 0x06EE))
# Step 3: letter folding.
LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ئ": "ي", "ی": "ي", "ۍ": "ي", "ې": "ي", "ے": "ي",
    "ة": "ه", "ۃ": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه", "ە": "ه",
    "ؤ": "و", "ک": "ك",
}
# Step 4: digits.
DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}

TABLE = str.maketrans({**{chr(c): None for c in FORMAT_CHARACTERS + DIACRITICS}, **LETTERS, **DIGITS})
NEEDS_NFKC = re.compile("[\u00a0-\u00bf\u2000-\u33ff\ufb00-\ufdff\ufe10-\ufe6f\ufe70-\ufefe\uff00-\uffef]")
LINK_CANDIDATE = re.compile(r"[!-~]*(?:://|@|[wW]{3}\.)[!-~]*")
EMAIL = re.compile(r"[A-Za-z0-9][!-~]*@[!-~]*\.[A-Za-z0-9]")
WWW = re.compile(r"(?:^|[^A-Za-z0-9])[wW]{3}\.")
TOKEN = re.compile(r"\d+(?:[٫٬]\d+)+|[^\W_]+")


def remove_link(match):
    run = match.group()
    return " " if "://" in run or WWW.search(run) or EMAIL.search(run) else run


def normalize(text):
    if NEEDS_NFKC.search(text):
        text = unicodedata.normalize("NFKC", text)
    if "@" in text or ":/" in text or "ww." in text or "WW." in text:
        text = LINK_CANDIDATE.sub(remove_link, text)
    return text.lower().translate(TABLE)


def tokens(text):
    for token in TOKEN.findall(normalize(text)):
        if len(token) < 2:
            continue
        if token.isdigit():
            if len(token) != 4:
                continue
        elif not token.isalnum():  # a number with ٫ or ٬ inside
            continue
        yield token


def word_list(name):
    lines = (RESOURCES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    words = set()
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            found = TOKEN.findall(normalize(line))
            if len(found) == 1:
                words.add(found[0])
    return words


ARABIC = word_list("stopwords-ar")
STOPWORDS = ARABIC | {c + w for w in ARABIC for c in "وف"} | word_list("stopwords-en")
PROTECTED = word_list("protected-words")
PREFIXES = [(p, 2) for p in ("وال", "بال", "كال", "فال", "لل", "ال")] + [("و", 3)]
SUFFIXES = [(s, 2) for s in ("ها", "ان", "ات", "ون", "ين", "يه")] + [(s, 3) for s in ("ه", "ي")]
STEMS = {}


def stem(word):
    if len(word) < 2 or word in PROTECTED:
        return word
    for prefix, minimum in PREFIXES:
        if len(word) - len(prefix) >= minimum and word.startswith(prefix):
            word = word[len(prefix):]
            if word in PROTECTED:
                return word
            break
    for suffix, minimum in SUFFIXES:
        if len(word) - len(suffix) >= minimum and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text):
    result = []
    for token in tokens(text):
        if token in STOPWORDS:
            continue
        stemmed = STEMS.get(token)
        if stemmed is None:
            stemmed = STEMS[token] = stem(token)
        result.append(stemmed)
    return result


def main(argv):
    corpus, repeat, dump = DEFAULT_CORPUS, 1, False
    args = iter(argv)
    for arg in args:
        if arg == "--repeat":
            repeat = int(next(args))
        elif arg == "--dump":
            dump = True
        else:
            corpus = Path(arg)
    texts = []
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            texts += [article.get("title", ""), article.get("body", "")]
    if dump:
        for text in texts:
            print(" ".join(terms(text)))
        return
    size = sum(len(text.encode("utf-8")) for text in texts)
    best_cpu = best_wall = None
    for _ in range(repeat):
        STEMS.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        count = sum(len(terms(text)) for text in texts)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        best_wall = wall if best_wall is None else min(best_wall, wall)
    print(json.dumps({"analyzer": "python", "megabytes_per_second": round(size / 1e6 / best_cpu, 3),
                      "wall_megabytes_per_second": round(size / 1e6 / best_wall, 3), "tokens": count,
                      "bytes": size, "cpu_seconds": round(best_cpu, 3), "wall_seconds": round(best_wall, 3)}))


if __name__ == "__main__":
    main(sys.argv[1:])
