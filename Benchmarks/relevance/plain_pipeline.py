#!/usr/bin/env python3
"""The plain relatedness pipeline the relevance issue compares Sila against, and the same metrics as `sila eval`.

Pipeline (as a competent Python engineer would write it): normalization like DESIGN.md steps 1-4 (NFKC, format
characters, tashkeel/tatweel, letter folding, digits), a tokenizer (runs of letters/digits, >= 2 characters), about
100 Arabic/English stopwords, no stemming; TF-IDF exactly as DESIGN.md with the title counted once
(scikit-learn TfidfVectorizer, sublinear_tf, smooth_idf, l2, min_df=2, max_df=0.5); exact cosine top-10.

Metrics (identical definitions to `sila eval`, Sources/SilaCore/Evaluation.swift): cat P@10, story R@10, R@3,
MRR@10, cross-source story R@10, duplicate rate (lists holding two items with mutual cosine >= 0.9).

Usage: plain_pipeline.py CORPUS.jsonl  -> prints one JSON object.
"""
import json
import re
import sys
import time
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad\u2060\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
DIACRITICS = dict.fromkeys(list(range(0x064B, 0x0660)) + [0x0670, 0x0640] + list(range(0x06D6, 0x06EE)) + list(range(0x0610, 0x061B)))
LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ئ": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ؤ": "و", "ک": "ك",
    **{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
})
TOKEN = re.compile(r"[^\W_]{2,}")
STOPWORDS = set("""
في من الى الي على علي عن مع حتى منذ لدى عند بين نحو خلال ضد عبر دون حول تحت فوق امام بعد قبل اثناء لكن بل او ام ثم ان
لان كان كانت يكون تكون ليس ليست هو هي هم هما هن انا نحن انت هذا هذه هذان ذلك تلك الذي التي الذين ما ماذا لماذا متى
اين كيف هل قد لقد سوف اذا لو لا لم لن كل بعض غير جميع ايضا كما حيث حين عندما بينما مثل فيه فيها منه منها عنه عنها
له لها لهم به بها وقد وفي ومن وان وكان وهو وهي ولا وما اما الا اي التى عليه عليها
the of and to in a is for on that with as at by from it be was are
""".split())


def normalize(text):
    text = unicodedata.normalize("NFKC", text).translate(FORMAT).translate(DIACRITICS).translate(LETTERS).lower()
    return text


def tokens(text):
    return [t for t in TOKEN.findall(normalize(text)) if t not in STOPWORDS and not (t.isdigit() and len(t) != 4)]


def metrics(records, top, matrix):
    index = {r["id"]: i for i, r in enumerate(records)}
    members = {}
    for r in records:
        if r.get("story"):
            members.setdefault(r["story"], []).append(r["id"])
    cat = r10 = r3 = mrr = cross = 0.0
    n_story = n_cross = duplicates = 0
    for i, r in enumerate(records):
        ids = [records[j]["id"] for j in top[i]]
        if r.get("category"):
            cat += sum(records[j].get("category") == r["category"] for j in top[i]) / 10
        rows = [index[x] for x in ids]
        if len(rows) > 1:
            gram = (matrix[rows] @ matrix[rows].T).toarray()
            np.fill_diagonal(gram, 0)
            if (gram >= 0.9).any():
                duplicates += 1
        fellows = [x for x in members.get(r.get("story"), []) if x != r["id"]] if r.get("story") else []
        if not fellows:
            continue
        n_story += 1
        fs = set(fellows)
        r10 += sum(x in fs for x in ids) / len(fellows)
        r3 += sum(x in fs for x in ids[:3]) / len(fellows)
        ranks = [k for k, x in enumerate(ids) if x in fs]
        mrr += 1 / (ranks[0] + 1) if ranks else 0
        other = {x for x in fellows if records[index[x]].get("source") != r.get("source")}
        if other:
            n_cross += 1
            cross += sum(x in other for x in ids) / len(other)
    n = len(records)
    return {
        "articles": n, "story_articles": n_story, "cross_source_articles": n_cross,
        "cat_p10": cat / n, "story_r10": r10 / n_story, "story_r3": r3 / n_story, "story_mrr10": mrr / n_story,
        "cross_source_r10": cross / n_cross if n_cross else 0.0, "duplicate_rate": duplicates / n,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    start = time.perf_counter()
    docs = [tokens(r.get("title", "")) + tokens(r["body"]) for r in records]
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, smooth_idf=True, norm="l2", min_df=2, max_df=0.5)
    matrix = vectorizer.fit_transform(docs).tocsr()
    top = []
    for start_row in range(0, matrix.shape[0], 1000):
        block = (matrix[start_row:start_row + 1000] @ matrix.T).toarray()
        for offset, row in enumerate(block):
            row[start_row + offset] = -1
            candidates = np.argpartition(-row, 10)[:10]
            ordered = sorted((c for c in candidates if row[c] > 0), key=lambda c: (-row[c], records[c]["id"]))
            top.append(ordered)
    result = metrics(records, top, matrix)
    result["seconds"] = time.perf_counter() - start
    result["pipeline"] = "plain: normalize 1-4, ~100 stopwords, no stemming, title once, exact cosine"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
