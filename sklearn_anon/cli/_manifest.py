"""The hand-over record: a JSON manifest written beside every release, and ``verify``.

``anonymize`` and ``apply`` write ``OUT.manifest.json`` with the output (in the
same atomic commit): what was released, from what, under which policy and
library versions, with which verdict, at which privacy cost, keyed by which
keys (fingerprints only), for whom.  ``sklearn-anon verify OUT --manifest M``
re-checks the checksums and, given the raw input, re-measures the verdict.
Nothing in a manifest is a cell value or a key.
"""

import datetime
import hashlib
import json
from pathlib import Path

MANIFEST_FORMAT = "sklearn-anon/manifest"
MANIFEST_VERSION = 1
_CHUNK = 1 << 20


def sha256_file(path):
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(output):
    """``OUT.manifest.json`` beside ``OUT``."""
    output = Path(output)
    return output.with_name(output.name + ".manifest.json")


def _key_fingerprints(estimator):
    """``{step path: key_fingerprint_}`` of the keyed steps of a fitted pipeline."""
    from .._pipeline import leaves

    return {"__".join(path) or type(est).__name__: est.key_fingerprint_
            for path, est in leaves(estimator)
            if isinstance(getattr(est, "key_fingerprint_", None), str)}


def _privacy_cost(pipeline):
    from ..dp import privacy_budget

    try:
        budget = privacy_budget(pipeline)
    except (TypeError, ValueError):
        return None
    return {"epsilon_per_record": float(budget.epsilon), "delta_per_record": float(budget.delta),
            "steps": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in step.items()}
                      for step in budget.steps]}


def build_manifest(*, command, input_path, output_path, output_sha256, output_format, encrypted,
                   n_rows, columns, policy_text, report, pipeline, handover, versions,
                   encryption=None):
    """The manifest as a dict (JSON types only).

    ``encryption``: the output's key (bytes) or :class:`~._age.AgeEncryption`,
    recorded as its format and public part only (age recipients, an AES key's
    keyed fingerprint), see :func:`~._crypto.encryption_record`.
    """
    from ._crypto import encryption_record

    verdict = None
    if report is not None:
        r = report.to_dict()
        verdict = {"sufficient": r["verdict"]["sufficient"], "reasons": r["verdict"]["reasons"],
                   "requirements": r["verdict"]["requirements"],
                   "thresholds": r["verdict"]["thresholds"],
                   "quasi_identifiers": r["quasi_identifiers"], "sensitive": r["sensitive"]}
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "policy": {"sha256": hashlib.sha256(policy_text.encode("utf-8")).hexdigest()
                   if policy_text is not None else None,
                   "text": policy_text},
        "versions": versions,
        "input": {"name": Path(input_path).name, "sha256": sha256_file(input_path), "rows": int(n_rows)},
        "output": {"name": Path(output_path).name, "sha256": output_sha256, "format": output_format,
                   "encrypted": bool(encrypted), "encryption": encryption_record(encryption),
                   "rows": int(n_rows), "columns": [str(c) for c in columns]},
        "verdict": verdict,
        "privacy_cost": _privacy_cost(pipeline),
        "key_fingerprints": _key_fingerprints(pipeline),
        "handover": dict(handover or {}),
    }


def manifest_bytes(manifest):
    return (json.dumps(manifest, indent=2, default=str, ensure_ascii=False) + "\n").encode("utf-8")


def cmd_verify(args):
    """``sklearn-anon verify OUT --manifest M [--data RAW]``: exit 0 when every check passes."""
    from ._common import UserError, _say
    from ._io import _check_input, _check_regular

    # an encrypted release (age or AES-GCM) is checked as written: its checksum only
    output = _check_regular(args.output)
    manifest_file = _check_input(args.manifest or manifest_path(output), "manifest")
    try:
        manifest = json.loads(Path(manifest_file).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"manifest '{manifest_file}' is not a JSON manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise UserError(f"manifest '{manifest_file}' is not a sklearn-anon manifest")
    checks = [("output checksum", sha256_file(output) == manifest["output"]["sha256"])]
    if args.data:
        checks.append(("input checksum",
                       sha256_file(_check_input(args.data)) == manifest["input"]["sha256"]))
    if manifest.get("verdict") is not None and checks[0][1] and not manifest["output"]["encrypted"]:
        checks += _remeasure(output, manifest, args)
    for name, ok in checks:
        _say(args, f"{name}: {'ok' if ok else 'MISMATCH'}")
    if manifest.get("verdict") is not None and manifest["output"].get("encrypted"):
        _say(args, "requirements: not re-measured (the release is encrypted)")
    failed = [name for name, ok in checks if not ok]
    if failed:
        raise UserError(f"verify: {', '.join(failed)}: does not match the manifest")
    return 0


#: requirements measured on the released table alone (the linkage attack and the
#: identifier check need the raw data and the fitted pipeline: not re-measured)
_TABLE_MEASURES = ("k", "sample_uniqueness", "l_distinct", "t", "homogeneity")


def _remeasure(output, manifest, args):
    """Re-measure, on the released table, each requirement that needs only it."""
    import math

    from ..metrics import homogeneity_attack, k_anonymity, l_diversity, sample_uniqueness, t_closeness
    from ._io import read_table

    verdict = manifest["verdict"]
    qis, sens = verdict["quasi_identifiers"], verdict["sensitive"]
    released = read_table(output, sep=args.sep, encoding=args.encoding,
                          dtypes={c: "str" for c in qis})
    measure = {"k": lambda: k_anonymity(released, qis),
               "sample_uniqueness": lambda: sample_uniqueness(released, qis),
               "l_distinct": lambda: l_diversity(released, qis, sens),
               "t": lambda: t_closeness(released, qis, sens),
               "homogeneity": lambda: homogeneity_attack(released, qis, sens)}
    checks = []
    for req in verdict["requirements"]:
        if req["measure"] in _TABLE_MEASURES:
            value = float(measure[req["measure"]]())
            ok = math.isclose(value, float(req["measured"]), rel_tol=1e-9, abs_tol=1e-9)
            checks.append((f"{req['name']}: measured {value:.6g} (manifest {float(req['measured']):.6g})",
                           ok))
    return checks
