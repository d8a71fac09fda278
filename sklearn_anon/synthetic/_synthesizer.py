"""Differentially private synthetic data: :class:`DPSynthesizer` (MST).

The marginal measurements and the sampling are in :mod:`._mst`, the schema
(column kinds, domains, binning) in :mod:`._schema`.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._compat import BudgetAccountant, Interval, PrivacyLeakWarning, _fit_context, validate_data
from .._persistence import _PlainState
from ..base import check_frame, frame_to_array
from ..dp import RANDOM_STATE_CONSTRAINT, DPEstimatorMixin, spend_fit
from . import _mst
from ._common import _generator
from ._schema import _column_kind, _decode_column, _encode_columns
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike, Self

__all__ = ["DPSynthesizer"]


#: zCDP split between one-way measurements, tree selection, two-way measurements
_BUDGET_SPLIT = (1 / 3, 1 / 3, 1 / 3)


class DPSynthesizer(_PlainState, DPEstimatorMixin, BaseEstimator):
    """Differentially private synthetic data (MST: marginals on a spanning tree).

    ``fit`` learns, with (``epsilon``, ``delta``)-differential privacy, a
    tree-shaped graphical model of the table; ``sample`` draws any number of
    fully synthetic rows from it (sampling is post-processing: it costs no
    privacy and may be repeated at will).  The method follows MST (McKenna,
    Miklau & Sheldon 2021, winner of the NIST 2018 synthetic data
    challenge):

    1. **Discretize.**  Numeric and datetime columns are cut into at most
       ``n_bins`` bins at DP quantiles (exponential mechanism of Smith 2011,
       as ``diffprivlib.tools.quantile``), which spends
       ``quantile_fraction * epsilon`` (pure DP, split evenly over those
       columns and their quantiles).  Integer columns get integer edges
       (one bin per integer when the range is at most ``n_bins`` wide; a bin
       ``[e_i, e_i+1)`` holds the integers from ``e_i`` to ``e_i+1 - 1``),
       and the lower bound is a bin of its own (zero-inflated amounts keep
       their zeros).  Missing values (NaN / NaT / None) are a value of their own
       in every numeric / datetime column whose dtype can hold them, and in
       text columns as described under ``categories``.
    2. **Measure one-way marginals** of every column with the Gaussian
       mechanism (with ``target``: the two-way marginals column x target).
       Values whose noisy count is below 3 sigma are merged into one
       value (MST's domain compression).
    3. **Select a maximum spanning tree** of pairwise dependence: ``d - 1``
       rounds of the exponential mechanism, each choosing among the pairs
       that join two components (Kruskal), scored by the L1 error of the
       independence estimate on the pair's true two-way marginal
       (sensitivity 1).
    4. **Measure the tree's two-way marginals** (with ``target``: three-way
       column x parent x target, a private tree-augmented naive Bayes, which
       keeps the target's dependence on every column).
    5. **Post-process** (no privacy cost): every noisy table is projected
       onto the non-negative tables of the estimated total (Euclidean
       projection on the simplex, which zeroes noise on empty cells), then
       raked (iterative proportional fitting) so that the two-way tables
       agree with the one-way tables: the model is consistent.
    6. **Sample** along the tree: the root from its marginal, each child
       from its conditional given its parent, all rows at once (inverse CDF
       with one ``searchsorted`` per column); merged values are drawn
       uniformly among the values merged; numbers uniformly within their
       bin (integers stay integers), categories from the category list.

    **Privacy accounting.**  Neighbouring tables differ by adding or
    removing one record.  Steps 2-4 are accounted in zero-concentrated DP
    (Bun & Steinke 2016): a count table has L2 sensitivity 1, so a Gaussian
    measurement with noise ``sigma`` is ``1 / (2 sigma**2)``-zCDP, and an
    exponential-mechanism round with ``eps`` is ``eps**2 / 8``-zCDP (Cesar &
    Rogers 2021).  The zCDP budget ``rho`` is the largest for which
    rho-zCDP implies (``epsilon - eps_quantiles``, ``delta``)-DP (conversion
    of Canonne, Kamath & Steinke 2020), and is split in three equal parts
    (one-way measurements, selection, two-way measurements) as in MST.
    Step 1 is pure ``eps_quantiles``-DP; by sequential composition the whole
    fit is (``epsilon``, ``delta``)-DP, reported in ``privacy_spent_``, checked
    on the ``accountant`` before any work and spent on it after the fit.
    Noisy counts are rounded to integers before use (no floating-point
    low-order bits are released, cf. Mironov 2012).

    **What is not private** (as in every marginal-based synthesizer): the
    schema.  The column list and dtypes, the numeric ``bounds`` and the
    category lists are taken as public.  Give them as parameters; when they
    are read from the data a :class:`~diffprivlib.utils.PrivacyLeakWarning`
    is raised (a rare category or an extreme value then appears in the
    domain, although its frequency is protected: Adult's single
    ``Holand-Netherlands`` record would be revealed with certainty).  The
    categories of a pandas categorical dtype count as read from the data
    (``astype("category")`` builds them from the values).  A column whose
    undeclared domain is near-unique (at least 20 distinct values, more
    than half of its non-missing values: identifiers such as SSNs, e-mails,
    names) is refused with a ``ValueError``: its category list alone would
    release most records' values.

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy budget of ``fit`` (> 0).
    delta : float, default=1e-9
        Privacy parameter delta, in (0, 1); choose it well below
        ``1 / n_samples``.
    target : str, int or None, default=None
        A column (name, or position) to keep related to every other column (for
        example a label that models will be trained on).  With a target, the
        tree's tables are conditioned on it (private tree-augmented naive
        Bayes).  None: plain MST.
    n_bins : int, default=16
        Maximum number of bins of a numeric / datetime column (repeated DP
        quantiles are merged, so there may be fewer).
    bounds : dict of {column: (low, high)} or None, default=None
        Public bounds of numeric / datetime columns; values outside are
        clipped.  Missing columns take the data's min and max (with a
        ``PrivacyLeakWarning``).
    categories : dict of {column: list} or None, default=None
        Public value lists of categorical / string / boolean columns
        (any hashable values: strings, intervals, bytes, ...).
        Include ``None`` (or NaN) in a list to allow missing values; values
        not in the list are then counted as missing, else as a uniformly
        random category of the list.  Missing columns take ``[False, True]``
        for a boolean dtype; otherwise their domain is read from the data,
        with a ``PrivacyLeakWarning``: the categories of a categorical dtype
        (plus missing), else the values seen (missing is then a value when
        the data has some).  A near-unique undeclared column is refused
        (see above).
    quantile_fraction : float, default=0.1
        Fraction of ``epsilon`` spent on the DP quantile bins, in [0, 1).
        0 gives equal-width bins within ``bounds``, at no privacy cost.
    compress : bool, default=True
        Whether values with a noisy count below 3 sigma are merged (MST's
        domain compression).
    random_state : int, RandomState instance, Generator, "secure" or None, default=None
        Randomness of ``fit`` (the privacy noise).  None draws from the
        operating system's entropy, which is what a release should use; an
        int is for reproducible experiments only; ``"secure"`` draws every
        random number from the operating system's CSPRNG
        (``sklearn_anon._random.SecureGenerator``), not from numpy's
        PCG64 seeded by it.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant that ``fit`` spends (``epsilon``, ``delta``)
        on: checked first (a :class:`~diffprivlib.accountant.BudgetError`
        is raised before any work when the budget is too small), spent
        once the model is learnt.  None uses diffprivlib's default
        accountant, resolved in ``fit``.  ``sample`` spends nothing.

    Attributes
    ----------
    privacy_spent_ : tuple of (float, float)
        The (epsilon, delta) that ``fit`` spent, per record;
        :func:`sklearn_anon.privacy_budget` reads it.
    accountant_ : BudgetAccountant
        The accountant spent on.
    rho_ : float
        The zCDP budget of the marginal measurements and the selection.
    rho_split_ : dict of {str: float}
        How ``rho_`` is split: ``"one_way"`` (all one-way measurements
        together), ``"selection"`` (all rounds of the tree selection
        together) and ``"two_way"`` (all tree measurements together); they
        sum to ``rho_``.
    selection_epsilon_ : float
        Epsilon of each of the ``k - 1`` rounds of the exponential mechanism
        of the tree selection (``k`` columns besides the target), so that
        ``(k - 1) * selection_epsilon_**2 / 8 == rho_split_["selection"]``;
        0 without selection.
    quantile_epsilon_ : float
        The (pure) epsilon spent on the DP quantile bins.
    sigma_ : tuple of (float, float)
        Standard deviation of the Gaussian noise on the one-way and two-way
        tables: ``sigma_[0] = sqrt(k / (2 rho_split_["one_way"]))`` for
        the ``k`` one-way tables (one per column besides the target),
        ``sigma_[1] = sqrt((k - 1) / (2 rho_split_["two_way"]))`` for the
        ``k - 1`` tree tables (0 when there are none).
    noisy_marginals_ : dict of {tuple of str: ndarray}
        The noisy count tables exactly as measured (Gaussian noise of
        ``sigma_``, rounded; before any post-processing), keyed by their
        columns: ``(column,)`` for a one-way table, ``(a, b)`` for a tree
        edge (its two columns in input order; the sampling direction is in
        ``tree_``), with the target appended to both keys when ``target``
        is set (the target alone when it is the only column).  One-way axes index the column's full domain: the bins of
        ``bin_edges_`` or the values of ``categories_``, then missing when
        the column can hold it; tree tables index the compressed domains of
        ``compressed_domains_``.  These are DP outputs (post-processing
        of the release); the true counts are never stored.
    compressed_domains_ : dict of {column: list of list of int}
        Per non-target column, the groups of domain codes that the tree
        tables index (a single code each, except the values merged by
        ``compress``, always last).
    tree_ : list of (str, str)
        The selected edges (parent, child), in sampling order.
    bin_edges_ : dict of {column: ndarray}
        The DP bin edges of each numeric / datetime column (datetimes as
        nanoseconds since the epoch).  Bins are ``[e_i, e_i+1)``, the last
        one closed for floats; for integers the last edge is the upper
        bound plus one (bin ``[e_i, e_i+1)`` holds the integers ``e_i`` to
        ``e_i+1 - 1``).
    categories_ : dict of {column: list}
        The domain of each categorical / string / boolean column (declared
        or read from the data), without the missing value.
    n_records_ : float
        The noisy number of records (a DP estimate).
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    make_fake_pii : fake identities for test systems (no model of real data).
    sklearn_anon.metrics.tstr_score : utility of the synthetic table.
    sklearn_anon.metrics.exact_match_rate : how often synthetic rows copy real ones.

    References
    ----------
    McKenna, Miklau, Sheldon. "Winning the NIST Contest: A scalable and
    general approach to differentially private synthetic data", Journal of
    Privacy and Confidentiality 11(3), 2021.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon import DPSynthesizer
    >>> rng = np.random.default_rng(0)
    >>> age = rng.integers(18, 90, size=2000)
    >>> X = pd.DataFrame({
    ...     "age": age,
    ...     "senior": np.where(age > 60, "yes", "no"),
    ...     "city": pd.Categorical(rng.choice(["Lyon", "Nice"], size=2000)),
    ... })
    >>> synth = DPSynthesizer(epsilon=1.0, bounds={"age": (0, 100)},
    ...                       categories={"senior": ["no", "yes"], "city": ["Lyon", "Nice"]},
    ...                       random_state=0)
    >>> synth = synth.fit(X)
    >>> synth.privacy_spent_
    (1.0, 1e-09)
    >>> S = synth.sample(5, random_state=0)
    >>> S.dtypes.astype(str).tolist()
    ['int64', ..., 'category']
    >>> len(S)
    5
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "delta": [Interval(Real, 0, 1, closed="neither")],
        "target": [str, Integral, None],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "bounds": [dict, None],
        "categories": [dict, None],
        "quantile_fraction": [Interval(Real, 0, 1, closed="left")],
        "compress": ["boolean"],
        "random_state": RANDOM_STATE_CONSTRAINT,
        "accountant": [BudgetAccountant, None],
    }

    def __init__(
        self,
        epsilon: float = 1.0,
        delta: float = 1e-9,
        *,
        target: str | int | None = None,
        n_bins: int = 16,
        bounds: Mapping[Any, tuple[float, float]] | None = None,
        categories: Mapping[Any, Sequence[Any]] | None = None,
        quantile_fraction: float = 0.1,
        compress: bool = True,
        random_state: int | np.random.RandomState | np.random.Generator | Literal["secure"] | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.delta = delta
        self.target = target
        self.n_bins = n_bins
        self.bounds = bounds
        self.categories = categories
        self.quantile_fraction = quantile_fraction
        self.compress = compress
        self.random_state = random_state
        self.accountant = accountant

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn the DP model of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The private table: numeric, datetime, categorical, string and
            boolean columns, NaN allowed.
        y : None
            Ignored.

        Returns
        -------
        self : DPSynthesizer
            The fitted synthesizer.
        """
        frame, is_pandas = check_frame(X)
        validate_data(self, frame if is_pandas else frame.to_numpy(), skip_check_array=True, reset=True)
        n, p = frame.shape
        if n < 1:
            raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required.")
        if p < 1:
            raise ValueError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
        columns = list(frame.columns)
        t = None
        if self.target is not None:
            if self.target in columns:
                t = columns.index(self.target)
            elif isinstance(self.target, Integral) and -p <= self.target < p:
                t = int(self.target) % p
            else:
                raise ValueError(f"target {self.target!r} is not a column of X.")
        spend_fit(self, self.epsilon, self.delta)  # accountant_; BudgetError before any work
        rng = _generator(self.random_state)

        n_cont = sum(_column_kind(frame[c]) in ("num", "dt") for c in columns)
        eps_q = self.quantile_fraction * self.epsilon if n_cont else 0.0
        codes, metas, leaked = _encode_columns(
            frame, rng, eps_q / n_cont if n_cont else 0.0,
            bounds=self.bounds, categories=self.categories, n_bins=self.n_bins,
        )
        if leaked:
            warnings.warn(
                f"The domain of {len(leaked)} column(s) ({', '.join(map(str, leaked))}) "
                "was read from the data (bounds / category lists; the categories of a "
                "categorical dtype are built from the data too); give `bounds` and "
                "`categories` to make the schema public knowledge.",
                PrivacyLeakWarning,
            )
        rho = _mst.cdp_rho(self.epsilon - eps_q, self.delta)
        self._fit_model(codes, metas, t, rho, rng)
        self.columns_ = metas
        self.bin_edges_ = {m["name"]: m["edges"] for m in metas if "edges" in m}
        self.categories_ = {m["name"]: list(m["values"]) for m in metas if "values" in m}
        self.rho_ = rho
        self.quantile_epsilon_ = float(eps_q)
        self.privacy_spent_ = (float(self.epsilon), float(self.delta))
        self.is_pandas_ = is_pandas
        self.accountant_.spend(*self.privacy_spent_)
        return self

    def _fit_model(self, codes, metas, t, rho, rng):
        n, p = codes.shape
        sizes = [m["size"] for m in metas]
        attrs = [j for j in range(p) if j != t]
        r = len(attrs)
        d_t = sizes[t] if t is not None else 1
        tc = codes[:, t] if t is not None else np.zeros(n, dtype=np.int64)

        # budget split (zCDP): one-way / selection / two-way
        if r >= 2:
            rho1, rho_sel, rho2 = (rho * f for f in _BUDGET_SPLIT)
        else:
            rho1, rho2, rho_sel = rho, 0.0, 0.0
        k1 = max(r, 1)
        sigma1 = np.sqrt(k1 / (2 * rho1))
        names = [m["name"] for m in metas]
        tname = (names[t],) if t is not None else ()
        measured = {}  # the noisy tables as measured (rounded), keyed by column names

        # 1. base tables: (attr x target); target alone if no other column
        base_attrs = attrs if r else [t]
        noisy = {}
        for a in base_attrs:
            if r:
                counts = np.bincount(codes[:, a] * d_t + tc, minlength=sizes[a] * d_t)
                noisy[a] = _mst.gaussian_counts(counts, sigma1, rng).reshape(sizes[a], d_t)
            else:
                counts = np.bincount(tc, minlength=d_t)
                noisy[a] = _mst.gaussian_counts(counts, sigma1, rng).reshape(1, d_t)
            if not r:  # the target is the only column
                measured[(names[a],)] = noisy[a].ravel().copy()
            elif t is None:
                measured[(names[a],)] = noisy[a][:, 0].copy()
            else:
                measured[(names[a],) + tname] = noisy[a].copy()
        # estimated total and target marginal (inverse-variance weights)
        w = np.array([1.0 / noisy[a].shape[0] for a in base_attrs])
        t_marg = sum(wi * noisy[a].sum(axis=0) for wi, a in zip(w, base_attrs)) / w.sum()
        total = max(float(t_marg.sum()), 1.0)
        t_marg = _mst.project_simplex(t_marg, total)

        # 2. domain compression (MST): merge values with noisy count < 3 sigma
        groups, cc = {}, codes.copy()
        for a in attrs:
            y = noisy[a]
            marg = y.sum(axis=1)
            support = marg >= 3 * sigma1 * np.sqrt(d_t) if self.compress else np.ones(len(marg), bool)
            if support.all():
                groups[a] = [np.array([i]) for i in range(len(marg))]
            else:
                keep = np.flatnonzero(support)
                rest = np.flatnonzero(~support)
                groups[a] = [np.array([i]) for i in keep] + [rest]
                mapping = np.full(len(marg), len(keep), dtype=np.int64)
                mapping[keep] = np.arange(len(keep))
                cc[:, a] = mapping[codes[:, a]]
                noisy[a] = np.vstack([y[keep], y[rest].sum(axis=0, keepdims=True)])
        dims = {a: noisy[a].shape[0] for a in attrs}
        base = {}
        for a in attrs:
            b = _mst.project_simplex(noisy[a], total)
            if t is not None:
                b = _mst.rake(b, [((1,), t_marg)])
            base[a] = b

        # 3. private selection of a spanning tree
        edges = []
        if r >= 2:
            pt = np.maximum(t_marg, 1e-12)
            pairs = [(a, b) for i, a in enumerate(attrs) for b in attrs[i + 1:]]
            scores = np.empty(len(pairs))
            for k, (a, b) in enumerate(pairs):
                true = np.bincount(
                    (cc[:, a] * dims[b] + cc[:, b]) * d_t + tc, minlength=dims[a] * dims[b] * d_t
                ).reshape(dims[a], dims[b], d_t)
                est = base[a][:, None, :] * base[b][None, :, :] / pt[None, None, :]
                scores[k] = np.abs(true - est).sum()
            eps_sel = np.sqrt(8 * rho_sel / (r - 1))  # per round, eps**2 / 8 zCDP each
            comp = {a: a for a in attrs}

            def find(a):
                while comp[a] != a:
                    comp[a] = comp[comp[a]]
                    a = comp[a]
                return a

            for _ in range(r - 1):
                cand = [k for k, (a, b) in enumerate(pairs) if find(a) != find(b)]
                k = cand[_mst.exponential_mechanism(scores[cand], eps_sel, 1.0, rng)]
                a, b = pairs[k]
                comp[find(a)] = find(b)
                edges.append((a, b))

        # 4. measure the tree's tables, make them consistent
        sigma2 = np.sqrt((r - 1) / (2 * rho2)) if r >= 2 else 0.0
        pair_tables = {}
        for a, b in edges:
            counts = np.bincount(
                (cc[:, a] * dims[b] + cc[:, b]) * d_t + tc, minlength=dims[a] * dims[b] * d_t
            )
            y = _mst.gaussian_counts(counts, sigma2, rng).reshape(dims[a], dims[b], d_t)
            measured[(names[a], names[b]) + tname] = y[..., 0].copy() if t is None else y.copy()
            y = _mst.project_simplex(y, total)
            pair_tables[(a, b)] = _mst.rake(y, [((0, 2), base[a]), ((1, 2), base[b])])

        # 5. sampling plan: BFS from the first attribute
        plan = []  # (attr, parent or None, conditional table)
        if r:
            adj = {a: [] for a in attrs}
            for a, b in edges:
                adj[a].append(b)
                adj[b].append(a)
            root = attrs[0]
            # root | target
            plan.append((root, None, _mst.conditional(base[root].T, base[root].sum(axis=1) / total)))
            seen, queue = {root}, [root]
            while queue:
                a = queue.pop(0)
                for b in adj[a]:
                    if b in seen:
                        continue
                    tab = pair_tables[(a, b)] if (a, b) in pair_tables else pair_tables[(b, a)].transpose(1, 0, 2)
                    # rows indexed by parent * d_t + target
                    cond_tab = tab.transpose(0, 2, 1).reshape(dims[a] * d_t, dims[b])
                    plan.append((b, a, _mst.conditional(cond_tab, base[b].sum(axis=1) / total)))
                    seen.add(b)
                    queue.append(b)
        self.n_records_ = total
        self.sigma_ = (float(sigma1), float(sigma2))
        self.rho_split_ = {"one_way": float(rho1), "selection": float(rho_sel), "two_way": float(rho2)}
        self.selection_epsilon_ = float(eps_sel) if r >= 2 else 0.0
        self.noisy_marginals_ = measured
        self.compressed_domains_ = {names[a]: [g.tolist() for g in groups[a]] for a in attrs}
        self._target_index = t
        self._target_prob = t_marg / t_marg.sum()
        self._plan = plan
        self._groups = groups
        self.tree_ = [(names[a], names[b]) for b, a, _ in plan[1:]] if r else []

    # --------------------------------------------------------------- sample
    def sample(
        self,
        n_samples: int = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> pd.DataFrame | np.ndarray:
        """Draw a synthetic table from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.
        random_state : int, RandomState instance or None, default=None
            Randomness of the sampling (post-processing of the DP model: no
            privacy cost).  None draws fresh randomness.

        Returns
        -------
        X_synthetic : DataFrame or ndarray of shape (n_samples, n_features)
            A DataFrame with the columns and dtypes of the training table
            when ``fit`` got a DataFrame, else an ndarray.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        rng = _generator(random_state)
        n = int(n_samples)
        p = len(self.columns_)
        codes = np.zeros((n, p), dtype=np.int64, order="F")  # column-wise access
        t = self._target_index
        tcodes = _mst.sample_conditional(self._target_prob[None, :], np.zeros(n, dtype=np.int64), rng)
        d_t = self._target_prob.size
        if t is not None:
            codes[:, t] = tcodes
        for attr, parent, cond in self._plan:
            idx = tcodes if parent is None else codes[:, parent] * d_t + tcodes
            codes[:, attr] = _mst.sample_conditional(cond, idx, rng)
        # decompress merged values: uniform among the values merged
        for attr, groups in self._groups.items():
            sizes = np.array([g.size for g in groups])
            if (sizes == 1).all():
                codes[:, attr] = np.concatenate(groups)[codes[:, attr]]
                continue
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            members = np.concatenate(groups)
            c = codes[:, attr]
            pick = starts[c] + np.floor(rng.random(n) * sizes[c]).astype(np.int64)
            codes[:, attr] = members[np.minimum(pick, starts[c] + sizes[c] - 1)]
        out = {m["name"]: _decode_column(codes[:, j], m, rng) for j, m in enumerate(self.columns_)}
        frame = pd.DataFrame(out, index=pd.RangeIndex(n))
        if self.is_pandas_:
            return frame
        return frame_to_array(frame)

    def _privacy_spend(self):
        """The spend of ``fit``, in the protocol of :func:`sklearn_anon.privacy_budget`."""
        return [{
            "kind": "central",
            "columns": [m["name"] for m in self.columns_],
            "epsilon": self.privacy_spent_[0],
            "delta": self.privacy_spent_[1],
            "quantile_epsilon": self.quantile_epsilon_,
            "rho": self.rho_,
        }]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.non_deterministic = True
        return tags
