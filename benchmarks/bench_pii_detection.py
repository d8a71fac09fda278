"""Precision and recall of ``detect_pii`` on a labelled set of columns.

Run::

    python benchmarks/bench_pii_detection.py [--rows 400]

The set is generated deterministically (Faker seeded, numpy seeded) in two
parts that share no generator call:

* ``tuning`` -- the columns looked at while the patterns and the lexicon
  rules were written: Faker locales en_US, de_DE, fr_FR, ``make_customers``
  under neutral column names, and hand-made hard negatives (cell tower ids,
  ZIP codes, product codes, order ids, prices, sentences without names);
* ``heldout`` -- columns not looked at while tuning: Faker locales es_ES,
  it_IT, nl_NL, pl_PL, pt_BR, sv_SE, en_GB (other name lists, other phone
  formats), ``make_survey``, other hard negatives (company names, job
  titles, Unix timestamps, SKUs, catch phrases, sensor ids), and Adult's
  columns when ``SKLEARN_ANON_ADULT_DIR`` (default ``../shared/data/adult``)
  holds it.

Each column is labelled with the kind of direct identifier it is, or None
(quasi-identifiers and other columns: a detector that calls them direct
identifiers is wrong).  Column names are neutral (``c07``) unless the kind
has no content signature (passport, driver's licence, account number,
numeric cookie id), where the name is the only evidence a person has too.

Printed: per kind, precision and recall on each part, and the same for
"is a direct identifier" as a whole.  tests/test_pii_detection.py asserts a
floor on the held-out part.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

TUNING_LOCALES = ("en_US", "de_DE", "fr_FR")
HELDOUT_LOCALES = ("es_ES", "it_IT", "nl_NL", "pl_PL", "pt_BR", "sv_SE", "en_GB")
_CC = {"en_US": "1", "de_DE": "49", "fr_FR": "33", "es_ES": "34", "it_IT": "39", "nl_NL": "31",
       "pl_PL": "48", "pt_BR": "55", "sv_SE": "46", "en_GB": "44"}


def _luhn_complete(body):
    """``body`` (digits) followed by its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _faker(locale, seed):
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


def _person_columns(locale, seed, n, rng):
    """Direct identifiers of one locale, under neutral names."""
    f = _faker(locale, seed)
    cc = _CC[locale]
    cols = [
        ("person_name", [f.name() for _ in range(n)]),
        ("person_name", [f"{f.first_name()} {f.last_name()}" for _ in range(n)]),
        ("email", [f.email() for _ in range(n)]),
        ("phone", [f.phone_number() for _ in range(n)]),
        ("msisdn", [f"+{cc}" + f.numerify("1#########") for _ in range(n)]),
        ("imei", [_luhn_complete(f.numerify("35######") + f.numerify("######")) for _ in range(n)]),
        ("iban", [f.iban() for _ in range(n)]),
        ("credit_card", [f.credit_card_number() for _ in range(n)]),
        ("ipv4", [f.ipv4() for _ in range(n)]),
        ("cookie_id", [f"GA1.2.{rng.integers(10**8, 10**10)}.{rng.integers(1_400_000_000, 1_800_000_000)}"
                       for _ in range(n)]),
        ("free_text", [f"{f.sentence(nb_words=5)} Please call {f.first_name()} {f.last_name()} on "
                       f"{f.phone_number()}." if i % 3 == 0 else f.sentence(nb_words=9) for i in range(n)]),
    ]
    return cols


def _named_columns(locale, seed, n, rng, names):
    """Identifiers with no content signature: the column name is the evidence."""
    f = _faker(locale, seed + 1)
    return [
        (names[0], "passport_number", [f.bothify("?#######").upper() for _ in range(n)]),
        (names[1], "drivers_license", [f.bothify("??######").upper() for _ in range(n)]),
        (names[2], "account_number", [f.numerify("##########") for _ in range(n)]),
        (names[3], "cookie_id", rng.integers(10**15, 10**18, n)),
        (names[4], "msisdn", rng.integers(4915100000000, 4917999999999, n)),
        (names[5], "imei", np.array([int(_luhn_complete(f.numerify("86######") + f.numerify("######")))
                                     for _ in range(n)], dtype=np.int64)),
    ]


