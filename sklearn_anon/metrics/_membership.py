"""Membership inference: what a model trained on a table, or a synthetic
table made from it, reveals about who was in the table.

An attacker holds a record and asks "was it in the training data?".  The
audits here play that attacker against records whose answer is known --
the training rows (*members*) and rows from the same distribution that were
not used (*non-members*, a holdout) -- and report how well the attacker
separates them:

* :func:`membership_inference_audit`: attacks on a fitted model (any
  scikit-learn estimator or pipeline, anonymizing steps included):

  - ``"loss"``: the loss-threshold attack of Yeom et al. (2018): a record
    on which the model's loss is low is guessed to be a member (score =
    minus the per-record loss: cross-entropy of the true label for a
    classifier with ``predict_proba``, 0/1 error for one without, squared
    error for a regressor);
  - ``"shadow"``: the shadow-model attack of Shokri et al. (2017): copies
    of the pipeline (*shadow models*) are trained on disjoint samples of
    data from the same distribution, where the attacker knows who is in;
    an attack classifier learns member / non-member from their outputs
    (the prediction vector, the true label as a one-hot feature, the
    probability and log-loss of the true label) and is then applied to the
    target model's outputs.

* :func:`dcr_membership_audit`: the distance-to-closest-record attack on a
  synthetic table: a record whose closest synthetic record is near is
  guessed to be a member (score = minus the mixed-type distance of
  :func:`~sklearn_anon.metrics.distance_to_closest_record`).

Both return a :class:`MembershipAudit`: per attack the ROC AUC of the score
(0.5: the attacker learns nothing; 1: every member is told apart) and the
*membership advantage* ``TPR - FPR`` (Yeom et al.; 0: nothing, 1: every
record's membership is known), each with a percentile bootstrap confidence
interval.

How the advantage threshold is chosen
-------------------------------------
The best threshold of a score is found on data; reading the advantage at
the threshold that is best on the very records it is reported for is
biased upward.  The evaluation records are split at random into two halves
(stratified: half of the members and half of the non-members each); the
threshold that maximizes ``TPR - FPR`` on one half is applied to the other,
both ways, and the two held-out advantages are averaged (2-fold cross
fitting): ``advantage``.  The maximum over all thresholds on all records is
reported beside it as ``advantage_optimistic`` (an upper bound, labelled so).
Both can be read as the attack's accuracy on a balanced guess:
``0.5 + advantage / 2``.  For a training procedure that is
(epsilon, delta)-differentially private no attack's advantage exceeds
``(e**epsilon - 1 + 2 * delta) / (e**epsilon + 1)`` (Kairouz, Oh &
Viswanath 2015; about 0.46 at epsilon 1): an audit finding less is
consistent with the guarantee, never a proof of it.

The confidence intervals resample the evaluation records (members and
non-members separately, within each half) ``n_bootstrap`` times; they
reflect the finite number of evaluation records, not the randomness of
training the target or shadow models (refit with other seeds for that).

Only aggregates are reported; no cell value appears in the result or in an
error message.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from .._docstring import fill_doc
from ._synthetic_quality import distance_to_closest_record
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Literal, Mapping, Sequence

__all__ = ["MembershipAudit", "dcr_membership_audit", "membership_inference_audit"]

_ATTACKS: tuple[Literal["loss", "shadow"], ...] = ("loss", "shadow")
_EPS = 1e-12

_EVALUATION_DOC = """\
max_records : int or None, default=None
    At most this many members and this many non-members are scored (a
    random subsample of each); None scores them all.  The advantage does
    not depend on the ratio of members to non-members.
n_bootstrap : int, default=200
    Bootstrap resamples of the confidence intervals (0: no interval, NaN
    bounds).
confidence : float in (0, 1), default=0.95
    Level of the confidence intervals (percentile bootstrap).
