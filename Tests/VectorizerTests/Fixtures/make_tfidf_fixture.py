#!/usr/bin/env python3
"""Generates tfidf-fixture.json: scikit-learn's TF-IDF weights on synthetic token lists, for TFIDFFixtureTests.swift.

The corpus is synthetic on purpose (no third-party text in the repo): a seeded RNG draws made-up tokens, Arabic-looking
and ASCII, from a Zipf-like distribution, so that some terms are in more than half of the documents (pruned by max_df),
many are in one document only (pruned by min_df) and the rest spread in between. Each document is a (title tokens,
body tokens) pair.

Every case runs
    TfidfVectorizer(analyzer=identity, sublinear_tf=True, smooth_idf=True, norm='l2', min_df=2, max_df=0.5)
with some of those arguments changed, on the token list scikit-learn sees:
    title weight 1: title tokens + body tokens
    title weight 2: title tokens + title tokens + body tokens (scikit-learn has no title weight; repeating the title
                    is the same count(t, d) = body count + 2 × title count that Sila computes from the pair)
Sila's side (Tests/VectorizerTests) feeds the (title, body) pairs with `titleWeight` 1 or 2 and must agree to 1e-5.

Fixture layout (compact: a vector refers to its case's vocabulary by index):
    {"corpora": {NAME: [[title tokens], [body tokens]], ...},
     "cases": [{"name", "corpus", "parameters": {titleWeight, sublinearTF, minDF, maxDF, maxFeatures},
                "sklearn": the call, "sklearnError": message or null,
                "vocabulary": [[term, df, idf], ...]   (scikit-learn's order: by code point = UTF-8 bytes),
                "vectors": [[[vocabulary index, ...], [weight, ...]], ...]   (one per document; empty = zero vector)
               }, ...]}
Documents whose every term is pruned have an empty vector; when scikit-learn refuses the parameters (min_df larger
than max_df × N) the case records its error and expects an empty vocabulary, which is what Sila fits.

Usage (scikit-learn in a throwaway virtualenv, never in the repo):
    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python Tests/VectorizerTests/Fixtures/make_tfidf_fixture.py
"""
import json
import os
import random

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

