"""TextRedactor, the name lexicon, and detect_pii on names, free text and seed 001's kinds."""

import builtins
import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import TextRedactor, detect_pii
from sklearn_anon.identifiers._lexicon import name_lexicon
from sklearn_anon.identifiers._text_redactor import _presidio_available, redact_texts

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


# ---------------------------------------------------------------------------
# the lexicon
# ---------------------------------------------------------------------------
def test_lexicon_is_package_data_and_needs_no_faker(monkeypatch):
    real_import = builtins.__import__

    def no_faker(name, *args, **kwargs):
        if name == "faker" or name.startswith("faker."):
            raise ImportError("no faker here")
        return real_import(name, *args, **kwargs)

    name_lexicon.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_faker)
    for mod in [m for m in sys.modules if m == "faker" or m.startswith("faker.")]:
        monkeypatch.delitem(sys.modules, mod)
    try:
        lex = name_lexicon()
        assert len(lex) > 20_000
        assert {"maria", "john", "müller", "иван"} <= lex.names
        people = [f"{a} {b}" for a in ("Maria", "John", "Ivan", "Anna") for b in ("Schmidt", "Smith", "Petrov", "Rossi")]
        out = detect_pii(pd.DataFrame({"c": people}))
        assert out.loc["c", "kind"] == "person_name"
    finally:
        name_lexicon.cache_clear()


def test_lexicon_carries_fakers_notice():
    import gzip
    from importlib import resources

    data = resources.files("sklearn_anon.identifiers").joinpath("data", "names.txt.gz").read_bytes()
    head = gzip.decompress(data)[:3000].decode("utf-8")
    assert "Faker" in head and "Daniele Faraglia" in head and "MIT" in head


# ---------------------------------------------------------------------------
# detect_pii: names by content, free text, seed 001's kinds, hard negatives
# ---------------------------------------------------------------------------
def _luhn_complete(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def test_names_without_a_name_hint():
    faker = pytest.importorskip("faker")
    cols = {}
    for loc in ("en_US", "de_DE", "pl_PL"):
        f = faker.Faker(loc)
        f.seed_instance(0)
        cols[f"col_{loc}"] = [f"{f.first_name()} {f.last_name()}" for _ in range(200)]
    report = detect_pii(pd.DataFrame(cols))
    assert (report["kind"] == "person_name").all()
    assert (report["evidence"] == "content").all()


def test_title_case_words_are_not_names():
    X = pd.DataFrame({"item": [f"{c} {n}" for c in ("Blue", "Red", "Green", "Black", "Silver")
                               for n in ("Widget", "Lamp", "Chair", "Table", "Desk", "Cable")]})
    assert detect_pii(X).loc["item", "role"] == "other"


def test_seed_001_kinds_and_cell_tower_id():
    rng = np.random.default_rng(0)
    n = 200
    X = pd.DataFrame({
        "c1": [f"+4915{rng.integers(10**8, 10**9)}" for _ in range(n)],
        "c2": [_luhn_complete(f"35{rng.integers(10**11, 10**12)}") for _ in range(n)],
        "c3": [f"GA1.2.{rng.integers(10**8, 10**9)}.{rng.integers(1_500_000_000, 1_700_000_000)}" for _ in range(n)],
        "imei": [int(_luhn_complete(f"86{rng.integers(10**11, 10**12)}")) for _ in range(n)],
        "msisdn": rng.integers(4915100000000, 4917999999999, n),
        "passport_number": [f"X{rng.integers(10**7, 10**8)}" for _ in range(n)],
        "driver_license": [f"D{rng.integers(10**6, 10**7)}" for _ in range(n)],
        "account_number": [str(rng.integers(10**9, 10**10)) for _ in range(n)],
        "cookie_id": rng.integers(10**15, 10**18, n),
        "cell_tower_id": rng.integers(10**6, 10**9, n),
        "cell_id": rng.integers(1000, 65535, n),
        "cell": [f"+1-202-555-{rng.integers(1000, 9999)}" for _ in range(n)],
    })
    r = detect_pii(X)
    expected = {"c1": "msisdn", "c2": "imei", "c3": "cookie_id", "imei": "imei", "msisdn": "msisdn",
                "passport_number": "passport_number", "driver_license": "drivers_license",
                "account_number": "account_number", "cookie_id": "cookie_id", "cell": "phone"}
    for col, kind in expected.items():
        assert r.loc[col, "kind"] == kind, col
        assert r.loc[col, "role"] == "direct_identifier", col
    assert r.loc["cell_tower_id", "role"] == "other"
    assert r.loc["cell_id", "role"] == "other"


def test_amex_numbers_are_cards_not_imeis():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"c": [_luhn_complete(f"37{rng.integers(10**11, 10**12)}") for _ in range(100)]})
    assert detect_pii(X).loc["c", "kind"] == "credit_card"