def _tuning_negatives(n, rng):
    f = _faker("en_US", 101)
    return [
        ("cell_tower_id", None, rng.integers(10**6, 10**9, n)),
        ("cell_id", None, rng.integers(1000, 65535, n)),
        ("zip", None, rng.integers(10000, 99999, n)),
        ("product_code", None, [f.bothify("??-####").upper() for _ in range(n)]),
        ("order_id", None, rng.integers(10**9, 10**10, n)),
        ("price", None, np.round(rng.gamma(2.0, 20.0, n), 2)),
        ("quantity", None, rng.integers(1, 20, n)),
        ("c_note", None, [f.sentence(nb_words=10) for _ in range(n)]),
        ("c_color_item", None, [f"{f.color_name()} {f.word().title()}" for _ in range(n)]),
        ("c_city", None, [f.city() for _ in range(n)]),
        ("c_version", None, [f"{rng.integers(0, 5)}.{rng.integers(0, 20)}.{rng.integers(0, 50)}" for _ in range(n)]),
        ("c_rating", None, rng.integers(1, 6, n)),
    ]


def _heldout_negatives(n, rng):
    f = _faker("en_US", 202)
    return [
        ("c_company", None, [f.company() for _ in range(n)]),
        ("c_job", None, [f.job() for _ in range(n)]),
        ("event_ts", None, rng.integers(1_500_000_000, 1_750_000_000, n)),
        ("sku", None, rng.integers(10**7, 10**8, n)),
        ("c_slogan", None, [f.catch_phrase() for _ in range(n)]),
        ("sensor_id", None, rng.integers(10**5, 10**7, n)),
        ("cell_site", None, rng.integers(10**6, 10**8, n)),
        ("c_description", None, [f.paragraph(nb_sentences=2) for _ in range(n)]),
        ("c_country", None, [f.country() for _ in range(n)]),
        ("lac", None, rng.integers(1, 65535, n)),
        ("c_file", None, [f.file_name() for _ in range(n)]),
        ("c_license_plate", None, [f.license_plate() for _ in range(n)]),
    ]


def _customers(n):
    from sklearn_anon.datasets import make_customers

    X = make_customers(n, random_state=7)
    truth = {"name": "person_name", "street_address": "postal_address", "ssn": "ssn", "email": "email",
             "username": "username", "ip": "ipv4", "mdem": "hash_id"}
    return [(f"mc_{c}", truth.get(c), X[c]) for c in X.columns]


def _survey(n):
    from sklearn_anon.datasets import make_survey

    X = make_survey(n, random_state=7)
    return [(c, None, X[c]) for c in X.columns]


def _adult(n):
    folder = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR",
                                 Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "adult"))
    if not (folder / "adult.data").exists():
        return []
    from sklearn_anon.datasets import load_adult

    X = load_adult(folder).head(n)
    return [(f"adult_{c}", None, X[c]) for c in X.columns]


def labelled_columns(part, n=400):
    """``[(name, true_kind or None, values)]`` of one part (``"tuning"`` or ``"heldout"``)."""
    if part not in ("tuning", "heldout"):
        raise ValueError("part must be 'tuning' or 'heldout'")
    rng = np.random.default_rng(11 if part == "tuning" else 22)
    cols = []
    locales = TUNING_LOCALES if part == "tuning" else HELDOUT_LOCALES
    for i, locale in enumerate(locales):
        seed = (1 if part == "tuning" else 1000) + i
        for kind, values in _person_columns(locale, seed, n, rng):
            cols.append((f"c{len(cols):02d}", kind, values))
    if part == "tuning":
        named = _named_columns("en_US", 5, n, rng, ["passport_no", "driver_license", "account_number",
                                                    "cookie_id", "msisdn", "imei"])
        f = _faker("en_US", 6)
        cols.append((f"c{len(cols):02d}", "ssn", [f.ssn() for _ in range(n)]))
        cols.append((f"c{len(cols):02d}", "person_name", [f.first_name() for _ in range(n)]))
        cols += named + _tuning_negatives(n, rng) + _customers(n)
    else:
        named = _named_columns("es_ES", 55, n, rng, ["PassportNumber", "drivers_licence_no", "bank_account",
                                                    "tracking_cookie", "msisdn_e164", "device_imei"])
        f = _faker("it_IT", 56)
        cols.append((f"c{len(cols):02d}", "person_name", [f.first_name() for _ in range(n)]))
        cols += named + _heldout_negatives(n, rng) + _survey(n) + _adult(n)
    return [(name, kind, pd.Series(values, name=name)) for name, kind, values in cols]