random_state : int, RandomState instance or None, default=None
    Randomness of the audit: subsamples, halves, bootstrap{extra}.
    An int makes the audit reproducible; the randomness of the estimators
    themselves is set by their own parameters."""


def _evaluation_doc(arg):
    extra = ",\n    shadow samples and the default attack classifier" if arg == "shadow" else ""
    first, *rest = _EVALUATION_DOC.replace("{extra}", extra).split("\n")
    return "\n".join([first, *("    " + line if line else line for line in rest)])


# -- ROC, AUC and advantage ------------------------------------------------------------


def _roc(scores, member):
    """``(fpr, tpr, thresholds)``: "member" is guessed when ``score >= threshold``.

    One point per distinct score (ties move together), from (0, 0) at an
    infinite threshold to (1, 1).
    """
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    m = member[order]
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), s.size - 1]
    tps = np.cumsum(m)[last]
    fps = last + 1 - tps
    n_pos = max(int(m.sum()), 1)
    n_neg = max(int(m.size - m.sum()), 1)
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    return fpr, tpr, np.r_[np.inf, s[last]]


def _auc(fpr, tpr):
    """Area under the ROC curve (trapezoids: a tie counts one half)."""
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2.0)


def _best_threshold(scores, member):
    fpr, tpr, thresholds = _roc(scores, member)
    i = int(np.argmax(tpr - fpr))
    return thresholds[i], float(tpr[i] - fpr[i])


def _heldout_advantage(scores, member, half):
    """Mean over the two halves of TPR - FPR at the threshold best on the other half."""
    out = []
    for h in (False, True):
        fit, apply = half == h, half != h
        threshold, _ = _best_threshold(scores[fit], member[fit])
        guess = scores[apply] >= threshold
        m = member[apply]
        out.append(guess[m].mean() - guess[~m].mean())
    return float(np.mean(out))


def _figures(scores, member, half):
    fpr, tpr, _ = _roc(scores, member)
    return _auc(fpr, tpr), _heldout_advantage(scores, member, half), float(np.max(tpr - fpr))


def _evaluate(scores, member, rng, n_bootstrap, confidence):
    """AUC, held-out and optimistic advantage, with bootstrap intervals."""
    scores = np.asarray(scores, dtype=np.float64)
    member = np.asarray(member, dtype=bool)
    if not np.all(np.isfinite(scores)):
        raise ValueError("the attack produced non-finite scores.")
    half = np.zeros(member.size, dtype=bool)
    strata = []
    for m in (True, False):
        idx = np.flatnonzero(member == m)
        idx = idx[rng.permutation(idx.size)]
        half[idx[: idx.size // 2]] = True
        strata.extend([idx[: idx.size // 2], idx[idx.size // 2:]])
    auc, adv, adv_opt = _figures(scores, member, half)
    row = {"auc": auc, "auc_low": np.nan, "auc_high": np.nan,
           "advantage": adv, "advantage_low": np.nan, "advantage_high": np.nan,
           "advantage_optimistic": adv_opt}
    if n_bootstrap:
        draws = np.empty((n_bootstrap, 2))
        for b in range(n_bootstrap):
            idx = np.concatenate([s[rng.randint(0, s.size, size=s.size)] for s in strata])
            draws[b] = _figures(scores[idx], member[idx], half[idx])[:2]
        alpha = (1.0 - confidence) / 2.0
        low, high = np.quantile(draws, [alpha, 1.0 - alpha], axis=0)
        row.update(auc_low=low[0], auc_high=high[0], advantage_low=low[1], advantage_high=high[1])
    row["n_members"] = int(member.sum())
    row["n_non_members"] = int(member.size - member.sum())
    return row


# -- the result ------------------------------------------------------------------------


class MembershipAudit:
    """Result of a membership inference audit: one row per attack.

    Made by :func:`membership_inference_audit` and
    :func:`dcr_membership_audit`; prints as a small table with the
    evaluation design underneath.

    Parameters
    ----------
    summary : DataFrame
        See Attributes.
    scores : dict of {str: DataFrame}
        See Attributes.
    info : dict
        See Attributes.

    Attributes
    ----------
    summary : DataFrame
        Indexed by attack name; columns ``auc``, ``auc_low``, ``auc_high``
        (ROC AUC of the attack's score and its confidence interval),
        ``advantage``, ``advantage_low``, ``advantage_high`` (``TPR - FPR``
        at a threshold chosen on the other half of the records, see
        :mod:`sklearn_anon.metrics._membership`), ``advantage_optimistic``
        (the best ``TPR - FPR`` over all thresholds, chosen on the reported
        records themselves: an upper bound), ``n_members``,
        ``n_non_members``.
    scores : dict of {str: DataFrame}
        Per attack, the score of each evaluated record (``score``, higher
        means "member" is more likely) and whether it is a member
        (``member``); positions, not the records' values.
    info : dict
        The evaluation design: sizes, ``confidence``, ``n_bootstrap``,
        ``random_state`` and attack-specific settings.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon.metrics import dcr_membership_audit
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"x": rng.normal(size=200), "y": rng.normal(size=200)})
    >>> audit = dcr_membership_audit(real[:100], real[:100], real[100:], random_state=0)
    >>> audit.summary.loc["dcr", ["auc", "advantage"]].round(2).tolist()
    [1.0, 1.0]
    """

    def __init__(
        self,
        summary: pd.DataFrame,
        scores: Mapping[str, pd.DataFrame],
        info: Mapping[str, Any],
    ) -> None:
        self.summary = summary
        self.scores = scores
        self.info = info

    def to_frame(self) -> pd.DataFrame:
        """The summary table (a copy).

        Returns
        -------
        summary : DataFrame
            See :attr:`summary`.
        """
        return self.summary.copy()

    def __repr__(self):
        level = f"{100 * self.info['confidence']:g}%"
        lines = [f"Membership inference audit ({level} bootstrap CI, "
                 f"{self.info['n_bootstrap']} resamples, random_state={self.info['random_state']!r})"]
        ci = level + " CI"
        lines.append(f"{'attack':<8} {'AUC':>6}  {ci:<16} {'advantage':>9}  {ci:<16} {'optimistic':>10}")
        for name, r in self.summary.iterrows():
            lines.append(
                f"{str(name):<8} {r['auc']:>6.3f}  {_interval(r['auc_low'], r['auc_high']):<16} "
                f"{r['advantage']:>9.3f}  {_interval(r['advantage_low'], r['advantage_high']):<16} "
                f"{r['advantage_optimistic']:>10.3f}"
            )
        lines.append(self.info["design"])
        lines.append("advantage: TPR - FPR at the threshold best on the other random half of the records "
                     "(2-fold, averaged); optimistic: best threshold on all records (biased upward).")
        return "\n".join(lines)

    __str__ = __repr__


def _interval(low, high):
    if math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"[{low:.3f}, {high:.3f}]"


# -- validation ------------------------------------------------------------------------


def _check_common(max_records, n_bootstrap, confidence):
    if max_records is not None and (not isinstance(max_records, Integral) or isinstance(max_records, bool)
                                    or max_records < 2):
        raise ValueError("max_records must be None or an int >= 2.")
    if not isinstance(n_bootstrap, Integral) or isinstance(n_bootstrap, bool) or n_bootstrap < 0:
        raise ValueError("n_bootstrap must be an int >= 0.")
    if not isinstance(confidence, Real) or isinstance(confidence, bool) or not 0 < confidence < 1:
        raise ValueError("confidence must be a float in (0, 1).")


def _check_table(table, name, target=None):
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame.")
    if target is not None:
        if target not in table.columns:
            raise ValueError(f"target {target!r} is not a column of {name}.")
        if table[target].isna().any():
            raise ValueError(f"{name} has {int(table[target].isna().sum())} row(s) with a missing target.")
    if len(table) < 2:
        raise ValueError(f"{name} needs at least 2 rows, got {len(table)}.")
    return table


def _subsample(n, max_records, rng):
    """Positions of at most ``max_records`` of ``n`` rows (all, in order, when None)."""
    if max_records is None or n <= max_records:
        return np.arange(n)
    return np.sort(rng.choice(n, size=max_records, replace=False))


def _split(table, target):
    return table.drop(columns=[target]), table[target].to_numpy()


# -- what a model shows of a record ----------------------------------------------------


def _as_float(y):
    """A regressor's target as floats (the error names no value)."""
    try:
        return np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("the target of a regressor must be numeric.") from None