def test_free_text_with_identifiers_inside():
    rng = np.random.default_rng(2)
    names = ["Maria Schmidt", "John Smith", "Anna Rossi", "Pierre Dubois"]
    texts = [f"Customer asked to be called back by {names[i % 4]} tomorrow morning" if i % 4 == 0
             else "Customer asked about the delivery date of the parcel" for i in range(200)]
    plain = [f"Customer asked about parcel {rng.integers(100, 999)} and the delivery date" for _ in range(200)]
    r = detect_pii(pd.DataFrame({"notes": texts, "plain": plain}))
    assert r.loc["notes", "kind"] == "free_text"
    assert r.loc["notes", "role"] == "direct_identifier"
    assert r.loc["plain", "role"] == "other"


# ---------------------------------------------------------------------------
# the labelled set: a floor on the held-out part
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("faker")
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("bench_pii_detection")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.slow
def test_heldout_precision_recall_floor(bench):
    columns = bench.labelled_columns("heldout", n=200)
    assert len(columns) + len(bench.labelled_columns("tuning", n=20)) >= 60
    table, scores = bench.evaluate(columns)
    overall = scores.loc["any direct identifier"]
    assert overall["n_true"] >= 30
    assert overall["precision"] >= 0.95
    assert overall["recall"] >= 0.9
    # every kind is found at least once, and no kind is mostly wrong
    per_kind = scores.drop(index="any direct identifier")
    assert (per_kind["recall"].dropna() >= 0.5).all(), per_kind
    assert (per_kind["precision"].dropna() >= 0.5).all(), per_kind


# ---------------------------------------------------------------------------
# TextRedactor
# ---------------------------------------------------------------------------
def test_redactor_masks_each_kind():
    X = pd.DataFrame({"t": [
        "Mail ann.lee@example.com, call +44 20 7946 0958 or (202) 555-0143.",
        "Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, from 10.1.2.3 and fe80::1",
        "Dr. Quxley said Maria Schmidt and Jean-Pierre Dupont agreed.",
        "Order 12345 shipped on 2024-03-05 at 10:30 for 1,234.50 EUR.",
    ]})
    out = TextRedactor().fit_transform(X)["t"].tolist()
    assert out[0] == "Mail [EMAIL], call [PHONE] or [PHONE]."
    assert out[1] == "Card [CARD], IBAN [IBAN], from [IP] and [IP]"
    assert out[2] == "Dr. [NAME] said [NAME] and [NAME] agreed."
    assert out[3] == X["t"].iloc[3]  # no identifier: unchanged


def test_common_word_names_only_in_context():
    out = redact_texts(["Rose Garden opens in May.", "We met Rose Miller.", "Mrs. Long called."])
    assert out == ["Rose Garden opens in May.", "We met [NAME].", "Mrs. [NAME] called."]


def test_redactor_fails_closed_on_non_text():
    X = pd.DataFrame({"notes": ["call 555-0143", "ok"], "n": [4155550143, 2]})
    with pytest.raises(TypeError, match="column 'n' is not text") as info:
        TextRedactor().fit(X)
    assert "4155550143" not in str(info.value)
    mixed = pd.DataFrame({"notes": ["call me", 4155550143]}, dtype=object)
    with pytest.raises(TypeError, match="column 'notes' holds 1 non-text value") as info:
        TextRedactor().fit(mixed)
    assert "4155550143" not in str(info.value)
    out = TextRedactor(on_non_text="convert").fit_transform(X)
    assert out["n"].tolist() == ["[PHONE]", "2"]


