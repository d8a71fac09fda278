"""Differential privacy: DP transformers, a DP logistic regression and budget accounting.

Two families:

* **Local (per-value) mechanisms** -- :class:`LaplaceNoise`,
  :class:`GaussianNoise`, :class:`RandomizedResponse`.  ``transform``
  releases each cell with noise; each released record is (epsilon,
  delta)-DP *for that record*, where epsilon sums over the record's noised
  columns (sequential composition).  ``fit`` only learns bounds/categories;
  every ``transform`` call is a release and spends the per-record budget on
  the accountant (conservative when calls cover different records).
* **Central statistics learnt in fit** -- :class:`DPGroupMeanEncoder`,
  :class:`DPKBinsDiscretizer`, :class:`DPCountEncoder` (and the function
  :func:`dp_histogram`).  ``fit`` computes DP statistics of the
  training set (spending ``epsilon`` once, checked before the work);
  ``transform`` applies them deterministically.

:func:`privacy_budget` walks a fitted ``Pipeline`` / ``ColumnTransformer``
and reports what it spends per record.  :func:`estimate_frequencies` turns
counts released by randomized response back into unbiased frequencies.

Bounds
    Values are clipped to ``bounds`` before noise.  Given bounds are used as
    is.  Bounds learnt from the data (``bounds=None``) leak the training
    minimum and maximum: they are stored in ``bounds_`` and a
    :class:`PrivacyLeakWarning` (diffprivlib's) is raised.

Randomness
    ``random_state=None`` (the default, and what a release must use) draws a
    fresh 128-bit seed from the operating system's secure source
    (:func:`secrets.randbits`) for every ``fit``/``transform`` call and
    samples with numpy's PCG64 generator (fast and statistically sound, not
    itself a cryptographic generator: its seed is the secret).  No
    generator is stored on an estimator, so none is ever pickled; a numpy
    ``Generator`` given as ``random_state`` is drawn from as given and
    dropped from pickles (the loaded copy has ``random_state=None``).  An
    int makes a run reproducible: the n-th ``transform`` after ``fit``
    draws from the stream seeded by ``(seed, n)``, so two calls and two
    columns get different, independent noise, but a refit replays the same
    noise.  Never release with a fixed seed: the seed is a parameter (it is
    in every pickle), anyone who knows it can replay the noise and remove
    it, and two releases of different data with the same noise can be
    subtracted (the noise cancels and the exact difference appears).

Accounting across copies and processes
    ``clone`` (hence ``GridSearchCV``, ``cross_val_score``) keeps the
    ``accountant`` by reference: every clone spends on the same object.  A
    worker process (``n_jobs=2`` with joblib's loky backend, Dask) gets a
    pickled copy, whose spends the calling process would never see: the DP
    estimators refuse to be fitted there (``RuntimeError``, reported by the
    search) unless the accountant is a :class:`SharedAccountant`, whose
    ledger file the workers append to.  Threads (joblib's threading
    backend) share the objects and need nothing.  A fitted estimator loaded
    from a pickle in another process spends on its own copy
    (``accountant_``): account those releases where they happen.

Missing values
    :class:`LaplaceNoise` and :class:`GaussianNoise` refuse NaN by default
    (``missing``); ``"impute"`` hides missingness, ``"passthrough"``
    releases it.  :class:`RandomizedResponse` replaces NaN (and values
    outside the category set) by a uniform draw over the set.  The central
    steps leave rows with a NaN value out of their statistics (neighbouring
    data sets differ by such a row as by any other); their ``transform`` is
    deterministic (NaN bins stay NaN, NaN groups get the global mean,
    :class:`DPCountEncoder` writes its ``fill_value``).

Sampling is vectorized and avoids the floating-point attack on the
textbook Laplace sampler (Mironov 2012): see
:mod:`sklearn_anon.dp._sampling` for the construction (clipping, rounding to
a power-of-two grid counted in the sensitivity, discrete Laplace noise on
that grid).

Where things live
    One estimator (or a tight group) per private module; import them from
    here or from :mod:`sklearn_anon`:

    * ``_noise``: :class:`LaplaceNoise`, :class:`GaussianNoise` (and their
      base ``_NumericMechanism``);
    * ``_randomized_response``: :class:`RandomizedResponse`,
      :func:`estimate_frequencies`;
    * ``_kbins``: :class:`DPKBinsDiscretizer`;
    * ``_group_mean``: :class:`DPGroupMeanEncoder`;
    * ``_counts``: :class:`DPCountEncoder`, :func:`dp_histogram`;
    * ``_logistic``: :class:`DPLogisticRegression` (also importable from
      :mod:`sklearn_anon.dp_models`, its former module);
    * ``_accounting``: :class:`SharedAccountant`, :func:`privacy_budget`,
      :class:`PrivacyBudget`;
    * ``_base``: what the estimators share (parameter constraints,
      ``_DPEstimatorMixin``, ``_LocalMechanism``, ``_spend_fit``);
      ``_utils``: shared parameter and data helpers; ``_sampling``: the
      exact noise samplers;
    * ``_engine``: the family's extension points, importable from here (not
      in ``__all__``): what an engine (:mod:`sklearn_anon.dask`, or any
      other) uses of the local mechanisms (:func:`is_local_mechanism`,
      :func:`spend_release`) and what a DP estimator defined elsewhere (the
      DP synthesizer) uses (``DPEstimatorMixin``, :func:`spend_fit`,
      ``RANDOM_STATE_CONSTRAINT``, :func:`dp_quantiles`).

    :class:`PrivacyLeakWarning` is diffprivlib's, re-exported.
"""

from .._compat import PrivacyLeakWarning
from ._accounting import PrivacyBudget, SharedAccountant, privacy_budget

# Pickles written when sklearn_anon.dp was one module name this function (the
# __reduce__ of a SharedAccountant, e.g. the accountant of a pickled DP
# estimator): keep it importable from the old path.
from ._accounting import _attach_shared_accountant  # noqa: F401
from ._counts import DPCountEncoder, dp_histogram

# Extension points for engines and DP estimators defined elsewhere
# (documented in ._engine, not user API: not in __all__).
from ._engine import (  # noqa: F401
    RANDOM_STATE_CONSTRAINT,
    DPEstimatorMixin,
    dp_quantiles,
    is_local_mechanism,
    spend_fit,
    spend_release,
)
from ._group_mean import DPGroupMeanEncoder
from ._kbins import DPKBinsDiscretizer
from ._logistic import DPLogisticRegression
from ._noise import GaussianNoise, LaplaceNoise
from ._randomized_response import RandomizedResponse, estimate_frequencies

__all__ = [
    "DPCountEncoder",
    "DPGroupMeanEncoder",
    "DPKBinsDiscretizer",
    "DPLogisticRegression",
    "GaussianNoise",
    "LaplaceNoise",
    "PrivacyBudget",
    "PrivacyLeakWarning",
    "RandomizedResponse",
    "SharedAccountant",
    "dp_histogram",
    "estimate_frequencies",
    "privacy_budget",
]
