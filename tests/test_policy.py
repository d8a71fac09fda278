"""Policies: validation before any data is read, and the ColumnTransformer they build."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

from sklearn_anon import (
    DateGeneralizer,
    LaplaceNoise,
    MondrianAnonymizer,
    Pseudonymizer,
    RandomizedResponse,
)
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import k_anonymity
from sklearn_anon.policy import Policy, PolicyError, load_policy, parse_policy, suggest_policy

KEY_VAR = "SKLEARN_ANON_TEST_POLICY_KEY"

FULL = f"""
[policy]
unlisted = "drop"

[keys]
default = "env:{KEY_VAR}"

[report]
quasi_identifiers = ["zipcode", "birthdate", "income"]
k = 3

[columns]
name = "drop"
ssn = "drop"
email = {{ action = "pseudonymize", length = 16 }}
zipcode = {{ action = "generalize", method = "prefix", n = 3, width = 5, min_count = 10 }}
birthdate = {{ action = "generalize", method = "age", reference_date = "2024-01-01", bins = [18, 35, 50, 65, 120] }}
income = {{ action = "generalize", method = "interval", bins = [0, 25000, 50000, 100000, 1e12], right = false }}
sex = {{ action = "randomized_response", epsilon = 2.0, categories = ["F", "M"], random_state = 0 }}
purchases = {{ action = "laplace", epsilon = 1.0, bounds = [0, 40], random_state = 0 }}
golf = "keep"
"""


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv(KEY_VAR, "a-test-key-of-some-length")


@pytest.fixture(scope="module")
def customers():
    return make_customers(n_samples=400, random_state=0)


def _error(text, **kw):
    with pytest.raises(PolicyError) as info:
        parse_policy(text, **kw)
    return str(info.value)


# -- building -------------------------------------------------------------------------------
def test_full_policy_builds_the_column_transformer(customers):
    policy = parse_policy(FULL)
    ct = policy.build(customers.columns)
    assert isinstance(ct, ColumnTransformer)
    names = [name for name, _, _ in ct.transformers]
    # data order, dropped and unlisted columns absent
    assert names == ["zipcode", "income", "purchases", "sex", "birthdate", "email", "golf"]
    est = dict((n, e) for n, e, _ in ct.transformers)
    assert isinstance(est["email"], Pseudonymizer) and est["email"].key == f"env:{KEY_VAR}"
    assert isinstance(est["purchases"], LaplaceNoise) and est["purchases"].bounds == [0, 40]
    assert isinstance(est["sex"], RandomizedResponse)
    assert isinstance(est["birthdate"], DateGeneralizer) and est["birthdate"].unit == "age"
    assert [s for s, _ in est["zipcode"].steps] == ["prefix", "rare"]

    out = ct.fit_transform(customers)
    assert list(out.columns) == names
    assert len(out) == len(customers)
    # no raw identifier survives: e-mails are 16-hex pseudonyms
    assert out["email"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert not set(out["email"]) & set(customers["email"])
    labels = ["[0, 25000)", "[25000, 50000)", "[50000, 100000)", "[100000, 1000000000000)"]
    codes = pd.cut(customers["income"], [0, 25000, 50000, 100000, 1e12], right=False, labels=False)
    assert list(out["income"].astype(str)) == [labels[int(c)] for c in codes]
    assert out["purchases"].dtype == np.float64
    assert policy.quasi_identifiers(out.columns) == ["zipcode", "birthdate", "income"]
    assert policy.output_columns(customers.columns) == [
        "zipcode", "income", "purchases", "sex", "birthdate", "email", "golf"]


def test_unlisted_keep_and_error(customers):
    text = '[policy]\nunlisted = "keep"\n[columns]\nname = "drop"\n'
    policy = parse_policy(text)
    assert policy.check_columns(["name", "age"]) == ["age"]
    ct = policy.build(["name", "age"])
    assert [n for n, _, _ in ct.transformers] == ["age"]
    strict = parse_policy('[policy]\nunlisted = "error"\n[columns]\nname = "drop"\n')
    with pytest.raises(PolicyError, match="column 'age': in the data but not in the policy"):
        strict.check_columns(["name", "age"])


def test_mondrian_group_is_k_anonymous(customers):
    text = """
    [columns]
    zipcode = { action = "mondrian", group = "qi" }
    income = { action = "mondrian", group = "qi" }
    sex = { action = "mondrian", group = "qi" }
    purchases = "keep"
    [mondrian.qi]
    k = 7
    sensitive = "purchases"
    """
    policy = parse_policy(text)
    ct = policy.build(customers.columns)
    (name, est, cols), = ct.transformers
    assert name == "mondrian_qi" and isinstance(est, MondrianAnonymizer)
    assert est.k == 7 and est.sensitive == "purchases"
    assert cols == ["zipcode", "income", "sex", "purchases"]
    out = ct.fit_transform(customers)
    assert k_anonymity(out, ["zipcode", "income", "sex"]) >= 7
    assert (out["purchases"].to_numpy() == customers["purchases"].to_numpy()).all()


def test_mondrian_parameters_on_the_columns_merge():
    policy = parse_policy('[columns]\na = { action = "mondrian", k = 4 }\nb = "mondrian"\n')
    assert policy.mondrian_groups == {"default": {"k": 4}}
    msg = _error('[columns]\na = { action = "mondrian", k = 4 }\nb = { action = "mondrian", k = 5 }')
    assert msg == "policy: column 'b': key 'k' disagrees with another column of Mondrian group 'default'"


def test_hierarchy_method_reads_the_file_relative_to_the_policy(tmp_path):
    (tmp_path / "h.csv").write_text("a;x;*\nb;x;*\nc;y;*\n")
    (tmp_path / "p.toml").write_text(
        '[columns]\nv = { action = "generalize", method = "hierarchy", hierarchy = "h.csv", level = 1 }\n'
    )
    policy = load_policy(tmp_path / "p.toml")
    out = policy.build(["v"]).fit_transform(pd.DataFrame({"v": list("abcab")}))
    assert list(out["v"].astype(str)) == ["x", "x", "y", "x", "x"]


def test_dtypes_for_reading():
    policy = parse_policy('[columns]\nzip = { action = "keep", dtype = "str" }\nd = { action = "keep", dtype = "datetime" }')
    assert policy.read_dtypes() == {"zip": "str", "d": "datetime"}


# -- validation: every error names the column and the key -------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ('[columns]\nincome = { action = "generalize", method = "interval", binz = [1, 2] }',
         "policy: column 'income': unknown parameter 'binz' for action 'generalize' (method 'interval')"),
        ('[columns]\nincome = { action = "generalise" }',
         "policy: column 'income': key 'action': unknown action 'generalise'"),
        ('[columns]\nincome = { method = "interval" }',
         "policy: column 'income': key 'action' is missing"),
        ('[columns]\nincome = { action = "generalize" }',
         "policy: column 'income': key 'method' is missing"),
        ('[columns]\nincome = { action = "generalize", method = "round" }',
         "policy: column 'income': key 'method': unknown method 'round'"),
        ('[columns]\nincome = { action = "generalize", method = "interval", bins = "many" }',
         "policy: column 'income': The 'bins' parameter of action 'generalize' (method 'interval') "
         "must be an array-like"),
        ('[columns]\nincome = { action = "generalize", method = "interval", right = 1 }',
         "policy: column 'income': The 'right' parameter of action 'generalize' (method 'interval') "
         "must be an instance of 'bool'"),
        ('[columns]\nincome = { action = "laplace", epsilon = "high" }',
         "policy: column 'income': The 'epsilon' parameter of action 'laplace' must be a float in "
         "the range (0.0, inf)"),
        ('[columns]\nincome = { action = "laplace", epsilon = -1.0 }',
         "policy: column 'income': The 'epsilon' parameter of action 'laplace' must be a float"),
        ('[columns]\nincome = { action = "laplace", k = 3 }',
         "policy: column 'income': unknown parameter 'k' for action 'laplace'"),
        ('[columns]\nage = { action = "mondrian", k = 2.5 }',
         "policy: column 'age': The 'k' parameter of action 'mondrian' must be an int"),
        ('[columns]\nage = "mondrian"\n[mondrian.default]\nk = 0',
         "policy: column 'age': The 'k' parameter of action 'mondrian' (group 'default') must be "
         "an int in the range [1, inf). Got 0 instead."),
        ('[columns]\nsex = { action = "randomized_response", epsilon = 1.0, random_state = "x" }',
         "policy: column 'sex': The 'random_state' parameter of action 'randomized_response' "
         "must be"),
        ('[columns]\nemail = { action = "pseudonymize", key = "my secret" }',
         "policy: column 'email': key 'key' must be a reference \"env:NAME\""),
        ('[columns]\nemail = { action = "pseudonymize", key = "env:SKLEARN_ANON_SURELY_UNSET" }',
         "policy: column 'email': key 'key': the environment variable 'SKLEARN_ANON_SURELY_UNSET' is not set"),
        ('[columns]\nemail = "pseudonymize"',
         "policy: column 'email': key 'key' is missing for action 'pseudonymize'"),
        ('[columns]\nemail = { action = "keep", dtype = "text" }',
         "policy: column 'email': key 'dtype' must be one of"),
        ('[columns]\nemail = 3', "policy: column 'email': must be an action name"),
        ('[columns]\nv = { action = "generalize", method = "hierarchy", hierarchy = "nope.csv" }',
         "policy: column 'v': key 'hierarchy': file"),
        ('[columns]\nv = { action = "mondrian", hierarchy = "nope.csv" }',
         "policy: column 'v': key 'hierarchy': file"),
        ('[policy]\nunlisted = "maybe"\n[columns]\na = "keep"', "policy: [policy]: key 'unlisted'"),
        ('[columns]\na = "keep"\n[report]\nk = 0', "policy: [report]: key 'k' must be an integer"),
        ('[columns]\na = "keep"\n[report]\nmin_l = 2', "policy: [report]: key(s) 'min_l' need key 'sensitive'"),
        ('[columns]\na = "keep"\n[report]\nsensitive = "a"\nmax_t = 0', "policy: [report]: key 'max_t' must be a number"),
        ('[columns]\na = "keep"\n[report]\nsensitive = "a"\nmax_homogeneity = 2',
         "policy: [report]: key 'max_homogeneity' must be a number in [0, 1]"),
        ('[columns]\na = "keep"\n[report]\nallowed_identifiers = "a"',
         "policy: [report]: key 'allowed_identifiers' must be a list"),
        ('[columns]\na = "drop"\n[report]\nquasi_identifiers = ["a"]',
         "policy: column 'a': [report] lists it as a quasi-identifier"),
        ('[columns]\na = "mondrian"\n[mondrian.other]\nk = 3',
         "policy: [mondrian.other]: no column has action 'mondrian'"),
        ('[columns]\na = "mondrian"\n[mondrian.default]\nkk = 3',
         "policy: [mondrian.default]: unknown key 'kk'"),
        ('[columns]\na = "mondrian"\nb = { action = "laplace", bounds = [0, 1] }\n'
         '[mondrian.default]\nsensitive = "b"',
         "policy: column 'b': is the sensitive column of Mondrian group 'default'"),
        ('[colums]\na = "keep"', "policy: unknown table(s) ['colums']"),
        ('[policy]\nunlisted = "drop"', "policy: no [columns] table"),
        ('[columns\na = "keep"', "policy: not valid TOML: "),
    ],
)
def test_invalid_policies(text, expected):
    msg = _error(text)
    assert msg.startswith(expected), msg
    assert "\n" not in msg


def test_missing_column_is_named_before_data_is_read():
    policy = parse_policy(FULL)
    with pytest.raises(PolicyError, match=r"^policy: column 'ssn': not found in the data"):
        policy.check_columns([c for c in make_customers(5, random_state=0).columns if c != "ssn"])
    with pytest.raises(PolicyError, match=r"\[report\]: key 'quasi_identifiers': column 'zz'"):
        parse_policy('[columns]\na = "keep"\n[report]\nquasi_identifiers = ["zz"]').check_columns(["a"])


def test_check_env_can_be_postponed():
    text = '[columns]\nemail = { action = "pseudonymize", key = "env:SKLEARN_ANON_SURELY_UNSET" }'
    policy = parse_policy(text, check_env=False)
    assert policy.rules["email"].params["key"] == "env:SKLEARN_ANON_SURELY_UNSET"


def test_load_policy_errors_name_the_file(tmp_path):
    with pytest.raises(PolicyError, match="file '.*nope.toml' does not exist"):
        load_policy(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"[columns]\na = \"caf\xe9\"\n")
    with pytest.raises(PolicyError, match="is not UTF-8"):
        load_policy(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[columns]\na = "hash"\n')
    with pytest.raises(PolicyError, match=r"^policy 'wrong.toml': column 'a': key 'action'"):
        load_policy(wrong)


def test_policy_document_type():
    with pytest.raises(PolicyError):
        Policy(["not", "a", "table"])


# -- suggesting ---------------------------------------------------------------------------------
def _passes_its_own_verdict(policy, table):
    from sklearn_anon.metrics import PrivacyReport

    out = policy.build(table.columns).fit_transform(table)
    cfg = policy.report
    report = PrivacyReport(table, out, cfg["quasi_identifiers"], cfg.get("sensitive"),
                           **{k: cfg[k] for k in ("k", "max_uniqueness", "max_reidentification")})
    return out, report


def test_suggested_policy_is_valid_and_removes_direct_identifiers(customers):
    from sklearn_anon import detect_pii

    for data in (None, customers):  # from the detection alone, or measured on the table
        text = suggest_policy(detect_pii(customers), customers.dtypes.to_dict(), data=data)
        policy = parse_policy(text)
        assert set(policy.rules) == set(customers.columns)
        for column in ("ssn", "name", "email", "ip", "street_address"):
            assert policy.rules[column].action == "drop", column
        qis = policy.report["quasi_identifiers"]
        assert {"zipcode", "birthdate", "sex"} <= set(qis)
        assert all(policy.rules[q].action == "mondrian" for q in qis)
        assert policy.report["k"] == 10 and policy.mondrian_groups["default"]["k"] == 10
        out, report = _passes_its_own_verdict(policy, customers)
        assert report.sufficient_, report.to_dict()["verdict"]["reasons"]
        raw_values = set(customers["email"]) | set(customers["name"])
        assert not raw_values & set(out.astype(str).to_numpy().ravel())
    assert "pseudonymize" in text.split("email = ")[1].splitlines()[0]  # how to keep a join key


def test_suggested_policy_on_adult_with_names_emails_and_notes(adult_dir):
    # issue 15.2: near-unique fnlwgt and free-text notes dropped, education-num
    # named as redundant with education, padded values reported, quasi-identifiers
    # k-anonymized together, and the unedited suggestion passes its own verdict
    from sklearn_anon import detect_pii

    cols = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
            "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
            "hours-per-week", "native-country", "salary-class"]
    adult = pd.read_csv(adult_dir / "adult.data", header=None, names=cols, nrows=8000)
    people = make_customers(len(adult), random_state=0)
    rng = np.random.default_rng(0)
    words = np.array(["called", "about", "the", "invoice", "and", "asked", "for", "a", "refund"])
    notes = [" ".join(rng.choice(words, 6)) + f" {i}" for i in range(len(adult))]
    adult = adult.assign(name=people["name"].to_numpy(), email=people["email"].to_numpy(), notes=notes)
    text = suggest_policy(detect_pii(adult), data=adult)
    policy = parse_policy(text)
    line = {c: next(x for x in text.splitlines() if x.startswith(f"{c} = ")) for c in adult.columns}
    for column in ("fnlwgt", "notes", "name", "email", "education-num"):
        assert policy.rules[column].action == "drop", column
    assert "acts as an identifier" in line["fnlwgt"] and "free text" in line["notes"]
    assert "'education'" in line["education-num"]
    assert "leading/trailing spaces" in line["occupation"]
    assert set(policy.report["quasi_identifiers"]) >= {"age", "sex", "race", "education", "occupation"}
    for value in adult["occupation"].unique()[:5]:  # no value is quoted
        assert value.strip() not in text
    _, report = _passes_its_own_verdict(policy, adult)
    assert report.sufficient_, report.to_dict()["verdict"]["reasons"]
    assert report.to_dict()["anonymized"]["k"] >= 10


def test_example_policy_file_is_valid(monkeypatch):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "policy_customers.toml"
    policy = load_policy(path, check_env=False)
    columns = list(make_customers(5, random_state=0).columns)
    assert policy.check_columns(columns) is not None
    assert policy.build(columns).transformers


# -- wrong types: no true/false for a number, lists of numbers checked first (12.8) ------------
#: a valid rule per action / generalize method, to which one key is added
_BASE_RULES = {
    "pseudonymize": {"action": "pseudonymize", "key": f"env:{KEY_VAR}"},
    "fake": {"action": "fake", "key": f"env:{KEY_VAR}"},
    "laplace": {"action": "laplace", "epsilon": 1.0, "bounds": [0, 10]},
    "gaussian": {"action": "gaussian", "epsilon": 1.0, "delta": 1e-5, "bounds": [0, 10]},
    "randomized_response": {"action": "randomized_response", "epsilon": 1.0},
    "mondrian": {"action": "mondrian"},
    "interval": {"action": "generalize", "method": "interval"},
    "topcode": {"action": "generalize", "method": "topcode"},
    "date": {"action": "generalize", "method": "date"},
    "age": {"action": "generalize", "method": "age"},
    "prefix": {"action": "generalize", "method": "prefix"},
    "rare": {"action": "generalize", "method": "rare"},
    "hierarchy": {"action": "generalize", "method": "hierarchy", "hierarchy": "h.csv"},
}
#: the yes/no keys (true/false is their type) and the keys holding data values
_BOOLEAN_KEYS = {"right", "include_lowest"}
_DATA_KEYS = {"categories"}


def _every_policy_key():
    from sklearn_anon.policy import _keys

    for name, base in _BASE_RULES.items():
        for key in _keys(base["action"], base.get("method")):
            yield name, key


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _rule_text(rule):
    return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in rule.items()) + " }"


@pytest.mark.parametrize("name, key", sorted(_every_policy_key()))
def test_true_is_refused_for_every_key_that_is_not_yes_no(name, key, tmp_path):
    (tmp_path / "h.csv").write_text("a;b\nc;d\n")
    for value in (True, False, [0, True]):
        rule = {**_BASE_RULES[name], key: value}
        text = f"[columns]\nc = {_rule_text(rule)}\n"
        if key in _BOOLEAN_KEYS:
            if isinstance(value, bool):
                parse_policy(text, base_dir=tmp_path)  # their type: accepted
            continue
        if key in _DATA_KEYS:
            continue
        msg = _error(text, base_dir=tmp_path)
        assert msg.startswith("policy: column 'c': ") and f"'{key}'" in msg, msg


@pytest.mark.parametrize("where", ["column", "group"])
def test_k_true_is_not_k_1(where):
    # it was accepted as k = 1: a "k-anonymous" release of unique rows
    if where == "column":
        text = '[columns]\na = { action = "mondrian", k = true }\nb = "mondrian"\n'
    else:
        text = '[columns]\na = "mondrian"\nb = "mondrian"\n[mondrian.default]\nk = true\n'
    msg = _error(text)
    assert msg == ("policy: column 'a': key 'k' (action 'mondrian') must be a number, not a "
                   "boolean; got true")


@pytest.mark.parametrize("rule, expected", [
    ('{ action = "generalize", method = "interval", bins = [0, "x", 1e12] }',
     "key 'bins' (action 'generalize', method 'interval') must be a list of numbers"),
    ('{ action = "generalize", method = "interval", bins = [0, true, 1e12] }',
     "key 'bins' (action 'generalize', method 'interval') must be a list of numbers"),
    ('{ action = "generalize", method = "interval", bins = [0, 50, 10] }',
     "key 'bins' (action 'generalize', method 'interval') must be strictly increasing"),
    ('{ action = "generalize", method = "interval", bins = [0] }',
     "must hold at least 2 edges"),
    ('{ action = "generalize", method = "interval", bins = [0, nan, 1] }', "must not hold nan"),
    ('{ action = "generalize", method = "interval", bins = [0, 5, 9], labels = ["a"] }',
     "key 'labels' (action 'generalize', method 'interval') must have one entry per bin: "
     "2 bins, 1 labels"),
    ('{ action = "generalize", method = "age", bins = [18, "65"] }',
     "key 'bins' (action 'generalize', method 'age') must be a list of numbers"),
    ('{ action = "generalize", method = "date", unit = "age", bins = [18, 10] }',
     "key 'bins' (action 'generalize', method 'date') must be strictly increasing"),
    ('{ action = "laplace", epsilon = 1.0, bounds = [0, "40"] }',
     "key 'bounds' (action 'laplace') must be a list of numbers"),
    ('{ action = "laplace", epsilon = 1.0, bounds = [40, 0] }',
     "key 'bounds' (action 'laplace') must be [lower, upper] with lower < upper"),
    ('{ action = "gaussian", epsilon = 1.0, delta = 1e-5, bounds = [0, 1, 2] }',
     "key 'bounds' (action 'gaussian') must be [lower, upper]"),
    ('{ action = "gaussian", epsilon = 1.0, delta = 1e-5, bounds = [0, inf] }',
     "key 'bounds' (action 'gaussian') must be finite"),
])
def test_lists_of_numbers_are_checked_before_the_data(rule, expected):
    msg = _error(f"[columns]\nincome = {rule}\n")
    assert msg.startswith("policy: column 'income': key ") and expected in msg, msg


def test_valid_lists_of_numbers_still_pass():
    policy = parse_policy(
        '[columns]\n'
        'a = { action = "generalize", method = "interval", bins = [0, 10, inf], '
        'labels = ["low", "high"] }\n'
        'b = { action = "laplace", epsilon = 1.0, bounds = [-5, 5.5] }\n'
        'c = { action = "generalize", method = "age", bins = [18, 35, 120] }\n'
        'd = { action = "randomized_response", epsilon = 1.0, categories = [true, false] }\n')
    assert policy.rules["a"].params["bins"] == [0, 10, float("inf")]


def test_mondrian_precision_from_the_policy_hides_an_outlier(customers):
    text = """
    [columns]
    income = { action = "mondrian", group = "qi" }
    purchases = { action = "mondrian", group = "qi" }
    [mondrian.qi]
    k = 5
    precision = 1
    """
    frame = customers[["income", "purchases"]].astype(float)
    frame.loc[frame.index[0], "income"] = 987654.32
    ct = parse_policy(text).build(frame.columns)
    (_, est, _), = ct.transformers
    assert est.precision == 1
    out = ct.fit_transform(frame)
    assert not out["income"].astype(str).str.contains("987654").any()
    assert _error('[columns]\na = "mondrian"\n[mondrian.default]\nprecision = true') \
        .startswith("policy:")


# -- keys derived from the estimators, checked by scikit-learn's validator, built once (14.5) -----
def test_keys_come_from_the_estimators():
    from sklearn_anon import DateGeneralizer, Pseudonymizer

    # parameters that no hand-written table of the policy listed are policy keys now
    policy = parse_policy(
        f'[columns]\nemail = {{ action = "pseudonymize", key = "env:{KEY_VAR}", n_jobs = 1 }}\n'
        'd = { action = "generalize", method = "date", unit = "year", epoch_unit = "s" }\n')
    est = dict((n, e) for n, e, _ in policy.build(["email", "d"]).transformers)
    assert est["email"].get_params()["n_jobs"] == 1
    assert est["d"].get_params()["epoch_unit"] == "s"
    # every policy key of an action is a parameter of its estimator (or the policy's own)
    msg = _error('[columns]\nemail = { action = "pseudonymize", nope = 1 }')
    expected = sorted(set(Pseudonymizer._get_param_names()) - {"columns"}) + ["dtype"]
    assert msg.endswith(f"expected one of {expected}"), msg
    # the parameters the policy sets itself are not keys
    for rule in ('{ action = "generalize", method = "interval", columns = ["x"] }',
                 '{ action = "laplace", epsilon = 1.0, bounds = [0, 1], accountant = 1 }',
                 '{ action = "generalize", method = "age", unit = "day" }',
                 '{ action = "mondrian", quasi_identifiers = ["x"] }'):
        assert "unknown parameter" in _error(f"[columns]\nx = {rule}\n"), rule
    assert "unit" in DateGeneralizer._get_param_names()


def test_a_renamed_key_is_named_as_the_policy_writes_it(tmp_path):
    (tmp_path / "h.csv").write_text("a;x;*\nb;x;*\n")
    msg = _error('[columns]\nv = { action = "generalize", method = "hierarchy", '
                 'hierarchy = "h.csv", level = -1 }', base_dir=tmp_path)
    assert msg.startswith("policy: column 'v': The 'level' parameter of action 'generalize' "
                          "(method 'hierarchy') must be"), msg
    assert "levels" not in msg and "\n" not in msg


def test_a_data_valued_key_is_never_shown():
    msg = _error('[columns]\nsex = { action = "randomized_response", epsilon = 1.0, '
                 'categories = "Jane Doe" }')
    assert msg.startswith("policy: column 'sex': key 'categories' (action "
                          "'randomized_response') cannot be a str"), msg
    assert "Jane" not in msg


def test_parsing_builds_no_estimator_and_each_build_builds_fresh_ones(monkeypatch):
    import functools

    from sklearn_anon import IntervalGeneralizer, RareCategoryGrouper

    built = []
    for cls in (IntervalGeneralizer, RareCategoryGrouper, MondrianAnonymizer):
        init = cls.__init__

        @functools.wraps(init)
        def counting(self, *args, _init=init, **kwargs):
            built.append(type(self).__name__)
            _init(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    policy = parse_policy('[columns]\na = { action = "generalize", method = "interval", '
                          'bins = [0, 10, 100] }\nb = { action = "generalize", method = "rare", '
                          'min_count = 2 }\nc = { action = "mondrian", k = 2 }\nd = "mondrian"\n')
    assert built == []  # parsing checks every key without building an estimator
    first = policy.build(["a", "b", "c", "d"])
    assert sorted(built) == ["IntervalGeneralizer", "MondrianAnonymizer", "RareCategoryGrouper"]
    second = policy.build(["a", "b", "c", "d"])
    assert len(built) == 6
    for (_, one, _), (_, two, _) in zip(first.transformers, second.transformers):
        assert one is not two and one.get_params() == two.get_params()