def test_redactor_pandas_in_out_set_output_and_names():
    X = pd.DataFrame({"a": pd.array(["Anna Rossi", None, "hi"], dtype="string"), "b": ["x", "y", "z"]},
                     index=[7, 3, 5])
    est = TextRedactor(columns=["a"]).fit(X)
    out = est.transform(X)
    assert out.index.tolist() == [7, 3, 5]
    assert out["a"].dtype == X["a"].dtype
    assert out["a"].isna().tolist() == [False, True, False]
    assert out["b"].tolist() == ["x", "y", "z"]
    assert est.get_feature_names_out().tolist() == ["a", "b"]
    arr = X.to_numpy(dtype=object)
    got = TextRedactor().set_output(transform="pandas").fit(arr).transform(arr)
    assert isinstance(got, pd.DataFrame) and got.columns.tolist() == ["x0", "x1"]
    assert got["x0"].iloc[0] == "[NAME]"


def test_redactor_params_validated():
    X = pd.DataFrame({"a": ["x"]})
    with pytest.raises(ValueError, match="kinds"):
        TextRedactor(kinds=["nope"]).fit(X)
    with pytest.raises(ValueError, match="replacement"):
        TextRedactor(replacement="{oops}").fit(X)
    assert TextRedactor(kinds=["email"], replacement="***").fit_transform(
        pd.DataFrame({"a": ["a@b.org Maria"]}))["a"].iloc[0] == "*** Maria"


@pytest.mark.skipif(_presidio_available(), reason="presidio-analyzer is installed")
def test_presidio_backend_is_optional():
    with pytest.raises(ImportError, match="presidio-analyzer"):
        TextRedactor(backend="presidio").fit(pd.DataFrame({"a": ["x"]}))


def test_presidio_backend_span_handling_with_a_stand_in_engine(monkeypatch):
    # the backend's own code (entity mapping, overlapping spans, replacement
    # from the end) runs against a stand-in for presidio's AnalyzerEngine
    from types import SimpleNamespace

    from sklearn_anon.identifiers import _text_redactor as T

    calls = []

    class Engine:
        def analyze(self, text, language, entities):
            calls.append((language, tuple(entities)))
            found = []
            for entity, word in (("PERSON", "Maria Rossi"), ("PERSON", "Rossi"), ("EMAIL_ADDRESS", "m@r.it"),
                                 ("LOCATION", "Roma")):
                i = text.find(word)
                if i >= 0:
                    found.append(SimpleNamespace(entity_type=entity, start=i, end=i + len(word)))
            return found

    monkeypatch.setattr(T, "_presidio_engine", lambda: Engine())
    X = pd.DataFrame({"t": ["Maria Rossi (m@r.it) lives in Roma", None, "nothing"]})
    out = TextRedactor(backend="presidio", language="it").fit_transform(X)["t"]
    assert out.iloc[0] == "[NAME] ([EMAIL]) lives in Roma"
    assert pd.isna(out.iloc[1]) and out.iloc[2] == "nothing"
    assert calls[0][0] == "it" and "PERSON" in calls[0][1] and "LOCATION" not in calls[0][1]


@pytest.mark.skipif(not _presidio_available(), reason="presidio-analyzer is not installed (optional backend)")
def test_presidio_backend_masks_emails():  # pragma: no cover - optional package
    out = TextRedactor(backend="presidio", kinds=["email"]).fit_transform(pd.DataFrame({"a": ["mail a@b.org"]}))
    assert "a@b.org" not in out["a"].iloc[0]


# property tests: generated identifiers planted in generated text never survive
def _cased(names):
    """Capitalized names of a script with capitals, sorted (a deterministic pool)."""
    out = sorted({n[:1].upper() + n[1:] for n in names})
    # letters only (a case-folded "İ" is "i" + a combining dot: not a written form)
    return [n for n in out if n[:1].isupper() and n.replace("-", "").replace("'", "").isalpha()]