def _kind(model):
    from sklearn.base import is_classifier

    if hasattr(model, "predict_proba"):
        return "proba"
    return "label" if is_classifier(model) else "regression"


def _positions(categories, values):
    """Position of each of ``values`` among the distinct ``categories`` (-1: absent).

    One joint factorization, exact for any text (``_text.factorize``) and
    for numbers of mixed types (1 == 1.0).
    """
    categories = np.asarray(categories, dtype=object).ravel()
    values = np.asarray(values, dtype=object).ravel()
    codes, _ = _text.factorize(np.concatenate([categories, values]))
    lookup = np.full(max(int(codes.max()) + 1 if codes.size else 0, 1), -1, dtype=np.int64)
    known = codes[: len(categories)]
    lookup[known[known >= 0]] = np.flatnonzero(known >= 0)
    found = codes[len(categories):]
    return np.where(found >= 0, lookup[np.maximum(found, 0)], -1)


def _true_class_proba(model, X, y):
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    pos = _positions(model.classes_, y)
    p = proba[np.arange(len(pos)), np.maximum(pos, 0)]
    return proba, pos, np.where(pos >= 0, p, 0.0)


def _record_loss(model, X, y):
    """Per-record loss: cross-entropy, 0/1 error or squared error."""
    kind = _kind(model)
    if kind == "proba":
        _, _, p = _true_class_proba(model, X, y)
        return -np.log(np.clip(p, _EPS, 1.0))
    pred = np.asarray(model.predict(X))
    if kind == "label":
        return (pred != y).astype(np.float64)
    return (_as_float(pred) - _as_float(y)) ** 2


