"""A retailer hands a campaign audience to an ad platform.
=======================================================

    python examples/ttt_campaign.py [--output-dir DIR] [--n-samples N]

The retailer (a make_customers CRM table) sends the platform what it needs
to target and measure a campaign, and nothing more:

* an **economic class** instead of the income (six labelled bands);
* a **random offer** per customer, drawn from a keyed hash of the e-mail
  (:class:`~sklearn_anon.KeyedAssigner`): unpredictable without the key,
  stable across files, recomputable by the retailer;
* a salted **exposure id** (:class:`~sklearn_anon.Pseudonymizer`, HMAC-SHA256
  of the e-mail under the retailer's secret salt): the platform reports
  exposures by this id, and the retailer recomputes it from its own e-mails
  to join the results back; the platform cannot reverse it;
* **PII removed** (name, SSN, address, e-mail, user name, IP, birth date),
  the full **ZIP code kept** for geographic targeting.

The file is written encrypted (AES-256-GCM, key from the environment; and,
with the ``age`` extra, in the age format, to the platform's public key, which
the platform opens with the ``age`` tool and no Python), and
the risk of what remains is assessed: high-cardinality columns are flagged
(the exposure id is one per customer, by design: it *is* a pseudonymous
identifier), and the re-identification risk on the quasi-identifiers left
(ZIP, economic class, sex) is measured, against ZIP3 for comparison.

Secrets come from ``$TTT_EXPOSURE_SALT``, ``$TTT_OFFER_KEY`` and
``$TTT_TRANSFER_KEY``; for the example, missing ones are generated (and
the transfer key is written to a key file in the output folder).
"""

import os
import time

import pandas as pd
from _output import parse_args
from sklearn.compose import ColumnTransformer

from sklearn_anon import IntervalGeneralizer, KeyedAssigner, PrefixGeneralizer, Pseudonymizer
from sklearn_anon._crypto import decrypt_bytes, encrypt_bytes, generate_key, load_key, write_key_file
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import column_cardinality, risk_summary

OFFERS = ["10% off", "free shipping", "2-for-1", "no offer (control)"]
INCOME_BINS = [0, 9000, 25000, 51000, 115000, 500000, float("inf")]
CLASSES = ["Destitute", "Poor", "Working", "Middle", "Affluent", "Rich"]
INTERESTS = ["golf", "travel", "fashion", "outdoors", "technology"]
SECRETS = ("TTT_EXPOSURE_SALT", "TTT_OFFER_KEY")