SEED = 20240501
DOCUMENT_COUNT = 220
VOCABULARY_SIZE = 1400
ARABIC_LETTERS = [chr(c) for c in range(0x0628, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
# Canonically equivalent, byte-distinct: U+0623 (alef with hamza above) versus U+0627 U+0654. scikit-learn (and Sila)
# compare terms by their bytes, so these are two terms; Swift's String == would merge them.
COMPOSED = "\u0643\u0623\u0633"
DECOMPOSED = "\u0643\u0627\u0654\u0633"


def made_up_vocabulary(rng):
    """Distinct made-up tokens, most Arabic-looking, one in eight ASCII."""
    seen = set()
    words = []
    while len(words) < VOCABULARY_SIZE:
        if rng.random() < 0.125:
            word = "".join(rng.choice(ASCII_LETTERS) for _ in range(rng.randint(2, 8)))
        else:
            word = "".join(rng.choice(ARABIC_LETTERS) for _ in range(rng.randint(2, 7)))
        if word not in seen and word not in (COMPOSED, DECOMPOSED):
            seen.add(word)
            words.append(word)
    return words


def make_corpus(rng):
    words = made_up_vocabulary(rng)
    zipf = [1.0 / (rank + 1) ** 1.07 for rank in range(len(words))]
    documents = []
    for index in range(DOCUMENT_COUNT):
        title = rng.choices(words, weights=zipf, k=rng.randint(3, 9))
        body = rng.choices(words, weights=zipf, k=rng.randint(8, 45))
        if index % 9 == 4:
            body += [COMPOSED] * rng.randint(1, 3)
        if index % 11 == 5:
            title.append(DECOMPOSED)
        documents.append([title, body])
    # Documents whose every term is pruned: one of hapaxes only (df 1 < min_df), one of the most frequent terms only
    # (df > max_df × N), and an empty one.
    documents.append([["\u0630\u0630\u0630\u0630\u0630\u0630\u0630\u0630"], ["zzhapax1", "zzhapax2", "zzhapax2"]])
    documents.append([[words[0]], [words[0], words[1], words[0]]])
    documents.append([[], []])
    rng.shuffle(documents)
    return documents


def sklearn_tokens(document, title_weight):
    title, body = document
    return title * title_weight + body


def run_case(name, corpus_name, documents, title_weight=1, sublinear_tf=True, min_df=2, max_df=0.5,
             max_features=None):
    call = (f"TfidfVectorizer(analyzer=identity, sublinear_tf={sublinear_tf}, smooth_idf=True, norm='l2', "
            f"min_df={min_df}, max_df={max_df}, max_features={max_features}) on "
            + ("title + body" if title_weight == 1 else f"title × {title_weight} + body"))
    case = {
        "name": name,
        "corpus": corpus_name,
        "parameters": {"titleWeight": title_weight, "sublinearTF": sublinear_tf, "minDF": min_df, "maxDF": max_df,
                       "maxFeatures": max_features},
        "sklearn": call,
        "sklearnError": None,
    }
    token_lists = [sklearn_tokens(document, title_weight) for document in documents]
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=sublinear_tf, smooth_idf=True,
                                 norm="l2", min_df=min_df, max_df=max_df, max_features=max_features)
    try:
        matrix = vectorizer.fit_transform(token_lists).tocsr()
    except ValueError as error:
        case["sklearnError"] = str(error)
        case["vocabulary"] = []
        case["vectors"] = [[[], []] for _ in documents]
        return case

    if max_features is not None:
        assert_no_tie_at_cutoff(token_lists, min_df, max_df, max_features)
    terms = vectorizer.get_feature_names_out().tolist()
    assert terms == sorted(terms, key=lambda term: term.encode("utf-8")), "vocabulary not in UTF-8 byte order"
    df = np.asarray((matrix > 0).sum(axis=0)).ravel()
    case["vocabulary"] = [[term, int(df[i]), float(vectorizer.idf_[i])] for i, term in enumerate(terms)]
    vectors = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        order = np.argsort(matrix.indices[start:end])
        indices = matrix.indices[start:end][order].tolist()
        weights = [round(float(w), 8) for w in matrix.data[start:end][order]]
        vectors.append([indices, weights])
    case["vectors"] = vectors
    return case


def assert_no_tie_at_cutoff(token_lists, min_df, max_df, max_features):
    """scikit-learn keeps the max_features terms of highest total count with an unstable argsort: the fixture is only
    well defined when the last kept term's count differs from the first dropped one's."""
    totals, dfs = {}, {}
    for tokens in token_lists:
        for term in tokens:
            totals[term] = totals.get(term, 0) + 1
        for term in set(tokens):
            dfs[term] = dfs.get(term, 0) + 1
    high = max_df * len(token_lists)
    kept = sorted((count for term, count in totals.items() if min_df <= dfs[term] <= high), reverse=True)
    assert len(kept) > max_features, "max_features does not cut"
    assert kept[max_features - 1] != kept[max_features], f"tie at the max_features={max_features} cut-off"


def pick_max_features(token_lists, min_df, max_df, near):
    """The cut-off nearest `near` without a tie in total count."""
    totals, dfs = {}, {}
    for tokens in token_lists:
        for term in tokens:
            totals[term] = totals.get(term, 0) + 1
        for term in set(tokens):
            dfs[term] = dfs.get(term, 0) + 1
    high = max_df * len(token_lists)
    kept = sorted((count for term, count in totals.items() if min_df <= dfs[term] <= high), reverse=True)
    for n in sorted(range(1, len(kept)), key=lambda n: abs(n - near)):
        if kept[n - 1] != kept[n]:
            return n
    raise AssertionError("no tie-free cut-off")


def main():
    rng = random.Random(SEED)
    base = make_corpus(rng)
    # Duplicates: twenty documents appear a second (and five a third) time; N and df change accordingly.
    copies = rng.sample(range(len(base)), 20)
    with_duplicates = base + [base[i] for i in copies] + [base[i] for i in copies[:5]]
    corpora = {"base": base, "duplicates": with_duplicates}

    max_features = pick_max_features([sklearn_tokens(d, 1) for d in base], 2, 0.5, near=120)
    max_features_tw2 = pick_max_features([sklearn_tokens(d, 2) for d in base], 2, 0.5, near=60)
    cases = [
        run_case("default", "base", base),
        run_case("raw tf", "base", base, sublinear_tf=False),
        run_case(f"max_features={max_features}", "base", base, max_features=max_features),
        run_case("title weight 2", "base", base, title_weight=2),
        run_case("title weight 1, min_df=3, max_df=0.8", "base", base, min_df=3, max_df=0.8),
        run_case(f"title weight 2, raw tf, max_features={max_features_tw2}", "base", base, title_weight=2,
                 sublinear_tf=False, max_features=max_features_tw2),
        run_case("min_df=10, max_df=0.3", "base", base, min_df=10, max_df=0.3),
        run_case("min_df larger than N", "base", base, min_df=len(base) + 1),
        run_case("duplicate documents", "duplicates", with_duplicates),
        run_case("duplicate documents, title weight 2", "duplicates", with_duplicates, title_weight=2),
    ]
    default = cases[0]
    zero_rows = sum(1 for indices, _ in default["vectors"] if not indices)
    assert zero_rows >= 3, "the corpus must hold documents whose every term is pruned"
    by_term = {term: df for term, df, _ in default["vocabulary"]}
    assert COMPOSED in by_term and DECOMPOSED in by_term, "both canonically equivalent spellings must be kept"

    fixture = {
        "generator": "Tests/VectorizerTests/Fixtures/make_tfidf_fixture.py",
        "seed": SEED,
        "sklearnVersion": sklearn.__version__,
        "corpora": corpora,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfidf-fixture.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")
    print(f"{path}: {len(cases)} cases, {len(base)} documents, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