def _attack_features(model, X, y, classes):
    """What the attack classifier sees of one record through a model."""
    kind = _kind(model)
    if kind == "regression":
        pred, yf = _as_float(model.predict(X)), _as_float(y)
        return np.column_stack([pred, yf, pred - yf, (pred - yf) ** 2])
    label = _positions(classes, y)
    onehot = (label[:, None] == np.arange(len(classes))).astype(np.float64)
    if kind == "label":
        pred = _positions(classes, model.predict(X))
        pred_onehot = (pred[:, None] == np.arange(len(classes))).astype(np.float64)
        return np.column_stack([(pred == label).astype(np.float64), onehot, pred_onehot])
    proba, _, p = _true_class_proba(model, X, y)
    full = np.zeros((len(label), len(classes)))
    cols = _positions(classes, model.classes_)
    full[:, cols[cols >= 0]] = proba[:, cols >= 0]
    return np.column_stack([full, onehot, p, np.log(np.clip(p, _EPS, 1.0))])


# -- the audits ------------------------------------------------------------------------


@fill_doc(evaluation=_evaluation_doc)
def membership_inference_audit(
    pipeline: BaseEstimator,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    target: str,
    attacks: Literal["loss", "shadow"] | Sequence[Literal["loss", "shadow"]] = _ATTACKS,
    prefit: bool = False,
    shadow_data: pd.DataFrame | None = None,
    n_shadow: int = 4,
    attack_model: BaseEstimator | None = None,
    max_records: int | None = None,
    n_bootstrap: int = 200,
    confidence: float = 0.95,
    random_state: int | np.random.RandomState | None = None,
) -> MembershipAudit:
    """Run membership inference attacks on a model, to see whether it reveals its training records.

    The target model is ``pipeline`` fitted on ``train`` (a clone is fitted,
    unless ``prefit``).  Its training rows are the *members*, the rows of
    ``holdout`` (the same distribution, not used in training) the
    *non-members*; each attack scores every one of them, and its ROC AUC and
    membership advantage (``TPR - FPR``) are reported with bootstrap
    confidence intervals (the threshold rule is in
    :mod:`sklearn_anon.metrics._membership`).

    * ``"loss"`` (Yeom et al. 2018): score = minus the record's loss under
      the target model (cross-entropy of the true label with
      ``predict_proba``; 0/1 error for a classifier without it; squared
      error for a regressor).
    * ``"shadow"`` (Shokri et al. 2017): ``n_shadow`` clones of
      ``pipeline`` are fitted on random samples ("in") of ``shadow_data``,
      each as large as ``train`` when the data allow (at most half of
      ``shadow_data``), and queried on those and on as many other rows of
      ``shadow_data`` ("out").  An attack classifier learns in / out from
      what a model shows of a record: its prediction vector, the true label
      (one-hot: one attack model for all classes, with the class as a
      feature), the probability and log-loss of the true label (for a
      regressor: prediction, truth, residual and its square).  It then
      scores the target model's members and non-members.

    A pipeline that anonymizes before the model (``MondrianAnonymizer``,
    noise, ...) is audited as a whole: records are given raw, as an attacker
    holding a raw record would query it.

    Parameters
    ----------
    pipeline : estimator
        A scikit-learn classifier or regressor, or a pipeline ending in one.
        Cloned for each shadow model (and for the target unless
        ``prefit``).  Anything with ``fit(X, y)`` / ``predict`` goes, for
        example a wrapper that trains the model on synthetic data made from
        ``X``.
    train : DataFrame
        The training rows, features and ``target``: the members.
    holdout : DataFrame
        Rows from the same distribution that the target model never saw,
        same columns: the non-members.  When ``"shadow"`` is run and
        ``shadow_data`` is None, a random half of it is the attacker's
        shadow data and the other half the non-members of both attacks.
    target : str
        The label column of the three tables.
    attacks : {"loss", "shadow"} or sequence of them, default=("loss", "shadow")
        The attacks to run, in this order in the result.
    prefit : bool, default=False
        Whether ``pipeline`` is already fitted on exactly ``train`` (then it
        is audited as it is; shadow models are still clones of it).
    shadow_data : DataFrame or None, default=None
        The attacker's own data from the same distribution, disjoint from
        ``train`` and ``holdout``, same columns.  None: half of ``holdout``
        (see there).
    n_shadow : int, default=4
        Number of shadow models.
    attack_model : classifier or None, default=None
        The attack classifier (cloned; needs ``predict_proba``).  None:
        ``RandomForestClassifier(n_estimators=100, min_samples_leaf=10)``
        (single-threaded, smooth probabilities) with a seed from
        ``random_state``.
    {evaluation:shadow}

    Returns
    -------
    audit : MembershipAudit
        ``audit.summary`` has one row per attack (``auc``, ``advantage``,
        their intervals, ``advantage_optimistic``, the numbers of members
        and non-members); ``audit.info`` the sizes and settings.

    See Also
    --------
    dcr_membership_audit : the same question for a synthetic table.

    References
    ----------
    Yeom, Giacomelli, Fredrikson & Jha, "Privacy Risk in Machine Learning:
    Analyzing the Connection to Overfitting", CSF 2018.
    Shokri, Stronati, Song & Shmatikov, "Membership Inference Attacks
    Against Machine Learning Models", IEEE S&P 2017.

    Examples
    --------
    A 1-nearest-neighbour classifier on labels that are pure noise
    remembers every training label, and gets half of the others right:

    >>> import numpy as np, pandas as pd
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_anon.metrics import membership_inference_audit
    >>> rng = np.random.default_rng(0)
    >>> data = pd.DataFrame({"x": rng.normal(size=600), "y": rng.integers(0, 2, size=600)})
    >>> audit = membership_inference_audit(
    ...     KNeighborsClassifier(n_neighbors=1), data[:200], data[200:],
    ...     target="y", random_state=0)
    >>> bool((audit.summary["auc_low"] > 0.6).all())
    True
    >>> audit.summary.index.tolist()
    ['loss', 'shadow']
    """
    from sklearn.base import clone
    from sklearn.utils import check_random_state

    attacks = (attacks,) if isinstance(attacks, str) else tuple(attacks)
    if not attacks or any(a not in _ATTACKS for a in attacks) or len(set(attacks)) != len(attacks):
        raise ValueError(f"attacks must be distinct names among {_ATTACKS}.")
    if not isinstance(n_shadow, Integral) or isinstance(n_shadow, bool) or n_shadow < 1:
        raise ValueError("n_shadow must be an int >= 1.")
    _check_common(max_records, n_bootstrap, confidence)
    train = _check_table(train, "train", target)
    holdout = _check_table(holdout, "holdout", target)
    if list(holdout.columns) != list(train.columns):
        raise ValueError("train and holdout must have the same columns in the same order.")
    rng = check_random_state(random_state)

    non_members = holdout
    if "shadow" in attacks:
        if shadow_data is None:
            perm = rng.permutation(len(holdout))
            half = len(holdout) // 2
            shadow_data, non_members = holdout.iloc[perm[:half]], holdout.iloc[np.sort(perm[half:])]
            shadow_source = "half of holdout"
        else:
            shadow_data = _check_table(shadow_data, "shadow_data", target)
            if list(shadow_data.columns) != list(train.columns):
                raise ValueError("shadow_data must have the columns of train in the same order.")
            shadow_source = "shadow_data"
        if len(shadow_data) < 4 or len(non_members) < 2:
            raise ValueError("holdout (or shadow_data) is too small for the shadow attack: "
                             "give at least 4 shadow rows and 2 non-members.")

    X_train, y_train = _split(train, target)
    if prefit:
        model = pipeline
    else:
        model = clone(pipeline).fit(X_train, y_train)

    mem = train.iloc[_subsample(len(train), max_records, rng)]
    non = non_members.iloc[_subsample(len(non_members), max_records, rng)]
    X_eval, y_eval = _split(pd.concat([mem, non], axis=0), target)
    member = np.r_[np.ones(len(mem), dtype=bool), np.zeros(len(non), dtype=bool)]

    rows, scores = {}, {}
    info = {"n_train": len(train), "n_holdout": len(holdout), "prefit": bool(prefit),
            "confidence": float(confidence), "n_bootstrap": int(n_bootstrap),
            "random_state": random_state if isinstance(random_state, (Integral, type(None))) else "given"}
    for attack in attacks:
        if attack == "loss":
            score = -_record_loss(model, X_eval, y_eval)
        else:
            score, shadow_info = _shadow_scores(pipeline, model, shadow_data, target, X_eval, y_eval,
                                                len(train), n_shadow, attack_model, rng)
            info.update(shadow_info, shadow_source=shadow_source)
        rows[attack] = _evaluate(score, member, rng, n_bootstrap, confidence)
        scores[attack] = pd.DataFrame({"score": score, "member": member})
    info["design"] = (
        f"members: {len(mem)} of {len(train)} training rows; non-members: {len(non)} holdout rows"
        + (f"; shadow: {info['n_shadow']} models on {info['shadow_in']} rows each, "
           f"from {info['n_shadow_rows']} rows ({shadow_source})" if "shadow" in attacks else "")
    )
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "attack"
    return MembershipAudit(summary, scores, info)