def make_handover():
    """The retailer's anonymizing step: one ColumnTransformer."""
    return ColumnTransformer(
        [
            ("exposure_id", Pseudonymizer(key="env:TTT_EXPOSURE_SALT", length=20), ["email"]),
            ("offer", KeyedAssigner(choices=OFFERS, key="env:TTT_OFFER_KEY", name="offer"),
             ["email"]),
            ("economic_class", IntervalGeneralizer(bins=INCOME_BINS, labels=CLASSES, right=False),
             ["income"]),
            ("targeting", "passthrough", ["zipcode", "sex", *INTERESTS]),
        ],
        remainder="drop",  # name, SSN, address, username, IP, birth date, MD5 of the e-mail...
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def write_age_handover(plain, out_dir):
    """The same hand-over in the age format: the platform opens it with ``age -d``, no Python.

    In practice the platform makes its key pair (``age-keygen -o key.txt``) and
    sends the public key (``age1...``); here both are made for the example.
    """
    from sklearn_anon.cli._age import AgeEncryption, write_identity_file

    try:
        import pyrage  # noqa: F401
    except ImportError:
        print("(pip install 'sklearn-anon[age]' to write it in the age format, which the "
              "platform opens with 'age -d', without Python)")
        return
    identity_file = out_dir / "ttt_platform_key.txt"  # the platform's secret, not the retailer's
    if identity_file.exists():
        identity_file.unlink()
    recipient = write_identity_file(identity_file)
    path = out_dir / "ttt_handover.csv.age"
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(AgeEncryption([recipient]).encrypt_bytes(plain))
    os.replace(tmp, path)
    print(f"wrote {path} (age, to the platform's public key {recipient[:12]}...); the platform "
          f"runs, without Python: age -d -i {identity_file.name} {path.name} > handover.csv")


def main(argv=None):
    args = parse_args((__doc__ or "").partition("\n")[0], argv,
                      lambda p: p.add_argument("--n-samples", type=int, default=5000))
    out_dir = args.output_dir
    start = time.perf_counter()
    for var in SECRETS:
        if not os.environ.get(var):
            os.environ[var] = generate_key()
            print(f"${var} not set: generated a random secret for this run")
    key_file = out_dir / "ttt_transfer.key"
    if os.environ.get("TTT_TRANSFER_KEY"):
        key_spec = "env:TTT_TRANSFER_KEY"
    else:
        if key_file.exists():
            key_file.unlink()
        write_key_file(key_file)
        key_spec = f"file:{key_file}"
        print(f"$TTT_TRANSFER_KEY not set: wrote a new transfer key to {key_file} (mode 0600)")

    customers = make_customers(n_samples=args.n_samples, random_state=0)
    release = make_handover().fit_transform(customers)
    release = release.rename(columns={"email": "exposure_id", "income": "economic_class"})
    print(f"\n{len(customers):,} customers, {customers.shape[1]} columns -> hand-over with "
          f"{release.shape[1]} columns: {', '.join(release.columns)}")
    removed = [c for c in customers.columns if c not in ("email", "income", "zipcode", "sex",
                                                         *INTERESTS)]
    print(f"removed: {', '.join(removed)}")
    print(release.head(5).to_string(index=False))

    # -- offers: balanced, stable, recomputable -----------------------------------------
    shares = release["offer"].value_counts(normalize=True).reindex(OFFERS)
    print("\noffers (keyed hash of the e-mail): "
          + ", ".join(f"{o} {s:.1%}" for o, s in shares.items()))
    again = KeyedAssigner(choices=OFFERS, key="env:TTT_OFFER_KEY", name="offer").fit_transform(
        customers[["email"]].sample(frac=1.0, random_state=1))  # another file, another order
    same_offer = again["offer"].sort_index().astype(str).equals(release["offer"].astype(str))
    print(f"the same customer gets the same offer in any file: {same_offer}")

    # -- the platform reports exposures by id; the retailer joins them back -------------
    exposed = release.sample(frac=0.3, random_state=2)[["exposure_id"]]
    recomputed = Pseudonymizer(key="env:TTT_EXPOSURE_SALT", length=20).fit_transform(
        customers[["email"]])["email"]
    lookup = pd.Series(customers.index, index=recomputed.to_numpy())
    joined = exposed["exposure_id"].map(lookup)
    print(f"platform reports {len(exposed):,} exposures; the retailer recomputes the ids and "
          f"joins {joined.notna().mean():.1%} of them back "
          f"(correct customer: {(joined.to_numpy() == exposed.index.to_numpy()).mean():.1%})")
    print(f"exposure ids equal to an e-mail, or its unsalted MD5: "
          f"{release['exposure_id'].isin(customers['email']).sum() + release['exposure_id'].isin(customers['mdem'].str[:20]).sum()}")

    # -- written encrypted ---------------------------------------------------------------
    key = load_key(key_spec)
    plain = release.to_csv(index=False).encode("utf-8")
    path = out_dir / "ttt_handover.csv.enc"
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(encrypt_bytes(plain, key))
    os.replace(tmp, path)
    roundtrip = decrypt_bytes(path.read_bytes(), key) == plain
    print(f"\nwrote {path} ({path.stat().st_size / 1024:.0f} KiB, AES-256-GCM; only the "
          f"encrypted file is on disk); decrypts to the same bytes: {roundtrip}")
    print(f"the platform decrypts it with: sklearn-anon decrypt {path.name} -o handover.csv "
          f"--key {key_spec if key_spec.startswith('env:') else 'file:ttt_transfer.key'}")
    write_age_handover(plain, out_dir)

    # -- what risk remains ---------------------------------------------------------------
    card = column_cardinality(release)
    print("\ncolumn cardinality of the hand-over (distinct values / rows):")
    for col, row in card.iterrows():
        flag = "  <- acts as an identifier" if row["likely_identifier"] else ""
        print(f"  {col:<15} {row['unique_ratio']:.3f}{flag}")
    qis = ["zipcode", "economic_class", "sex"]
    risk = risk_summary(release, qis, k=5)
    zip3 = release.assign(zipcode=PrefixGeneralizer(n=3, width=5).fit_transform(
        release[["zipcode"]])["zipcode"])
    risk3 = risk_summary(zip3, qis, k=5)
    print(f"re-identification risk on {', '.join(qis)} (an attacker who knows them):")
    print(f"  full ZIP: {risk['sample_uniqueness']:.1%} unique, {risk['records_below_k']:.1%} "
          f"in classes < 5, average prosecutor risk {risk['prosecutor']['mean']:.3f}")
    print(f"  ZIP3:     {risk3['sample_uniqueness']:.1%} unique, {risk3['records_below_k']:.1%} "
          f"in classes < 5, average prosecutor risk {risk3['prosecutor']['mean']:.3f}")
    print("  -> keeping the full ZIP for targeting is a choice with a measured cost; the exposure "
          "id links every file of the campaign to the same person (pseudonymous, not anonymous)")
    print(f"done in {time.perf_counter() - start:.1f} s")
    if not (same_offer and roundtrip and joined.notna().all()):
        raise SystemExit("a check failed")


if __name__ == "__main__":
    main()
