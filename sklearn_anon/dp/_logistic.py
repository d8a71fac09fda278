"""Differentially private models that work on current scikit-learn.

:class:`DPLogisticRegression` is the package's own objective-perturbation
logistic regression (Chaudhuri, Monteleoni and Sarwate 2011, Algorithm 2),
the algorithm of ``diffprivlib.models.LogisticRegression``, which cannot be
constructed on scikit-learn >= 1.8 (it passes the removed ``multi_class``
argument to scikit-learn's ``LogisticRegression``).

About ``import diffprivlib.models``: diffprivlib 0.6.6 imports ``DOUBLE``
and ``DTYPE`` from ``sklearn.tree._tree``, which scikit-learn 1.9 removed.
``import sklearn_anon`` (any submodule) supplies the two names first
(:mod:`sklearn_anon._compat`), so ``import sklearn_anon`` followed by
``import diffprivlib.models`` works; ``import diffprivlib`` in a fresh
interpreter *before* sklearn_anon fails with that ``ImportError``, and the
package does not change that: only code that runs before diffprivlib is
imported could, i.e. a ``.pth`` start-up hook installed into
``site-packages`` (run by every Python start-up, for every program in the
environment, importing scikit-learn each time).  We decided against
shipping one: a wheel cannot install a ``.pth`` file through setuptools'
package data without a custom build step, and a start-up hook that patches
a third-party library in every interpreter is a larger side effect than the
bug; entry points run only when something asks for them, so none would run
before ``import diffprivlib``.  Import sklearn_anon first (or fix
diffprivlib).  Once diffprivlib is imported, its models work except
``LogisticRegression`` (use :class:`DPLogisticRegression`).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import optimize
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, PrivacyLeakWarning, _fit_context, validate_data
from ..base import DocLinkMixin
from . import _sampling as _s
from ._base import _ACCOUNTANT, _RANDOM_STATE, _spend_fit
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffprivlib.accountant import BudgetAccountant
    from typing import Literal
    from .._typing import ArrayLike, Self

__all__ = ["DPLogisticRegression"]

#: Bound on the second derivative of the logistic loss (Chaudhuri et al.'s c).
_C_LOGISTIC = 0.25


def _objective_perturbation(Xs, ys, epsilon, reg, rng, max_iter, tol):
    """Chaudhuri et al. (2011) Algorithm 2 on rows of norm <= 1 and labels in {-1, 1}.

    Minimizes ``mean(log(1 + exp(-y w.x))) + (reg + Delta) / 2 |w|**2 + b.w / n``
    where ``b`` has density proportional to ``exp(-eps' |b| / 2)``.
    Returns ``(w, eps_prime, Delta, converged)``.
    """
    n, d = Xs.shape
    eps_p = epsilon - 2 * math.log1p(_C_LOGISTIC / (n * reg))
    extra = 0.0
    if eps_p <= 0:
        extra = _C_LOGISTIC / (n * math.expm1(epsilon / 4)) - reg
        eps_p = epsilon / 2
    # b: uniform direction, norm ~ Gamma(d, 2 / eps') = (2 / eps') * sum of d exponentials
    direction = rng.standard_normal(d)
    direction /= np.linalg.norm(direction)
    norm = (2 / eps_p) * float(np.sum(rng.standard_exponential(d)))
    b = direction * norm
    lam = reg + extra

    def fun(w):
        z = ys * (Xs @ w)
        loss = -np.mean(log_expit(z)) + lam / 2 * (w @ w) + (b @ w) / n
        grad = -(Xs.T @ (ys * expit(-z))) / n + lam * w + b / n
        return loss, grad

    res = optimize.minimize(
        fun, np.zeros(d), jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": tol}
    )
    return res.x, eps_p, extra, bool(res.success)


def _numeric_data(est, X, y="no_validation", reset=True):
    """``validate_data(..., dtype=float64)``; a text column is refused by name.

    NumPy's own error quotes the cell (``could not convert string to float:
    'alice'``, also as the context of pandas' ``Cannot cast str dtype``);
    this one names the column only.  Without ``y``, ``X`` alone is returned.
    """
    try:
        return validate_data(est, X, y, dtype=np.float64, reset=reset)
    except (ValueError, TypeError) as exc:
        if not any(why in str(exc) for why in ("could not convert", "Cannot cast")):
            raise
    columns = list(X.columns) if hasattr(X, "columns") else None
    arr = X if columns is not None else np.asarray(X, dtype=object)
    for j in range(arr.shape[1] if np.ndim(arr) == 2 else 0):
        column = arr.iloc[:, j] if columns is not None else arr[:, j]
        try:
            np.asarray(column, dtype=np.float64)
        except (ValueError, TypeError):
            name = columns[j] if columns is not None else j
            raise ValueError(
                f"{type(est).__name__} needs numeric features: column {name!r} holds text; "
                "encode it first (e.g. OneHotEncoder, or a generalizer followed by one)."
            ) from None
    raise ValueError(f"{type(est).__name__} needs numeric features; X holds text.") from None


class DPLogisticRegression(DocLinkMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression with epsilon-differential privacy (objective perturbation).

    Chaudhuri, Monteleoni and Sarwate (2011), Algorithm 2, as in
    ``diffprivlib.models.LogisticRegression`` (whose constructor fails on
    scikit-learn >= 1.8): rows are clipped to L2 norm ``data_norm``, a
    random linear term is added to the regularized logistic loss, and the
    minimizer is released.  Multiclass is one-vs-rest, ``epsilon`` split
    evenly over the classes' models.  Neighbouring datasets differ by one
    record replaced.

    Two differences from diffprivlib, both on the side of privacy: the
    intercept is an extra feature of value 1 that is regularized like the
    others (the proof needs a strongly convex regularizer in every
    coordinate; diffprivlib leaves the intercept unpenalized), and the bound
    on the loss' curvature scales with ``data_norm**2`` (the proof's
    ``c / (n Lambda)`` for rows of norm ``R`` is ``c R**2 / (n Lambda)``;
    diffprivlib uses ``c R / (n Lambda)``).

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy budget of the fit (> 0).
    data_norm : float, default=None
        Rows are clipped to this L2 norm (before the intercept's 1 is
        appended).  ``None`` reads the largest norm from the data, which
        leaks it (``PrivacyLeakWarning``); give it to keep the guarantee.
    C : float, default=1.0
        Inverse regularization strength, as in scikit-learn: the objective
        is ``mean loss + |w|**2 / (2 C n)``.  Larger ``C`` needs more noise
        control (a larger ``Delta`` is added when ``C`` is large).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_iter : int, default=100
        L-BFGS iterations.
    tol : float, default=1e-4
        L-BFGS gradient tolerance.
    random_state : None, int, Generator or "secure", default=None
        Noise source; ``"secure"`` draws from ``os.urandom``.
    accountant : BudgetAccountant, default=None
        diffprivlib accountant that ``fit`` spends ``epsilon`` on (the
        default accountant if None).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    data_norm_ : float
        The clipping norm used.
    accountant_ : BudgetAccountant
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The non-private model.
    LaplaceNoise : Local DP on the features instead of a private model.
    privacy_budget : The budget a fitted pipeline spends per record.

    References
    ----------
    .. [1] Chaudhuri, K., Monteleoni, C. and Sarwate, A. D. (2011).
       "Differentially private empirical risk minimization". Journal of Machine
       Learning Research 12, 1069-1109.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon.dp import DPLogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(5000, 2))
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = DPLogisticRegression(epsilon=1.0, data_norm=3.0, random_state=0).fit(X, y)
    >>> round(clf.score(X, y), 1)
    1.0
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "data_norm": [Interval(Real, 0, None, closed="neither"), None],
        "C": [Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon: float = 1.0,
        data_norm: float | None = None,
        C: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 100,
        tol: float = 1e-4,
        random_state: int | np.random.Generator | Literal["secure"] | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.data_norm = data_norm
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.accountant = accountant

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Fit the model with epsilon-DP (spends ``epsilon`` on the accountant).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (numeric).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : DPLogisticRegression
            The fitted model.
        """
        if not math.isfinite(self.epsilon):
            raise ValueError("epsilon must be finite.")
        X, y = _numeric_data(self, X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                "contains only one class (its label is a value of y: not quoted)."
            )
        _spend_fit(self, self.epsilon)
        if self.data_norm is None:
            warnings.warn(
                "DPLogisticRegression: data_norm was read from the data (the largest row norm), "
                "which leaks it; give data_norm to keep epsilon-DP.",
                PrivacyLeakWarning,
                stacklevel=2,
            )
            norm = float(np.linalg.norm(X, axis=1).max()) if X.size else 1.0
            self.data_norm_ = norm if norm > 0 else 1.0
        else:
            self.data_norm_ = float(self.data_norm)
        R = self.data_norm_
        norms = np.linalg.norm(X, axis=1)
        scale = np.where(norms > R, R / np.maximum(norms, 1e-300), 1.0)
        Xc = X * scale[:, None]
        if self.fit_intercept:
            Xc = np.hstack([Xc, np.ones((Xc.shape[0], 1))])
            R_aug = math.sqrt(R * R + 1)
        else:
            R_aug = R
        # scaled problem: rows of norm <= 1, w_s = R_aug w, regularizer reg = 1 / (C n R_aug**2)
        Xs = Xc / R_aug
        n = Xs.shape[0]
        reg = 1.0 / (self.C * n * R_aug * R_aug)
        rng = _s.make_rng(self.random_state)
        targets = self.classes_[1:] if self.classes_.size == 2 else self.classes_
        eps_each = self.epsilon / len(targets)
        # no n_iter_: the number of L-BFGS iterations depends on the data and is
        # not covered by the guarantee (objective perturbation releases the minimizer)
        coef_rows = []
        for cls in targets:
            ys = np.where(y == cls, 1.0, -1.0)
            w, _, _, converged = _objective_perturbation(Xs, ys, eps_each, reg, rng, self.max_iter, self.tol)
            coef_rows.append(w / R_aug)
        coefs = np.array(coef_rows)
        if self.fit_intercept:
            self.coef_, self.intercept_ = coefs[:, :-1], coefs[:, -1].copy()
        else:
            self.coef_, self.intercept_ = coefs, np.zeros(len(targets))
        self.accountant_.spend(self.epsilon, 0.0)
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Signed distance of each sample to the hyperplane(s).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One score per sample for two classes, one per class otherwise.
        """
        check_is_fitted(self)
        X = _numeric_data(self, X, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the class label of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted labels.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities (one-vs-rest probabilities normalized for more than two classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        p = expit(self.decision_function(X))
        if p.ndim == 1:
            return np.column_stack([1 - p, p])
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: ArrayLike) -> np.ndarray:
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        return np.log(self.predict_proba(X))

    def score(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``.

        As :meth:`sklearn.base.ClassifierMixin.score`, whose error for
        labels of mixed types quotes them (values of ``y``): this one names
        the problem only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The share of rows whose predicted label is ``y``'s.
        """
        from sklearn.metrics import accuracy_score

        y_pred = self.predict(X)
        try:
            return float(accuracy_score(y, y_pred, sample_weight=sample_weight))
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__}.score: y cannot be compared with the predicted labels "
                "(labels of mixed types or lengths that differ; labels are values of y: not quoted)."
            ) from None

    def _privacy_spend(self):
        return [{"kind": "central", "columns": None, "epsilon": float(self.epsilon), "delta": 0.0}]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        # epsilon=1 on the checks' 150-row problems: the noise dominates (accuracy is
        # measured on Adult in benchmarks/bench_dp_logistic.py instead)
        tags.classifier_tags.poor_score = True
        return tags