def _shadow_scores(pipeline, model, shadow_data, target, X_eval, y_eval, n_train, n_shadow, attack_model,
                   rng):
    from sklearn.base import clone

    n_in = min(n_train, len(shadow_data) // 2)
    kind = _kind(model)
    classes = None
    if kind != "regression":
        labels = np.concatenate([y_eval, shadow_data[target].to_numpy()])
        classes = _text.unique(np.asarray(labels, dtype=object))
    feats, labels_in = [], []
    X_pool, y_pool = _split(shadow_data, target)
    for _ in range(n_shadow):
        perm = rng.permutation(len(shadow_data))
        inside, outside = perm[:n_in], perm[n_in:2 * n_in]
        shadow = clone(pipeline).fit(X_pool.iloc[inside], y_pool[inside])
        if _kind(shadow) != kind:
            raise ValueError("the shadow models do not expose what the target model does.")
        for rows, is_in in ((inside, 1), (outside, 0)):
            feats.append(_attack_features(shadow, X_pool.iloc[rows], y_pool[rows], classes))
            labels_in.append(np.full(len(rows), is_in))
    if attack_model is None:
        from sklearn.ensemble import RandomForestClassifier

        attack = RandomForestClassifier(n_estimators=100, min_samples_leaf=10,
                                        random_state=int(rng.randint(2**31 - 1)))
    else:
        attack = clone(attack_model)
    attack.fit(np.vstack(feats), np.concatenate(labels_in))
    proba = attack.predict_proba(_attack_features(model, X_eval, y_eval, classes))
    score = proba[:, list(attack.classes_).index(1)]
    return score, {"n_shadow": int(n_shadow), "shadow_in": int(n_in), "n_shadow_rows": len(shadow_data)}


@fill_doc(evaluation=_evaluation_doc)
def dcr_membership_audit(
    synthetic: pd.DataFrame,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    max_records: int | None = None,
    n_bootstrap: int = 200,
    confidence: float = 0.95,
    random_state: int | np.random.RandomState | None = None,
    n_jobs: int | None = None,
) -> MembershipAudit:
    """Distance-to-closest-record membership attack on a synthetic table.

    The synthetic table was made from ``train``; ``holdout`` holds rows of
    the same distribution that the synthesizer never saw.  A record whose
    closest synthetic record is near is guessed to be a member: score =
    minus :func:`~sklearn_anon.metrics.distance_to_closest_record` of the
    record to ``synthetic`` (Gower-type mixed distance, ranges of the
    synthetic table).  A synthesizer that copies or barely perturbs its
    training rows gives an AUC near 1; one that generalizes gives about 0.5
    (members are then no closer to the synthetic rows than fresh records
    are).  AUC and advantage are reported as by
    :func:`membership_inference_audit` (threshold rule and intervals in
    :mod:`sklearn_anon.metrics._membership`).

    Parameters
    ----------
    synthetic : DataFrame
        The synthetic table.
    train : DataFrame
        The table the synthesizer was fitted on (the members), same columns.
    holdout : DataFrame
        Rows of the same distribution not given to the synthesizer (the
        non-members), same columns.
    {evaluation}
    n_jobs : int or None, default=None
        Passed to the nearest-neighbour search.

    Returns
    -------
    audit : MembershipAudit
        One row, ``"dcr"``.

    See Also
    --------
    distance_to_closest_record : the distance used.
    exact_match_rate : the share of synthetic rows that copy a real one.

    Examples
    --------
    A "synthesizer" that returns its training rows gives every member away:

    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon.metrics import dcr_membership_audit
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"age": rng.integers(18, 90, 400),
    ...                      "sex": rng.choice(["F", "M"], 400)})
    >>> real["income"] = rng.normal(50_000, 15_000, 400).round()
    >>> train, holdout = real[:200], real[200:]
    >>> copied = dcr_membership_audit(train, train, holdout, random_state=0)
    >>> round(float(copied.summary.loc["dcr", "auc"]), 2)
    1.0
    >>> fresh = pd.DataFrame({"age": rng.integers(18, 90, 200),
    ...                       "sex": rng.choice(["F", "M"], 200),
    ...                       "income": rng.normal(50_000, 15_000, 200).round()})
    >>> audit = dcr_membership_audit(fresh, train, holdout, random_state=0)
    >>> bool(audit.summary.loc["dcr", "auc_low"] < 0.5 < audit.summary.loc["dcr", "auc_high"])
    True
    """
    from sklearn.utils import check_random_state

    _check_common(max_records, n_bootstrap, confidence)
    synthetic = _check_table(synthetic, "synthetic")
    train = _check_table(train, "train")
    holdout = _check_table(holdout, "holdout")
    if list(holdout.columns) != list(train.columns):
        raise ValueError("train and holdout must have the same columns in the same order.")
    rng = check_random_state(random_state)
    mem = train.iloc[_subsample(len(train), max_records, rng)]
    non = holdout.iloc[_subsample(len(holdout), max_records, rng)]
    records = pd.concat([mem, non], axis=0, ignore_index=True)
    member = np.r_[np.ones(len(mem), dtype=bool), np.zeros(len(non), dtype=bool)]
    score = -distance_to_closest_record(records, synthetic, n_jobs=n_jobs)
    summary = pd.DataFrame.from_dict({"dcr": _evaluate(score, member, rng, n_bootstrap, confidence)},
                                     orient="index")
    summary.index.name = "attack"
    info = {"n_train": len(train), "n_holdout": len(holdout), "n_synthetic": len(synthetic),
            "confidence": float(confidence), "n_bootstrap": int(n_bootstrap),
            "random_state": random_state if isinstance(random_state, (Integral, type(None))) else "given",
            "design": (f"members: {len(mem)} of {len(train)} training rows; non-members: {len(non)} "
                       f"holdout rows; synthetic: {len(synthetic)} rows")}
    return MembershipAudit(summary, {"dcr": pd.DataFrame({"score": score, "member": member})}, info)
