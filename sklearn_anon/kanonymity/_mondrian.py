"""k-anonymity as a transformer: Mondrian with l-diversity and t-closeness.

:class:`MondrianAnonymizer` learns a multidimensional partition of the
training rows on their quasi-identifiers (LeFevre, DeWitt & Ramakrishnan,
*Mondrian multidimensional k-anonymity*, ICDE 2006) and stores it as a cut
tree.  ``transform`` routes any row, a training row or a new one, down that
tree and writes the generalization of its region, so the fitted anonymizer
can be reused on a test set or next month's file, inside a ``Pipeline``.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
from pathlib import Path
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import Interval, StrOptions, _fit_context
from .._hierarchy import Hierarchy, load_hierarchy
from .._sensitive import HierarchyDistance
from .._labels import fmt_numbers, region_labels, round_sig
from ..base import SUPPRESSED, ColumnAnonymizer, is_numeric, values_hidden
from ._coding import _column_name, is_date_objects, make_coder
from ._cut_tree import SensitiveRule, grow_tree, route
from ._kmap import enforce_k_map, population_people
from ._regroup import peel_grow
from ._sensitive_params import check_population, check_sensitive_params, make_sensitive_rule
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike, HierarchyLike, Self

__all__ = ["MondrianAnonymizer"]


class MondrianAnonymizer(ColumnAnonymizer):
    """Mondrian k-anonymization of quasi-identifiers; optional l-diversity / t-closeness.

    Fit partitions the training rows: a partition is cut on the
    quasi-identifier with the widest normalized range, at the median, and
    the cut is kept only if both sides have at least ``k`` rows and, when
    ``l`` / ``t`` are set, both sides stay l-diverse / t-close on the
    ``sensitive`` column; if the median cut on that dimension is not
    allowed, the next widest dimension is tried (LeFevre et al.'s strict
    Mondrian).  Partitions are cut until no allowed cut remains.  The cut
    tree is stored (``tree_``); ``transform`` routes rows down it.

    Cut semantics.  Cuts fall between distinct values (strict Mondrian:
    regions never overlap, so every row has exactly one region).  With many
    ties at the median, the ties go to one side: the cut ``value <= median``
    and the cut ``value < median`` are both tried, the more balanced
    allowed one wins.  There is no relaxed Mondrian (ties split across both
    sides), since a new row equal to the median could not be routed.

    Categorical quasi-identifiers are cut along an order: the ``categorical``
    order given for the column, an ordered ``CategoricalDtype``'s order, or
    the sorted labels; or along a hierarchy (``hierarchies``): the leaves are
    ordered so that every subtree is contiguous, and a cut is only allowed
    between two children of the region's lowest common node, so that every
    region is a hierarchy node or a union of sibling nodes.

    Parameters
    ----------
    k : int, default=5
        Minimum number of training rows per region.  Must not exceed the
        number of training rows (``ValueError``).
    l : float or None, default=None
        If set, every region is l-diverse on ``sensitive``.  ``ValueError``
        in fit when the whole training table is not (e.g. ``l`` larger than
        the number of distinct sensitive values).
    l_diversity : {"distinct", "entropy", "recursive"}, default="distinct"
        Distinct l-diversity (at least ``l`` distinct sensitive values per
        region), entropy l-diversity (entropy of the sensitive values at
        least ``log(l)``) or recursive (c, l)-diversity (the most frequent
        sensitive value's count ``r_1`` is below ``c`` times the sum of the
        counts from the ``l``-th most frequent on, ``r_1 < c (r_l + ... +
        r_m)``; ``l`` rounded up; needs ``c``; as ARX's
        ``RecursiveCLDiversity``).
    c : float > 0 or None, default=None
        The ``c`` of recursive (c, l)-diversity; only with
        ``l_diversity="recursive"``.
    t : float in [0, 1] or None, default=None
        If set, every region is t-close on ``sensitive``: the Earth Mover's
        Distance between the region's sensitive distribution and the whole
        table's is at most ``t``, with the ground distance ``t_distance``
        (as :func:`sklearn_anon.metrics.t_closeness`).  Both constraints are
        checked with a 1e-9 margin, so rounding never lets a region through
        that an exact check (or pycanon) would reject.
    t_distance : {"auto", "equal", "ordered", "hierarchical"}, default="auto"
        Ground distance of t-closeness.  ``"equal"``: every two values at
        distance 1.  ``"ordered"``: the training values in order (numbers
        sorted, an ordered ``CategoricalDtype`` in its categories' order,
        other text sorted), the ``i``-th and ``j``-th at ``|i - j| / (m -
        1)``: for ordinal attributes.  ``"hierarchical"``: along
        ``sensitive_hierarchy`` (Li et al. 2007; ARX's
        ``HierarchicalDistanceTCloseness``): two values at the level of
        their lowest common node over the hierarchy's height.  ``"auto"``:
        hierarchical when ``sensitive_hierarchy`` is given, else ordered
        for a numeric column and equal otherwise.
    sensitive_hierarchy : hierarchy or None, default=None
        Generalization hierarchy of the sensitive column (anything
        :func:`sklearn_anon._hierarchy.load_hierarchy` reads) for
        ``t_distance="hierarchical"``; every training value of
        ``sensitive`` must be one of its leaves.
    sensitive : str, int or None, default=None
        Name of the sensitive column (or its position, when no column has
        that name).  It steers the cuts (``l``, ``t``) and passes through
        unchanged; it is never a quasi-identifier.
    k_map : int or None, default=None
        k-map against a population: every region's labels are compatible
        with at least ``k_map`` people of the population (counted as
        :func:`sklearn_anon.metrics.k_map` and
        :func:`~sklearn_anon.metrics.journalist_risk` count them, through
        the same function; never fewer than the region's own rows).  After
        the cuts, a region that fails is merged into its parent node
        (:meth:`collapse_regions`) and the check repeated, so the released
        training rows have a journalist risk of at most ``1 / k_map``.
        ``ValueError`` when even one region for the whole table fails.
        The population is given to :meth:`fit` (``fit(X, population=pop)``).
    population_counts : str or None, default=None
        Column of the population holding the number of people per row (a
        table of counts per combination of quasi-identifier values).
    quasi_identifiers : list of str/int, str, int or None, default=None
        The columns to anonymize, by name (or by position, when no column
        has that name; resolved to names in fit and used by name in
        ``transform``).  None: every column except ``sensitive``.  Columns
        that are neither quasi-identifiers nor ``sensitive`` pass through
        unchanged (deliberately, because the caller said so).
    categorical : "auto", list of str or dict, default="auto"
        Which quasi-identifiers are categorical.  ``"auto"``: string,
        object, categorical and boolean columns (numbers and datetimes are
        cut on their values; an object column holding only dates or
        datetimes, e.g. ``datetime.date`` read from Parquet, is a datetime
        column).  A list: those columns (even numeric ones); a listed-out
        object/string column must then hold numbers or dates (else
        ``ValueError``).  A dict ``{column: [category, ...]}``: those
        columns, cut along the given order (values not in the order are
        unseen values).
    hierarchies : dict or None, default=None
        ``{column: hierarchy}``, anything
        :func:`sklearn_anon._hierarchy.load_hierarchy` reads (an ARX-style
        CSV path, a DataFrame, a dict, a ``Hierarchy``).  Such columns are
        cut along the hierarchy, and a region that is exactly one node is
        written as the node's label.  Every training value must be a leaf.
    output : {"interval", "midpoint", "mean"}, default="interval"
        ``"interval"``: labels for release, as categorical columns: numbers
        and datetimes as ``"[35, 44]"`` (the smallest and largest training
        value of the region, closed; a single value as itself), categories
        as sets ``"{Divorced, Separated}"`` (the training categories of the
        region) or a hierarchy node.  ``"midpoint"`` / ``"mean"``: numbers
        for models: the middle of the region's interval or the mean of its
        training values (numeric/datetime columns keep their type);
        categorical columns keep the interval label (categories have no
        mean).
    precision : int, dict or None, default=None
        Significant digits of the interval ends of numeric
        quasi-identifiers (an int for every numeric one, or ``{column:
        digits}``).  Labels built from the data show the smallest and
        largest training value of each region, so a training outlier's
        exact value (an income of ``987654.32``) is in the label of its
        region, and that label is reused on every later release.  With
        ``precision`` the lower end is rounded down and the upper end up
        (``precision=2``: ``[20000, 990000]``), so every value of the region
        still lies within its label, but no exact extreme is shown unless it
        has at most ``precision`` significant digits; a region of one
        distinct value becomes an interval.  ``"midpoint"`` output is then
        the middle of the rounded interval and ``"mean"`` output is rounded
        to ``precision`` digits.  None: exact ends (as Mondrian's paper
        releases them).  Datetime and categorical columns are not rounded
        (a dict entry for one is a ``ValueError``).
    cuts : {"median", "refined", "best", "lookahead", "hybrid"}, default="median"
        ``"median"``: LeFevre et al.'s median cuts on the widest dimension
        (above).  ``"refined"``: every dimension's cut is tried and the one
        that lowers the loss on its dimension most (rows x normalized width)
        is taken; a partition that could hold ``p = size // k`` regions of
        ``k`` rows is cut so that ``floor(p / 2)`` of them fall on the left
        (the median when ``p`` is 2; the median where that cut is not
        allowed); and where no cut is allowed on a hierarchical column, it
        is cut between any two leaves (the sides are labelled with the
        children of their lowest common node that they hold, so both may
        carry the same label there and differ on other columns).  More,
        smaller regions and a lower loss on Adult at every k tried, at about
        twice the fit time (one sort per dimension and level; see
        ``benchmarks/README.md``).  ``"best"``: every allowed cut of a
        partition is scored (every dimension, every boundary between two
        distinct values with ``k`` rows on either side, hierarchical columns
        between any two leaves) and the best one taken.  The score is the
        loss the cut removes, counted on *every* quasi-identifier (rows x
        the share of each column's domain that the sides' labels cover,
        hierarchy leaves for hierarchical columns, as ARX's granularity),
        minus the rise of a lower bound of the final discernibility over
        ``k`` (identical rows always share a region, so a side left with
        fewer than ``k`` rows outside groups of ``k`` identical rows must
        merge them into such a group); a cut breaking ``l`` / ``t`` falls
        back on the refined cuts.  Regions closer to ``k`` rows than the
        refined cuts (lower discernibility at every k on Adult), and a
        lower loss at large k (k=50, 100), at 2-3x the refined fit time
        (one sort per dimension and level plus prefix minima / maxima of
        every column: ``O(d^2 n)`` per level).  ``"lookahead"``: as
        ``"best"``, but the three best cuts of a partition (the best one per
        column) are compared by their score plus the best scores of the
        cuts of their two sides, two levels deep, with half the
        discernibility term; on Adult (ARX's hierarchies) a lower loss and
        discernibility than ``"best"`` at every k tried, at 4-7x its fit
        time.  ``"hybrid"``: the refined cuts on partitions of at least
        ``64 k`` rows, the ``"lookahead"`` search below (from ``k=20`` on;
        below ``k=20`` a cheaper search, the rule by ``k``: partitions of at
        least ``16 k`` rows get the k-multiple cut on their widest column,
        unscored, as ``"refined"`` without trying every column, and the
        scored search below them looks one level ahead instead of two, or
        not at all at ``k <= 2`` (``"best"`` scores, the unscored cuts down
        to ``8 k`` rows, no sibling pass); on Adult a quarter to half the
        fit time at k=2, 5 and 10 for a slightly higher loss and discernibility,
        see ``benchmarks/README.md``); then (from ``k=3`` on) every two
        sibling regions holding together at least ``3 k`` rows are re-cut
        into three where that lowers the loss plus half the discernibility
        over ``k`` (every first cut of their parent is tried, with the best
        scored cut of its larger side; not with ``l`` / ``t``, where the
        two regions stay).  On Adult (ARX's hierarchies) a lower loss than
        ``"lookahead"`` at every k tried and a lower discernibility at k=5,
        10, 50 and 100 (not k=2), in about half its fit time.  Before the
        cuts, every group of at least ``k`` identical training rows (no
        missing value) is taken out as a region of its own, released with
        its exact values, and the cuts partition the other rows only (a cut
        never separates identical rows, so such a group otherwise shares its
        region with the rows around it; with ``l`` / ``t``,
        ``suppression_limit`` or ``k_map`` nothing is taken out).  Regions
        may then overlap: a new row equal on every quasi-identifier to such
        a group gets that group's region, any other row is routed down the
        cut tree as with the other cuts (a coarser region).  On Adult this
        lowers both the loss and the discernibility at k=2, 5 and 10 (below
        ARX's discernibility at k=2); at k=50 and 100 no group of ``k``
        identical rows exists.  From ``k=20`` on, ``"hybrid"`` then plans
        the small subtrees of the cut tree anew (each holding at most ``8 k`` to ``128 k`` rows, the most a work
        budget allows): the three best cuts of every partition searched
        down to the final regions on the exact loss plus half the
        discernibility over ``k``, a subtree replaced by its best plan
        where that is lower (not with ``l`` / ``t``); on Adult at k=50 and
        100 this lowers both the loss and the discernibility, at about
        twice the fit time.
    suppression_limit : float in [0, 1], default=0.0
        Share of the training rows that may be suppressed.  Once no cut is
        allowed, the regions whose granularity loss (sum over rows and
        quasi-identifiers of the normalized width) drops most are cut at
        one end of one quasi-identifier (the rows of the smallest or largest
        value, or of the first or last child of the lowest common hierarchy
        node, fewer than ``k`` of them, the rest keeping ``k``), the cut-off
        side becoming a *suppressed region*, and the rest is partitioned
        again; repeated while the limit lasts and the loss drops.  A
        suppressed region is written ``"*"`` on every quasi-identifier (NaN
        in numeric ``"midpoint"`` / ``"mean"`` output), for its training
        rows and for any new row routed into it.  The suppressed rows hold
        either none or at least ``k`` rows together (and are l-diverse /
        t-close together when ``l`` / ``t`` are set), else nothing is
        suppressed.  ``n_suppressed_`` counts them.
    verbose : int, default=0
        If > 0, print one line per level of the cut tree during fit.

    Attributes
    ----------
    quasi_identifiers_ : list of str
        The anonymized columns.
    n_partitions_ : int
        Number of regions (leaves of the cut tree).
    partition_sizes_ : ndarray of shape (n_partitions_,)
        Training rows per region.
    k_achieved_ : int
        Smallest size of a region that is not suppressed (>= ``k``).  The
        output's k can be larger when two regions get the same labels.
    n_suppressed_ : int
        Training rows in suppressed regions (``suppression_limit``).
    population_sizes_ : ndarray of shape (n_partitions_,)
        With ``k_map``: the people of the population compatible with each
        region's labels (at least ``k_map``).
    regions_ : DataFrame
        One row per region: its label on each quasi-identifier, its
        ``size``, and (with ``sensitive``) ``n_sensitive``, the number of
        distinct sensitive values in it.  A suppressed region
        (``suppression_limit``) is ``"*"`` on every quasi-identifier.
    tree_ : dict of ndarray
        The cut tree: per node ``feature`` (index into
        ``quasi_identifiers_``, -1 for a leaf), ``threshold`` (go left when
        the value, or the category's code, is <= it), ``left``, ``right``,
        ``leaf`` (region number of a leaf node, -1 otherwise),
        ``suppressed`` (whether a leaf node is a suppressed region); with
        ``cuts="hybrid"``, also ``exact_value`` (per group of identical
        rows released as it is, its routing values: the category's code or
        the number) and ``exact_leaf`` (its region number), when there are
        such groups.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when the input has string column names.

    See Also
    --------
    sklearn_anon.FullDomainAnonymizer : global recoding along hierarchies,
        the same generalization for every record.
    sklearn_anon.LocalSuppressor : k-anonymity by suppressing cells instead.
    sklearn_anon.dask.fit_mondrian_dask : the cut tree grown on a sample of
        a dask DataFrame.
    sklearn_anon.metrics.PrivacyReport : measure the release's risk and
        information loss.

    Notes
    -----
    What ``transform`` writes, cell by cell:

    * a value inside the training range: its region's label;
    * a number or date outside every training range (or in a gap between
      regions), or a category of the column's domain (the given order, an
      ordered dtype's categories, the hierarchy's leaves) that no training
      row had: the label of the region it is routed to (the nearest one at
      each cut), even though that label does not contain it (it is
      generalized, never written out);
    * a value the fitted tree cannot place: ``"*"`` (suppressed; NaN / NaT
      in numeric output).  That is, whatever the column's dtype: a missing
      value (NaN/None/NaT/``pd.NA``), a category outside the column's
      domain (never seen in fit, not in the order, not a leaf of the
      hierarchy), text that is not a number in a numeric column or not a
      date in a datetime column, ``inf``, and a value of another kind than
      the fitted one (a number in a datetime column, a date in a numeric
      one).  In fit, missing values (and ``inf``) are a value of their own
      (sorted last, after every hierarchy node), so a region may hold both
      missing and present values; such a region is written ``"*"`` (NaN in
      numeric output) on that column for all its rows, which keeps
      k-anonymity.

    Datetimes are compared in the column's own resolution (``datetime64[s]``
    / ``[ms]`` / ``[us]`` / ``[ns]``; ``us`` for dates parsed from objects
    or text), so dates outside the nanosecond range (before 1677 or after
    2262) are cut and labelled like any other.

    Errors and warnings name the column and the problem, never a cell
    value.

    A constant or all-missing quasi-identifier is never cut (nothing to
    split); all-missing is written ``"*"``.

    Complexity: one sort of the active rows per level of the tree
    (``O(n log n)`` per level, ``log2(n / k)`` levels); no Python loop over
    rows.  With ``l`` / ``t``, each level also builds per-partition
    histograms of the sensitive values (``partitions x distinct values``):
    cheap for a categorical sensitive column, slow for a continuous one with
    many distinct values (200,000 rows with 190,000 distinct incomes and
    ``t=0.2``: about a minute); bin such a column first.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import MondrianAnonymizer
    >>> df = pd.DataFrame({"age": [23, 25, 31, 36, 44, 47, 52, 58],
    ...                    "sex": ["F", "M", "F", "M", "F", "M", "F", "M"],
    ...                    "disease": ["flu", "hiv", "flu", "cold",
    ...                                "hiv", "flu", "cold", "flu"]})
    >>> anon = MondrianAnonymizer(k=2, sensitive="disease").fit(df)
    >>> anon.regions_
            age sex  size  n_sensitive
    0  [23, 31]   F     2            1
    1  [25, 36]   M     2            2
    2  [44, 52]   F     2            2
    3  [47, 58]   M     2            1
    >>> anon.transform(pd.DataFrame({"age": [30, 99], "sex": ["F", "X"],
    ...                              "disease": ["flu", "flu"]}))
            age sex disease
    0  [23, 31]   F     flu
    1  [44, 52]   *     flu

    With ``l=2`` every region holds two diseases:

    >>> MondrianAnonymizer(k=2, l=2, sensitive="disease").fit_transform(df)
            age     sex disease
    0  [23, 25]  {F, M}     flu
    1  [23, 25]  {F, M}     hiv
    2  [31, 36]  {F, M}     flu
    3  [31, 36]  {F, M}    cold
    4  [44, 47]  {F, M}     hiv
    5  [44, 47]  {F, M}     flu
    6  [52, 58]  {F, M}    cold
    7  [52, 58]  {F, M}     flu
    >>> MondrianAnonymizer(k=2, output="midpoint").fit_transform(df[["age"]])["age"].tolist()
    [24.0, 24.0, 33.5, 33.5, 45.5, 45.5, 55.0, 55.0]

    Labels show the training extremes of each region; ``precision`` rounds
    them outwards, so an outlier's exact value is not released:

    >>> income = pd.DataFrame({"income": [20000, 21000, 22000, 987654.32]})
    >>> MondrianAnonymizer(k=2).fit(income).regions_["income"].tolist()
    ['[20000, 21000]', '[22000, 987654.32]']
    >>> MondrianAnonymizer(k=2, precision=2).fit(income).regions_["income"].tolist()
    ['[20000, 21000]', '[22000, 990000]']
    """

    _parameter_constraints = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "l": [Interval(Real, 1, None, closed="left"), None],
        "l_diversity": [StrOptions({"distinct", "entropy", "recursive"})],
        "c": [Interval(Real, 0, None, closed="neither"), None],
        "t": [Interval(Real, 0, 1, closed="both"), None],
        "t_distance": [StrOptions({"auto", "equal", "ordered", "hierarchical"})],
        "sensitive_hierarchy": [dict, pd.DataFrame, str, os.PathLike, Hierarchy, None],
        "sensitive": [str, Integral, tuple, None],
        "k_map": [Interval(Integral, 1, None, closed="left"), None],
        "population_counts": [str, None],
        "quasi_identifiers": ["array-like", str, Integral, None],
        "categorical": [StrOptions({"auto"}), list, dict],
        "hierarchies": [dict, None],
        "output": [StrOptions({"interval", "midpoint", "mean"})],
        "precision": [Interval(Integral, 1, None, closed="left"), dict, None],
        "cuts": [StrOptions({"median", "refined", "best", "lookahead", "hybrid"})],
        "suppression_limit": [Interval(Real, 0, 1, closed="both")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        k: int = 5,
        *,
        l: float | None = None,  # noqa: E741
        l_diversity: Literal["distinct", "entropy", "recursive"] = "distinct",
        c: float | None = None,
        t: float | None = None,
        t_distance: Literal["auto", "equal", "ordered", "hierarchical"] = "auto",
        sensitive_hierarchy: HierarchyLike | None = None,
        sensitive: str | int | None = None,
        k_map: int | None = None,
        population_counts: str | None = None,
        quasi_identifiers: Sequence[str | int] | str | int | None = None,
        categorical: Literal["auto"] | Sequence[str] | Mapping[Any, Any] = "auto",
        hierarchies: Mapping[Any, HierarchyLike] | None = None,
        output: Literal["interval", "midpoint", "mean"] = "interval",
        precision: int | Mapping[Any, int] | None = None,
        cuts: Literal["median", "refined", "best", "lookahead"] = "median",
        suppression_limit: float = 0.0,
        verbose: int = 0,
    ) -> None:
        self.k = k
        self.l = l
        self.l_diversity = l_diversity
        self.c = c
        self.t = t
        self.t_distance = t_distance
        self.sensitive_hierarchy = sensitive_hierarchy
        self.sensitive = sensitive
        self.k_map = k_map
        self.population_counts = population_counts
        self.quasi_identifiers = quasi_identifiers
        self.categorical = categorical
        self.hierarchies = hierarchies
        self.output = output
        self.precision = precision
        self.cuts = cuts
        self.suppression_limit = suppression_limit
        self.verbose = verbose

    # -- fit -----------------------------------------------------------------
    def _resolve(self, frame):
        """Check the data-dependent parameters; return (qis, sensitive)."""
        if isinstance(self.k, (bool, np.bool_)):
            raise TypeError("k must be an int, got a boolean.")
        sensitive = self.sensitive
        if sensitive is not None:
            sensitive = _column_name(frame, sensitive, "Sensitive column")
        if (self.l is not None or self.t is not None) and sensitive is None:
            raise ValueError("l-diversity and t-closeness need a `sensitive` column.")
        check_sensitive_params(self)
        if self.quasi_identifiers is None:
            qis = [c for c in frame.columns if c != sensitive]
        else:
            given = self.quasi_identifiers
            single = isinstance(given, (str, Integral)) or (
                isinstance(given, tuple) and given in frame.columns)  # a MultiIndex name
            qis = [given] if single else list(given)
            qis = [_column_name(frame, q, "Quasi-identifier") for q in qis]
            if len(set(qis)) != len(qis):
                raise ValueError("A quasi-identifier is named twice.")
        if sensitive is not None and sensitive in qis:
            raise ValueError(f"Column {sensitive!r} is both sensitive and a quasi-identifier.")
        if not qis:
            raise ValueError("No quasi-identifier column to anonymize.")
        n = frame.shape[0]
        if self.k > n:
            raise ValueError(
                f"k={self.k} is larger than the number of training rows "
                f"(n_samples = {n}): no k-anonymous partition exists."
            )
        for name in list(self.hierarchies or {}) + (
                list(self.categorical) if isinstance(self.categorical, (list, dict)) else []):
            if name not in qis:
                raise ValueError(f"Column {name!r} (categorical/hierarchies) is not a quasi-identifier.")
        precision = self.precision if isinstance(self.precision, dict) else {None: self.precision}
        for name, digits in precision.items():
            if name is not None and name not in qis:
                raise ValueError(f"Column {name!r} (precision) is not a quasi-identifier.")
            if digits is not None and (isinstance(digits, (bool, np.bool_)) or not isinstance(
                    digits, Integral) or digits < 1):
                raise ValueError("`precision` must be a positive int (significant digits) "
                                 "or None" + (f", for column {name!r}." if name is not None else "."))
        return qis, sensitive

    def _digits(self, name):
        """Significant digits of the interval ends of column ``name`` (None: exact)."""
        if isinstance(self.precision, dict):
            return self.precision.get(name)
        return self.precision

    def _is_categorical(self, series, name):
        if isinstance(self.categorical, (list, dict)):
            return name in self.categorical
        return not (is_numeric(series) or pd.api.types.is_datetime64_any_dtype(series.dtype)
                    or is_date_objects(series))

    def _sensitive_rule(self, column, name):
        if self.l is None and self.t is None:
            return None
        rule = make_sensitive_rule(self, column, name)
        whole = np.bincount(rule.s_codes, minlength=rule.m)[None, :]
        if self.l is not None and not rule.ok(whole)[0]:
            raise ValueError(
                f"The training data is not {self.l}-diverse ({self.l_diversity}) on "
                f"column {name!r} as a whole ({int((whole > 0).sum())} distinct values): "
                "lower `l`" + (" or raise `c`." if self.l_diversity == "recursive" else ".")
            )
        return rule

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        *,
        population: pd.DataFrame | None = None,
    ) -> Self:
        """Partition the training rows and store the cut tree.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data with the quasi-identifiers (and ``sensitive``).
        y : None
            Ignored.
        population : DataFrame or None, default=None
            The population table for ``k_map`` (required with it, an error
            without it): the quasi-identifier columns, one row per person, or
            one row per combination with ``population_counts``.  Passed to
            ``fit`` rather than stored as a parameter, so that neither the
            anonymizer's repr nor its pickle holds the population (in a
            ``Pipeline``: ``pipe.fit(X, step__population=pop)``).

        Returns
        -------
        self : object
            The fitted anonymizer.
        """
        frame, _ = self._validate_frame(X, reset=True)
        check_population(self, population)
        # set by sklearn_anon.dask.fit_mondrian_dask on its fitted copy only
        self.__dict__.pop("_whole_row_suppression", None)
        qis, sensitive = self._resolve(frame)
        hierarchies = {name: _load_hierarchy(h, name)
                       for name, h in (self.hierarchies or {}).items()}
        # int32 codes (ranks < n rows + 1): half the memory and traffic of int64
        small = frame.shape[0] < np.iinfo(np.int32).max - 1
        coders, codes = [], np.empty((len(qis), frame.shape[0]),
                                     dtype=np.int32 if small else np.int64)
        for j, name in enumerate(qis):
            col = frame[name]
            order = self.categorical.get(name) if isinstance(self.categorical, dict) else None
            coder, cj = make_coder(col, name, categorical=self._is_categorical(col, name),
                                   order=order, hierarchy=hierarchies.get(name),
                                   return_codes=True)
            bad = int((cj < 0).sum())
            if bad:
                raise ValueError(
                    f"Column {name!r}: {bad} training value(s) are not in the given "
                    "order/hierarchy."
                )
            if isinstance(self.precision, dict) and name in self.precision and (
                    coder.kind != "numeric"):
                raise ValueError(f"Column {name!r} (precision) is not numeric: only numeric "
                                 "interval ends are rounded.")
            coders.append(coder)
            codes[j] = cj
        rule = self._sensitive_rule(frame[sensitive], sensitive) if sensitive is not None else None
        refined = self.cuts in ("refined", "best", "lookahead", "hybrid")
        max_suppressed = int(np.floor(self.suppression_limit * frame.shape[0] + 1e-9))

        def grow(c):
            return grow_tree(
                c, coders, self.k, rule, self.verbose,
                cut_at="k_multiple" if refined else "median", relax=refined,
                max_suppressed=max_suppressed,
                search=self.cuts if self.cuts in ("best", "lookahead", "hybrid") else "median")

        # groups of k identical rows released as they are; not for an engine
        # (sklearn_anon.dask), which needs every row's region in the cut tree itself:
        # it drops the groups (collapse_regions) and their rows would follow a tree
        # grown without them (one region when most rows are in such groups)
        if (self.cuts == "hybrid" and rule is None and not max_suppressed
                and self.k_map is None and not self.__dict__.get("_tree_only")):
            tree, perm, leaf_start, leaf_size = peel_grow(codes, coders, self.k, grow)
        else:
            tree, perm, leaf_start, leaf_size = grow(codes)
        self.quasi_identifiers_ = qis
        self.sensitive_ = sensitive
        self.coders_ = coders
        self.tree_ = tree
        self.partition_sizes_ = leaf_size
        self.n_partitions_ = int(len(leaf_size))
        self._leaf_outputs(codes, perm, leaf_start, leaf_size, frame, sensitive)
        self._count_suppressed()
        if self.k_map is not None:  # merge regions with too few people (see _kmap)
            people = population_people(population, self.population_counts)
            fitted = enforce_k_map(self, frame, people, self.k_map, self.hierarchies)
            self.__dict__.update(fitted.__dict__)
            return self
        if self.__dict__.get("_keep_fit_leaf"):  # fit_transform: the regions are known
            leaf = np.empty(len(perm), dtype=np.int64)
            leaf[perm] = np.repeat(np.arange(len(leaf_size)), leaf_size)
            self._fit_leaf = leaf
            # and which cells the tree places: every training value but the missing ones
            self._fit_placed = np.stack([codes[j] != coder.missing_code
                                         for j, coder in enumerate(coders)])
        return self

    def fit_transform(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        **fit_params: Any,
    ) -> pd.DataFrame | np.ndarray:
        """Fit to ``X``, then anonymize it (as ``fit(X).transform(X)``).

        The training rows' regions are known from fit, so they are not
        routed down the tree again.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.
        **fit_params : dict
            Passed to ``fit``.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            As :meth:`transform`.
        """
        self._keep_fit_leaf = True
        try:
            return super().fit_transform(X, y, **fit_params)
        finally:
            self.__dict__.pop("_keep_fit_leaf", None)
            self.__dict__.pop("_fit_leaf", None)
            self.__dict__.pop("_fit_placed", None)

    def _suppressed_regions(self):
        """Boolean per region: is it a suppressed region?"""
        tree = self.tree_
        out = np.zeros(self.n_partitions_, dtype=bool)
        flags = tree.get("suppressed")  # absent in trees fitted before suppression existed
        if flags is not None:
            leaf = tree["leaf"]
            out[leaf[leaf >= 0]] = flags[leaf >= 0]
        return out

    def _count_suppressed(self):
        """``n_suppressed_`` and ``k_achieved_`` from the regions and their sizes."""
        sup = self._suppressed_regions()
        sizes = self.partition_sizes_
        self.n_suppressed_ = int(sizes[sup].sum())
        kept = sizes[~sup]
        self.k_achieved_ = int(kept.min()) if len(kept) else 0

    def _leaf_outputs(self, codes, perm, leaf_start, leaf_size, frame, sensitive):
        """Per region and quasi-identifier: label, midpoint, mean.

        Every figure is computed per region (reductions over the regions'
        rows in ``perm`` order), every text once per region or per distinct
        bound; ``transform`` takes them by region number.
        """
        n_leaves = len(leaf_size)
        leaf_start = np.asarray(leaf_start, dtype=np.int64)
        leaf_of_pos = None  # the region of each position of perm, built when needed
        self.n_partitions_ = n_leaves
        sup = self._suppressed_regions()
        labels, mids, means, categories = {}, {}, {}, {}
        self._label_codes = {}
        for j, (name, coder) in enumerate(zip(self.quasi_identifiers_, self.coders_)):
            cj = codes[j][perm]
            miss = cj == coder.missing_code
            any_missing = bool(miss.any())
            has_missing = (np.logical_or.reduceat(miss, leaf_start) if any_missing
                           else np.zeros(n_leaves, dtype=bool))
            if coder.kind == "categorical":
                if coder.n_values + 1 > 63 * _LABEL_WORDS and leaf_of_pos is None:
                    leaf_of_pos = np.repeat(np.arange(n_leaves), leaf_size)
                lab = _category_labels(coder, cj, leaf_of_pos, leaf_start, n_leaves)
                mids[name] = means[name] = None
            else:
                # the missing code is the largest: the minimum is a present code unless
                # every row is missing (then hi < 0 below)
                lo = np.minimum.reduceat(cj, leaf_start).astype(np.int64)
                hi = np.maximum.reduceat(np.where(miss, -1, cj) if any_missing else cj,
                                         leaf_start).astype(np.int64)
                digits = self._digits(name) if coder.kind == "numeric" else None
                lab, lo_v, hi_v = _interval_labels(coder, np.where(hi < 0, 0, lo), hi, digits)
                mids[name] = np.where(has_missing, np.nan, lo_v + (hi_v - lo_v) / 2)
                # the value of each code, 0.0 for the missing one
                vals = np.append(np.asarray(coder.values, dtype=np.float64), 0.0)
                s = np.add.reduceat(vals[cj], leaf_start)
                cnt = np.asarray(leaf_size, dtype=np.int64)
                if any_missing:
                    cnt = cnt - np.add.reduceat(miss.astype(np.int64), leaf_start)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = np.where(has_missing | (cnt == 0), np.nan, s / cnt)
                if digits is not None:
                    mean = np.array([float(round_sig(m, digits, "nearest")) if np.isfinite(m)
                                     else np.nan for m in mean], dtype=np.float64)
                means[name] = mean
            del cj, miss
            lab[has_missing | sup] = SUPPRESSED
            if mids[name] is not None:
                mids[name] = np.where(sup, np.nan, mids[name])
                means[name] = np.where(sup, np.nan, means[name])
            labels[name] = lab
            # the distinct labels in order of first appearance, and each region's
            # position among them (SUPPRESSED always a category)
            lab_codes, uniq = _text.factorize(lab, use_na_sentinel=False)
            cats = list(uniq)
            if SUPPRESSED not in cats:
                cats.append(SUPPRESSED)
            categories[name] = cats
            self._label_codes[name] = np.asarray(lab_codes, dtype=np.int64)
        self._labels, self._mids, self._means, self._categories = labels, mids, means, categories
        # regions_ is built from these arrays on access (arrays persist with skops.io)
        self._region_sizes = np.asarray(leaf_size)
        self._region_n_sensitive = None
        if sensitive is not None:
            with values_hidden(sensitive, "could not encode the sensitive column"):
                s_codes, _ = _text.factorize(frame[sensitive].iloc[perm], use_na_sentinel=False)
            m = int(s_codes.max()) + 1 if len(s_codes) else 1
            if leaf_of_pos is None:
                leaf_of_pos = np.repeat(np.arange(n_leaves), leaf_size)
            pairs = np.unique(leaf_of_pos * m + s_codes)
            self._region_n_sensitive = np.bincount(pairs // m, minlength=n_leaves)

    @property
    def regions_(self) -> pd.DataFrame:
        """One row per region: its label on each quasi-identifier, ``size``, ``n_sensitive``.

        Built on access from the fitted arrays (the fitted state holds no
        DataFrame, so it persists with :mod:`skops.io`); see the class's
        Attributes.
        """
        if "regions_" in self.__dict__:  # unpickled from a version that stored the frame
            return self.__dict__["regions_"]
        labels = self._labels  # AttributeError (hasattr False) before fit
        regions = _text.text_frame({name: labels[name] for name in self.quasi_identifiers_})
        regions["size"] = self._region_sizes
        if self._region_n_sensitive is not None:
            regions["n_sensitive"] = self._region_n_sensitive
        return regions

    # -- transform ---------------------------------------------------------
    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Write each row's region generalization on the quasi-identifiers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to anonymize (training rows or new rows), with the columns
            seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Same rows in the same order; quasi-identifiers generalized (see
            ``output``), other columns unchanged.
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        n = frame.shape[0]
        leaf = self.__dict__.pop("_fit_leaf", None)  # set by fit inside fit_transform
        placed = self.__dict__.pop("_fit_placed", None)
        known = leaf is not None and len(leaf) == n
        if not known or placed is None or placed.shape[1] != n:
            Z = None if known else np.empty((len(self.coders_), n))
            placed = np.empty((len(self.coders_), n), dtype=bool)
            for j, (name, coder) in enumerate(zip(self.quasi_identifiers_, self.coders_)):
                values, placed[j] = coder.placeable(frame[name])
                if Z is not None:  # None when the rows are known: not routed
                    Z[j] = values
                del values
        if not known:
            leaf = route(self.tree_, Z) if n else np.empty(0, dtype=np.int64)
            del Z
        out = {}
        # fitted by sklearn_anon.dask.fit_mondrian_dask: a row with a cell the tree
        # cannot place, where its region's label is not "*", is suppressed on every
        # quasi-identifier (its regions were counted without such rows)
        whole_row = self.__dict__.get("_whole_row_suppression", False)
        any_bad = None
        if whole_row:
            any_bad = np.zeros(n, dtype=bool)
            for j, name in enumerate(self.quasi_identifiers_):
                star = self._label_codes[name] == self._categories[name].index(SUPPRESSED)
                any_bad |= ~placed[j] & ~star[leaf]
        for col in frame.columns:
            if col not in self._labels:
                out[col] = frame[col]
                continue
            j = self.quasi_identifiers_.index(col)
            coder = self.coders_[j]
            bad = ~placed[j]  # missing, unseen, unparseable, not of the fitted kind
            if whole_row:
                bad = bad | any_bad
            if self.output != "interval" and coder.kind != "categorical":
                vals = (self._mids if self.output == "midpoint" else self._means)[col][leaf]
                vals = np.where(bad, np.nan, vals)
                if coder.kind == "datetime":
                    out[col] = _datetime_output(vals, coder, frame.index)
                else:
                    out[col] = pd.Series(vals, index=frame.index, dtype=np.float64)
                continue
            cats = self._categories[col]
            lab_codes = self._label_codes[col][leaf] if n else np.empty(0, dtype=np.int64)
            lab_codes = np.where(bad, cats.index(SUPPRESSED), lab_codes)
            out[col] = pd.Series(_text.categorical_from_codes(lab_codes, cats),
                                 index=frame.index)
        result = pd.DataFrame(out, index=frame.index)
        if not is_pandas:
            result.columns = self.get_feature_names_out()
        return self._output(result, is_pandas)

    # -- the documented engine extension points (sklearn_anon.dask, any other engine) --
    def region_index(self, X: pd.DataFrame) -> np.ndarray:
        """Region (leaf of ``tree_``) of every row of ``X``, as ``transform`` routes it.

        Engine extension point: an engine that holds the data in parts
        (:func:`sklearn_anon.dask.fit_mondrian_dask`) counts the rows of
        every region part by part with it.  No input check beyond reading
        the quasi-identifier columns by name: a value the tree cannot place
        is routed as ``transform`` routes it (missing numbers and dates to
        the right at every cut).  The regions are the cut tree's: a row
        equal to a group of identical rows that ``cuts="hybrid"`` released
        as it is (``tree_["exact_leaf"]``) gets the region of the tree it
        falls into, as after :meth:`collapse_regions`, which drops such
        groups.

        Parameters
        ----------
        X : DataFrame
            Rows with the columns ``quasi_identifiers_``.

        Returns
        -------
        region : ndarray of int64 of shape (n_samples,)
            Region number of each row, in ``range(n_partitions_)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_anon import MondrianAnonymizer
        >>> X = pd.DataFrame({"age": [21, 22, 23, 61, 62, 63]})
        >>> MondrianAnonymizer(k=3).fit(X).region_index(X).tolist()
        [0, 0, 0, 1, 1, 1]
        """
        check_is_fitted(self)
        if not len(X):
            return np.empty(0, dtype=np.int64)
        Z = np.empty((len(self.coders_), len(X)))
        for j, (name, coder) in enumerate(zip(self.quasi_identifiers_, self.coders_)):
            Z[j] = coder.route_values(X[name])
        return route(self.tree_, Z, exact=False)

    def regions_hold(
        self,
        counts: np.ndarray,
        *,
        whole: np.ndarray | None = None,
        ordered: bool = False,
    ) -> np.ndarray:
        """Which regions (or tree nodes) satisfy ``k`` and, if set, ``l`` / ``t``, from counts.

        Engine extension point: the privacy test of ``fit``, applied to
        counts an engine computed on the full data (per node of ``tree_``
        in :func:`sklearn_anon.dask.fit_mondrian_dask`).

        Parameters
        ----------
        counts : ndarray of shape (n_regions,) or (n_regions, m)
            Rows per region; with ``l`` or ``t`` set, rows per region and
            sensitive value (columns: the codes of a fixed domain of the
            sensitive column, in the same order for every region).
        whole : ndarray of shape (m,) or None, default=None
            Rows per sensitive value in the whole data (the reference
            distribution of t-closeness); None: the sum of ``counts`` (right
            when the regions are disjoint and cover the data).
        ordered : bool, default=False
            Whether the sensitive codes are ordered (numeric values, sorted):
            t-closeness then uses the ordered distance, as ``fit`` does.
            Used with ``t_distance="auto"`` only (``"equal"`` /
            ``"ordered"`` decide by themselves); with
            ``sensitive_hierarchy`` the columns must be its leaves, in its
            order.

        Returns
        -------
        holds : ndarray of bool of shape (n_regions,)
            True where the region has at least ``k`` rows and is l-diverse /
            t-close.  An empty region never holds.

        Raises
        ------
        ValueError
            With ``l`` set, when the whole data is not l-diverse.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_anon import MondrianAnonymizer
        >>> MondrianAnonymizer(k=3).regions_hold(np.array([5, 2, 0])).tolist()
        [True, False, False]
        """
        counts = np.asarray(counts)
        n = counts.shape[0]
        hist = counts.reshape(n, -1)
        holds = hist.sum(axis=1) >= self.k
        if self.l is None and self.t is None:
            return holds
        whole = hist.sum(axis=0) if whole is None else np.asarray(whole)
        m = hist.shape[1]
        check_sensitive_params(self)
        # getattr: an anonymizer pickled before these parameters existed
        distance = getattr(self, "t_distance", "auto")
        s_hierarchy = getattr(self, "sensitive_hierarchy", None)
        if distance in ("equal", "ordered"):
            ordered = distance == "ordered"
        tree = None
        if s_hierarchy is not None and distance in ("auto", "hierarchical"):
            tree = HierarchyDistance(load_hierarchy(s_hierarchy))
            if m != tree.m:
                raise ValueError("With `sensitive_hierarchy`, the count columns are the "
                                 f"hierarchy's {tree.m} leaves, got {m} columns.")
        rule = SensitiveRule(np.arange(m, dtype=np.int64), m, l=self.l,
                             l_kind=self.l_diversity, c=getattr(self, "c", None), t=self.t,
                             ordered=ordered,
                             tree=tree)
        rule.p = whole / max(whole.sum(), 1)
        if self.l is not None and not rule.ok(whole[None, :])[0]:
            raise ValueError(f"The data is not {self.l}-diverse ({self.l_diversity}) on the "
                             "sensitive column as a whole: lower `l`.")
        return holds & np.asarray(rule.ok(hist), dtype=bool)

    def collapse_regions(self, region_of_node: np.ndarray, X: pd.DataFrame) -> MondrianAnonymizer:
        """A fitted copy whose cut tree stops at the given nodes, labelled from ``X``.

        Engine extension point (Mondrian's leaf collapse): an engine that
        grew the tree on a sample and found regions that do not hold on the
        full data merges them into their ancestors by making those ancestors
        leaves; this method returns the anonymizer with that tree, and
        every region's labels, midpoints and means computed from the rows
        of ``X`` as ``fit`` computes them from the training rows.  ``self``
        is not modified.  Groups of identical rows that ``cuts="hybrid"``
        released as they are (``tree_["exact_leaf"]``) are dropped: their
        rows follow the cut tree (as :meth:`region_index` counts them).

        Parameters
        ----------
        region_of_node : ndarray of int64 of shape (n_nodes,)
            Per node of ``tree_``: its new region number (0 to the number of
            new regions - 1, in any order) when it becomes a leaf, -1
            otherwise (internal nodes kept, and nodes below a new leaf).
        X : DataFrame
            Rows the labels are computed from (typically the training rows:
            every quasi-identifier value must be in the fitted domain).
            Every new region must hold at least one of them.

        Returns
        -------
        collapsed : MondrianAnonymizer
            Fitted: ``tree_``, ``regions_``, ``partition_sizes_`` (rows of
            ``X`` per region), ``n_partitions_`` and ``k_achieved_`` follow
            the new regions.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from sklearn_anon import MondrianAnonymizer
        >>> X = pd.DataFrame({"age": [21, 22, 23, 61, 62, 63]})
        >>> anon = MondrianAnonymizer(k=3).fit(X)
        >>> root_only = np.full(len(anon.tree_["feature"]), -1)
        >>> root_only[0] = 0
        >>> anon.collapse_regions(root_only, X).transform(X)["age"].tolist()
        ['[21, 63]', '[21, 63]', '[21, 63]', '[21, 63]', '[21, 63]', '[21, 63]']
        """
        check_is_fitted(self)
        region_of_node = np.asarray(region_of_node, dtype=np.int64)
        out = copy.deepcopy(self)
        # the groups released as they are (cuts="hybrid") go: their rows follow the tree
        tree = {key: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v)
                for key, v in self.tree_.items() if not key.startswith("exact_")}
        tree["feature"] = np.where(region_of_node >= 0, -1, tree["feature"])
        tree["leaf"] = region_of_node
        if "suppressed" in tree:  # a leaf that stays a leaf stays suppressed; merged ones are not
            was_leaf = self.tree_["leaf"] >= 0
            tree["suppressed"] = (region_of_node >= 0) & was_leaf & self.tree_["suppressed"]
        out.tree_ = tree
        frame = X[list(self.feature_names_in_)] if hasattr(self, "feature_names_in_") else X
        leaf = out.region_index(frame)
        n_regions = int((region_of_node >= 0).sum())
        sizes = np.bincount(leaf, minlength=n_regions)
        if n_regions == 0 or not sizes.all():
            raise ValueError("Every new region must hold at least one row of X.")
        perm = np.argsort(leaf, kind="stable")
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        codes = np.stack([coder.fit_codes(frame[name])
                          for name, coder in zip(self.quasi_identifiers_, self.coders_)])
        out._leaf_outputs(codes, perm, starts, sizes, frame, self.sensitive_)
        out.partition_sizes_ = sizes
        out.n_partitions_ = n_regions
        out._count_suppressed()
        return out


def _interval_labels(coder, lo, hi, digits=None):
    """``"[lo, hi]"`` (or the single value) per region; ``"*"`` where ``hi < 0``.

    With ``digits``, the lower end is rounded down and the upper end up to
    that many significant digits.  Also returns the (rounded) ends as floats
    (NaN where ``hi < 0``).  Each distinct bound is formatted once; the
    strings are joined with vectorized pandas string operations.
    """
    used, inv = np.unique(np.concatenate([lo, np.maximum(hi, 0)]), return_inverse=True)
    inv = inv.ravel()
    lo_texts = np.full(len(used), SUPPRESSED, dtype=object)
    hi_texts = np.full(len(used), SUPPRESSED, dtype=object)
    lo_num = np.full(len(used), np.nan)
    hi_num = np.full(len(used), np.nan)
    if len(coder.values):
        inside = used < len(coder.values)
        values = coder.values[used[inside]]
        if coder.kind == "numeric" and digits is not None:
            lo_texts[inside] = [round_sig(v, digits, "down") for v in values]
            hi_texts[inside] = [round_sig(v, digits, "up") for v in values]
            lo_num[inside] = [float(t) for t in lo_texts[inside]]
            hi_num[inside] = [float(t) for t in hi_texts[inside]]
        else:
            if coder.kind == "numeric":
                lo_texts[inside] = fmt_numbers(values)
            else:
                lo_texts[inside] = [coder.format_value(v) for v in values]
            hi_texts[inside] = lo_texts[inside]
            lo_num[inside] = hi_num[inside] = values
    lab = region_labels(lo_texts[inv[:len(lo)]], hi_texts[inv[len(lo):]])
    empty = hi < 0
    lo_v = np.where(empty, np.nan, lo_num[inv[:len(lo)]])
    hi_v = np.where(empty, np.nan, hi_num[inv[len(lo):]])
    return np.where(empty, SUPPRESSED, lab).astype(object), lo_v, hi_v


def _datetime_output(vals, coder, index):
    """Float datetimes (the coder's unit, NaN missing) as a column of the input's dtype."""
    unit = coder.unit
    ok = ~np.isnan(vals)
    arr = np.where(ok, np.round(vals), 0).astype(np.int64).astype(f"datetime64[{unit}]")
    arr[~ok] = np.datetime64("NaT", unit)
    ser = pd.Series(arr, index=index)
    dtype = coder.datetime_dtype
    if not pd.api.types.is_datetime64_any_dtype(dtype):
        return ser  # dates given as objects: datetime64 in their resolution
    tz = getattr(dtype, "tz", None)
    if tz is None and isinstance(dtype, pd.ArrowDtype):
        tz = getattr(dtype.pyarrow_dtype, "tz", None)
    if tz is not None:
        ser = ser.dt.tz_localize("UTC").dt.tz_convert(tz)
    with values_hidden(coder.name, "could not write the dates in the input's dtype"):
        return ser.astype(dtype)


#: categorical columns of up to 63 * _LABEL_WORDS codes are labelled from bit sets
_LABEL_WORDS = 4


#: hierarchies read from files, by (path, SHA-256 of the file's bytes, name): a refit on
#: the same unchanged files does not parse them again (at most _HIERARCHY_FILES kept).
#: The key is the content, not the size and modification time: a file rewritten within
#: the file system's time resolution (or with its time restored) is parsed anew.
_HIERARCHY_CACHE: dict = {}
_HIERARCHY_FILES = 64


def _load_hierarchy(h, name):
    """:func:`load_hierarchy`, remembered for paths of files whose bytes did not change."""
    if not isinstance(h, (str, os.PathLike)):
        return load_hierarchy(h, name=name)
    try:
        data = Path(h).read_bytes()  # read once: the key, and on a miss the parse
    except (OSError, TypeError, ValueError):
        return load_hierarchy(h, name=name)  # its own error (not found, ...)
    key = (os.path.realpath(h), hashlib.sha256(data).digest(), name)
    got = _HIERARCHY_CACHE.get(key)
    if got is None:
        got = load_hierarchy(io.BytesIO(data), name=name)
        if len(_HIERARCHY_CACHE) >= _HIERARCHY_FILES:
            _HIERARCHY_CACHE.pop(next(iter(_HIERARCHY_CACHE)))
        _HIERARCHY_CACHE[key] = got
    return got


def _category_labels(coder, cj, leaf_of_pos, leaf_start, n_leaves):
    """Label of each region for a categorical column (the set of its categories).

    Up to ``63 * _LABEL_WORDS`` codes: one bit per category (in words of 63
    bits), OR-reduced per region, each distinct set labelled once (no loop
    over the regions); beyond, the distinct (region, code) pairs
    (``leaf_of_pos``: the region of each position), labelled per region.
    """
    m = coder.n_values + 1
    n_words = -(-m // 63)
    if n_words > _LABEL_WORDS:
        return _category_labels_pairs(coder, cj, leaf_of_pos, n_leaves)
    c64 = cj.astype(np.int64)  # int64 shifts whatever the codes' dtype (numpy 1.x)
    if n_words == 1:
        bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), c64), leaf_start)[:, None]
    else:
        word, bit = np.divmod(c64, 63)
        one = np.left_shift(np.int64(1), bit)
        bits = np.empty((n_leaves, n_words), dtype=np.int64)
        for w in range(n_words):
            bits[:, w] = np.bitwise_or.reduceat(np.where(word == w, one, 0), leaf_start)
        del word, bit, one
    del c64
    # the distinct sets: the words' ranks combined one word at a time (1-d uniques;
    # one word is its own key)
    key = bits[:, 0] if n_words == 1 else np.zeros(n_leaves, dtype=np.int64)
    for w in range(n_words if n_words > 1 else 0):
        _, rank = np.unique(bits[:, w], return_inverse=True)
        key = key * (int(rank.max()) + 1 if n_leaves else 1) + rank.ravel()
        if w < n_words - 1:
            key = np.unique(key, return_inverse=True)[1].ravel()
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    codes_list, bounds = _mask_codes(bits[first], m)
    texts = []
    children = {}
    for i in range(len(first)):
        present = codes_list[bounds[i]:bounds[i + 1]]
        texts.append(coder.set_label(present, children) if present else SUPPRESSED)
    return np.asarray(texts, dtype=object)[inv.ravel()]


def _mask_codes(masks, m, chunk=8192):
    """The codes set in each row of ``masks`` (words of 63 bits), the missing
    code ``m - 1`` left out: ``(codes, bounds)``, row ``i``'s codes ascending in
    ``codes[bounds[i]:bounds[i + 1]]`` (plain lists; decoded in blocks of
    ``chunk`` rows, no Python loop over the bits)."""
    shifts = np.arange(63, dtype=np.int64)
    codes, counts = [], []
    for s in range(0, len(masks), chunk):
        block = masks[s:s + chunk]
        on = ((block[:, :, None] >> shifts) & 1).astype(bool).reshape(len(block), -1)
        on = on[:, :m - 1]  # the missing code (the largest) and the unused bits out
        row, col = np.nonzero(on)  # row-major: each row's codes ascending
        codes.append(col)
        counts.append(np.bincount(row, minlength=len(block)))
    if not codes:
        return [], [0]
    bounds = np.concatenate(([0], np.cumsum(np.concatenate(counts))))
    return np.concatenate(codes).tolist(), bounds.tolist()


def _category_labels_pairs(coder, cj, leaf_of_pos, n_leaves):
    """:func:`_category_labels` for large domains: a loop over the regions."""
    m = coder.n_values + 1
    pairs = np.unique(leaf_of_pos * m + cj)
    leaf, code = pairs // m, pairs % m
    present_code = code != coder.missing_code
    leaf, code = leaf[present_code], code[present_code]
    bounds = np.searchsorted(leaf, np.arange(n_leaves + 1)).tolist()
    cache, children = {}, {}
    lab = np.empty(n_leaves, dtype=object)
    codes_list = code.tolist()
    for i in range(n_leaves):
        present = tuple(codes_list[bounds[i]:bounds[i + 1]])
        text = cache.get(present)
        if text is None:
            text = coder.set_label(list(present), children) if present else SUPPRESSED
            cache[present] = text
        lab[i] = text
    return lab