_LEX = name_lexicon()
# any first name of the lexicon that is not also a common word, before any surname
_LEX_FIRST = _cased(_LEX.first & _LEX.strong)
_LEX_LAST = _cased(_LEX.last)
_FILLER = st.sampled_from(["please", "note", "that", "the", "parcel", "was", "sent", "to", "and", "call",
                           "about", "order", "today", "thanks", "invoice", "42", "3.5", "ok"])


@st.composite
def _emails(draw):
    user = draw(st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]", fullmatch=True))
    host = draw(st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "org", "de", "co.uk", "io"]))
    return f"{user}@{host}.{tld}"


@st.composite
def _phones(draw):
    style = draw(st.integers(0, 4))
    d = [draw(st.integers(0, 9)) for _ in range(10)]
    s = "".join(map(str, d))
    if style == 0:
        return f"+49 {s[:3]} {s[3:]}"
    if style == 1:
        return f"({2 + d[0] % 8}{s[1:3]}) {s[3:6]}-{s[6:]}"
    if style == 2:
        return f"{2 + d[0] % 8}{s[1:3]}-{s[3:6]}-{s[6:]}"
    if style == 3:
        return f"+33 {1 + d[0] % 9} {s[1:3]} {s[3:5]} {s[5:7]} {s[7:9]}"
    return f"0{s[:3]} {s[3:]}"


@st.composite
def _planted_texts(draw):
    """A text with filler words and planted identifiers; returns (text, planted)."""
    words = draw(st.lists(_FILLER, min_size=0, max_size=8))
    planted = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["email", "phone", "name"]))
        if kind == "email":
            value = draw(_emails())
        elif kind == "phone":
            value = draw(_phones())
        else:
            value = f"{draw(st.sampled_from(_LEX_FIRST))} {draw(st.sampled_from(_LEX_LAST))}"
        planted.append(value)
        words.insert(draw(st.integers(0, len(words))), value if kind != "phone" else value)
    sep = draw(st.sampled_from([" ", ", ", " - "]))
    return sep.join(words) + draw(st.sampled_from(["", ".", "!"])), planted


def _digits(text):
    return "".join(ch for ch in text if ch.isdigit())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_planted_texts(), min_size=1, max_size=8))
def test_property_planted_identifiers_never_survive(rows):
    texts = [t for t, _ in rows]
    X = pd.DataFrame({"t": texts}, index=pd.RangeIndex(100, 100 + len(texts))[::-1])
    out = TextRedactor().fit_transform(X)
    assert len(out) == len(X) and out.index.equals(X.index)
    for got, (_, planted) in zip(out["t"].tolist(), rows):
        for value in planted:
            if "@" in value:
                assert value not in got
            elif any(ch.isdigit() for ch in value):
                assert _digits(value) not in _digits(got), "a planted phone number survived"
            else:
                for word in value.split():
                    assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", got), "a planted name survived"


def test_texts_differing_after_a_nul_stay_apart():
    # pandas' string hash table stops at NUL: the package's factorize does not
    X = pd.DataFrame({"t": pd.Series([None, "\x00", "a\x00Maria Schmidt", "a\x00b"], dtype=object)})
    out = TextRedactor().fit_transform(X)["t"].tolist()
    assert out[1:] == ["\x00", "a\x00[NAME]", "a\x00b"]
    assert pd.isna(out[0])


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=40)), min_size=1, max_size=15))
def test_property_rows_kept_in_order(texts):
    X = pd.DataFrame({"t": pd.Series(texts, dtype=object)})
    est = TextRedactor().fit(X)
    out = est.transform(X)
    assert len(out) == len(X)
    assert out["t"].isna().tolist() == X["t"].isna().tolist()
    # row i's output depends on row i only: reversing the rows reverses the output
    rev = est.transform(X.iloc[::-1])
    assert rev["t"].iloc[::-1].fillna("\0").tolist() == out["t"].fillna("\0").tolist()