def evaluate(columns, **detect_kwargs):
    """Per-column truth and prediction, and per-kind precision/recall."""
    from sklearn_anon import detect_pii
    from sklearn_anon.identifiers._patterns import DIRECT

    frame = pd.concat([values.reset_index(drop=True) for _, _, values in columns], axis=1)
    frame.columns = [name for name, _, _ in columns]
    report = detect_pii(frame, **detect_kwargs)
    truth = pd.Series([kind for _, kind, _ in columns], index=frame.columns, dtype=object)
    pred = report["kind"].where(report["role"] == DIRECT).astype(object)
    pred = pred.where(pred.notna(), None)
    table = pd.DataFrame({"truth": truth, "predicted": pred})
    rows = []
    kinds = sorted({k for k in truth if k} | {k for k in pred if k})
    for kind in kinds:
        t, p = truth == kind, pred == kind
        rows.append(_scores(kind, t, p))
    rows.append(_scores("any direct identifier", truth.notna(), pred.notna()))
    return table, pd.DataFrame(rows).set_index("kind")


def _scores(kind, t, p):
    tp = int((t & p).sum())
    return {"kind": kind, "n_true": int(t.sum()), "n_predicted": int(p.sum()), "tp": tp,
            "precision": tp / p.sum() if p.sum() else float("nan"),
            "recall": tp / t.sum() if t.sum() else float("nan")}


def timing(n_detect=1_000_000, n_redact=1_000_000):
    """Wall and CPU seconds of detect_pii on an ``n_detect``-row table of the
    tuning columns, and of TextRedactor on ``n_redact`` free-text cells (half
    of them with a name, a phone number and an e-mail inside)."""
    import time

    from sklearn_anon import TextRedactor, detect_pii

    columns = labelled_columns("tuning", 400)
    reps = -(-n_detect // 400)
    frame = pd.concat([v.reset_index(drop=True) for _, _, v in columns], axis=1)
    frame.columns = [name for name, _, _ in columns]
    frame = pd.concat([frame] * reps, ignore_index=True).iloc[:n_detect]
    start, cpu = time.perf_counter(), time.process_time()
    detect_pii(frame)
    detect_s, detect_cpu = time.perf_counter() - start, time.process_time() - cpu
    f = _faker("en_US", 303)
    pool = np.array([f"{f.sentence(nb_words=6)} Contact {f.name()} at {f.phone_number()} or {f.email()}."
                     if i % 2 else f.sentence(nb_words=12) for i in range(5000)], dtype=object)
    texts = pd.Series(pool[np.random.default_rng(0).integers(0, len(pool), n_redact)]) + " #" + \
        pd.Series(np.arange(n_redact)).astype(str)
    X = pd.DataFrame({"note": texts.astype(object)})
    start, cpu = time.perf_counter(), time.process_time()
    TextRedactor().fit_transform(X)
    redact_s, redact_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"detect_pii rows": n_detect, "detect_pii columns": frame.shape[1],
            "detect_pii wall s": round(detect_s, 2), "detect_pii CPU s": round(detect_cpu, 2),
            "TextRedactor cells": n_redact, "TextRedactor wall s": round(redact_s, 2),
            "TextRedactor CPU s": round(redact_cpu, 2),
            "TextRedactor CPU us/cell": round(redact_cpu / n_redact * 1e6, 1)}


def main(argv=None):
    import time

    from _common import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--timing", action="store_true", help="also time 1M rows / 1M texts")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    if args.timing:
        print(timing())
    for part in ("tuning", "heldout"):
        columns = labelled_columns(part, args.rows)
        start = time.perf_counter()
        table, scores = evaluate(columns)
        seconds = time.perf_counter() - start
        n_direct = int(table["truth"].notna().sum())
        print(f"\n## {part}: {len(columns)} columns ({n_direct} direct identifiers), "
              f"{args.rows} rows, detect_pii {seconds:.2f} s wall")
        print(scores.to_markdown(floatfmt=".2f") if _has_tabulate() else scores.round(2).to_string())
        errors = table[table["truth"].fillna("-") != table["predicted"].fillna("-")]
        if args.show_errors or part == "tuning":
            print(f"\nmisclassified ({len(errors)}):")
            print(errors.to_string() if len(errors) else "(none)")
        else:
            print(f"\nmisclassified: {len(errors)} (names withheld for the held-out part; --show-errors)")


def _has_tabulate():
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
