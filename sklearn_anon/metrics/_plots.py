"""The privacy/utility frontier of a grid search, as a plot (matplotlib optional)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._scorers import _PrivacyScorer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from typing import Literal
    from .._typing import ArrayLike

__all__ = ["plot_privacy_utility", "privacy_utility_frontier"]

# the last part of a searched parameter's name that makes it a privacy parameter
PRIVACY_PARAMETERS = ("k", "epsilon", "l", "t")


def _require_matplotlib():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plot_privacy_utility needs matplotlib, which is not installed: "
            "pip install 'sklearn-anon[plot]' (or pip install matplotlib)."
        ) from exc
    return plt


def _results(search):
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise ValueError(
            "The search is not fitted (no cv_results_): call fit first, or pass a fitted "
            "GridSearchCV / RandomizedSearchCV."
        )
    return results


def _privacy_param(results, param):
    searched = [key[len("param_"):] for key in results if key.startswith("param_")]
    if param is not None:
        if param not in searched:
            # allow the short name ("k") for a nested one ("anon__k")
            matches = [p for p in searched if p.rsplit("__", 1)[-1] == param]
            if len(matches) != 1:
                raise ValueError(
                    f"param={param!r} is not a searched parameter; searched: {searched}."
                )
            param = matches[0]
        return param
    found = [p for p in searched if p.rsplit("__", 1)[-1] in PRIVACY_PARAMETERS]
    if len(found) != 1:
        what = "no" if not found else f"{len(found)} ({', '.join(found)})"
        raise ValueError(
            f"The search has {what} privacy parameter among {searched} (a parameter named "
            f"{' / '.join(PRIVACY_PARAMETERS)}, possibly nested as 'step__k'); name the one "
            "to plot with param=..."
        )
    return found[0]


def _score_name(search, results, score):
    if score is not None:
        if f"mean_test_{score}" not in results:
            raise ValueError(f"score={score!r}: cv_results_ has no 'mean_test_{score}'.")
        return score
    if "mean_test_score" in results:  # one metric
        return "score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return refit
    raise ValueError(
        "The search has several scores and no refit score name: name the utility score "
        "with score=..."
    )


def _privacy_scores(search, results, score, privacy_score):
    """``[(name, greater_is_better, measure label)]`` of the privacy scores to draw."""
    if privacy_score is False:
        return []
    scorers = getattr(search, "scorer_", None)
    scorers = scorers if isinstance(scorers, dict) else {}
    if privacy_score is not None:
        if f"mean_test_{privacy_score}" not in results:
            raise ValueError(
                f"privacy_score={privacy_score!r}: cv_results_ has no 'mean_test_{privacy_score}'."
            )
        names = [privacy_score]
    else:
        names = [name for name, scorer in scorers.items()
                 if isinstance(scorer, _PrivacyScorer) and name != score]
        names = names[:1]
    out = []
    for name in names:
        scorer = scorers.get(name)
        if isinstance(scorer, _PrivacyScorer):
            measure = scorer.measure if isinstance(scorer.measure, str) else name
            out.append((name, scorer.greater_is_better, measure))
        else:
            out.append((name, True, name))
    return out


def privacy_utility_frontier(
    search: GridSearchCV | RandomizedSearchCV,
    *,
    param: str | None = None,
    score: str | None = None,
    privacy_score: Literal[False] | str | None = None,
) -> pd.DataFrame:
    """The privacy/utility frontier of a fitted search, as a table.

    For each value of the searched privacy parameter (``k``, ``epsilon``,
    ...), the row of ``cv_results_`` with the best mean utility score over
    the other searched parameters (e.g. the best ``C`` for that ``k``).

    Parameters
    ----------
    search : fitted GridSearchCV or RandomizedSearchCV
        Read through ``cv_results_`` (and ``scorer_`` / ``refit`` to find
        the scores).
    param : str or None, default=None
        The privacy parameter: a key of the parameter grid (``"anon__k"``)
        or its last part (``"k"``).  None finds the one searched parameter
        whose last part is ``k``, ``epsilon``, ``l`` or ``t``, and raises
        ``ValueError`` when there is none or more than one.
    score : str or None, default=None
        The utility score: a name of ``scoring``.  None takes the search's
        only score, else its ``refit`` score.
    privacy_score : str, False or None, default=None
        A score of the search to report beside utility.  None takes the
        first scorer made by :func:`make_privacy_scorer` (if any); False
        none.  A privacy scorer's negated measure (``neg_...``) is turned
        back into the measure (e.g. uniqueness, not minus uniqueness).

    Returns
    -------
    frontier : DataFrame
        One row per value of ``param`` (increasing): ``param`` (the
        value), ``score`` and ``score_std`` (mean and standard deviation
        of the utility score over the folds), ``params`` (the best row's
        parameters) and, with a privacy score, ``privacy`` and
        ``privacy_std``.  ``frontier.attrs`` names the columns' sources:
        ``param``, ``score``, ``privacy_score``, ``privacy_measure``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn_anon import MondrianAnonymizer
    >>> from sklearn_anon.metrics import make_privacy_scorer, privacy_utility_frontier
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 90, 300), "hours": rng.integers(1, 60, 300)})
    >>> y = (X["age"] > 45).astype(int)
    >>> pipe = Pipeline([("anon", MondrianAnonymizer(output="midpoint")),
    ...                  ("clf", LogisticRegression())])
    >>> search = GridSearchCV(pipe, {"anon__k": [2, 10, 50], "clf__C": [0.1, 1.0]},
    ...                       scoring={"accuracy": "accuracy",
    ...                                "k": make_privacy_scorer("k", step="anon")},
    ...                       refit="accuracy", cv=3).fit(X, y)
    >>> frontier = privacy_utility_frontier(search)
    >>> frontier["param"].tolist()
    [2, 10, 50]
    >>> bool((frontier["privacy"] >= frontier["param"]).all())  # achieved k >= asked k
    True
    """
    results = _results(search)
    param = _privacy_param(results, param)
    score = _score_name(search, results, score)
    privacy = _privacy_scores(search, results, score, privacy_score)
    raw = results[f"param_{param}"]
    mask = np.ma.getmaskarray(raw)
    values = np.ma.getdata(raw)
    mean = np.asarray(results[f"mean_test_{score}"], dtype=np.float64)
    std = np.asarray(results[f"std_test_{score}"], dtype=np.float64)
    try:
        x = pd.to_numeric(pd.Series(values[~mask], dtype=object), errors="raise").to_numpy(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The values of {param!r} are not all numbers: cannot plot them.") from exc
    rows = np.flatnonzero(~mask)
    frame = pd.DataFrame({"x": x, "row": rows, "score": mean[rows]})
    frame = frame[np.isfinite(frame["x"])]
    if frame.empty:
        raise ValueError(f"No searched candidate has a value for {param!r}.")
    # best utility per privacy value (NaN scores, i.e. failed fits, last; ties: first row)
    frame = frame.sort_values(["x", "score", "row"], ascending=[True, False, True],
                              na_position="last", kind="stable")
    best = frame.drop_duplicates("x", keep="first")["row"].to_numpy()
    out = pd.DataFrame({
        "param": [values[i] for i in best],
        "score": mean[best],
        "score_std": std[best],
        "params": [results["params"][i] for i in best],
    })
    out.attrs.update(param=param, score=score, privacy_score=None, privacy_measure=None)
    for name, greater, measure in privacy:
        sign = 1.0 if greater else -1.0
        out["privacy"] = sign * np.asarray(results[f"mean_test_{name}"], dtype=np.float64)[best]
        out["privacy_std"] = np.asarray(results[f"std_test_{name}"], dtype=np.float64)[best]
        out.attrs.update(privacy_score=name, privacy_measure=measure)
    return out


def _twins(ax):
    """The axes sharing ``ax``'s x axis (``ax.twinx()``), ``ax`` first."""
    return [ax] + [other for other in ax.figure.axes
                   if other is not ax and ax.get_shared_x_axes().joined(ax, other)]


def _legend(ax):
    """One legend on ``ax`` for the lines of ``ax`` and its twin axes."""
    handles, labels = [], []
    for each in _twins(ax):
        h, lab = each.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    ax.legend(handles, labels, fontsize="small", loc="best")


def _majority_share(y):
    labels = pd.Series(np.asarray(y).ravel())
    if labels.empty:
        raise ValueError("y is empty: no majority class.")
    return float(labels.value_counts(normalize=True, dropna=False).iloc[0])


def plot_privacy_utility(
    search: GridSearchCV | RandomizedSearchCV,
    *,
    y: ArrayLike | None = None,
    param: str | None = None,
    score: str | None = None,
    privacy_score: str | None = None,
    baseline: float | None = None,
    logx: Literal["auto"] | bool = "auto",
    ax: Axes | None = None,
) -> Axes:
    """Plot the privacy/utility frontier of a fitted grid search.

    Utility (the refit score, e.g. accuracy) against the searched privacy
    parameter (``k`` or ``epsilon``), one point per value of the parameter
    (the best candidate over the other searched parameters, see
    :func:`privacy_utility_frontier`), with a band of one standard
    deviation over the folds; the privacy score measured by a
    :func:`make_privacy_scorer` scorer of the search (if any) on a second
    y axis; and the majority-class baseline, the accuracy of always
    predicting the most frequent label, as a horizontal line.

    Parameters
    ----------
    search : fitted GridSearchCV or RandomizedSearchCV
        Read through ``cv_results_``.
    y : array-like or None, default=None
        The labels the search was fitted on.  The baseline is the share of
        the most frequent label in ``y`` (a search keeps no labels, so
        without ``y`` or ``baseline`` no baseline is drawn).  With
        stratified folds it is the mean test accuracy of always predicting
        that label.  It is an accuracy: compare it with an accuracy score.
    param, score, privacy_score : str or None, default=None
        The privacy parameter, the utility score and the privacy score to
        plot; see :func:`privacy_utility_frontier` (None finds them;
        ``privacy_score=False`` draws none).
    baseline : float or None, default=None
        A baseline score to draw instead of the one computed from ``y``
        (e.g. a :class:`~sklearn.dummy.DummyClassifier` scored the same way).
    logx : bool or "auto", default="auto"
        Log scale on x; "auto" when the values are positive and span a
        factor of 10 or more.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure (``matplotlib.pyplot``).

    Returns
    -------
    ax : matplotlib Axes
        The utility axes.  Its lines have gids: ``"utility"`` (x: the
        parameter's values, y: the mean scores), ``"baseline"`` and, on the
        twin axes (``ax.figure.axes``), ``"privacy"``.

    Raises
    ------
    ImportError
        When matplotlib is not installed (``pip install 'sklearn-anon[plot]'``).

    See Also
    --------
    privacy_utility_frontier : The same numbers, as a table.
    make_privacy_scorer : A privacy measure as a score of the search.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn_anon import LaplaceNoise
    >>> from sklearn_anon.metrics import plot_privacy_utility
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 90, 300).astype(float)})
    >>> y = (X["age"] > 45).astype(int)
    >>> pipe = Pipeline([("noise", LaplaceNoise(bounds=(18, 90), random_state=0)),
    ...                  ("clf", LogisticRegression())])
    >>> search = GridSearchCV(pipe, {"noise__epsilon": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    >>> ax = plot_privacy_utility(search, y=y)
    >>> [line.get_gid() for line in ax.get_lines()]
    ['utility', 'baseline']
    >>> ax.get_xscale(), ax.get_xlabel()
    ('log', 'epsilon (noise__epsilon)')
    """
    plt = _require_matplotlib()
    frontier = privacy_utility_frontier(search, param=param, score=score,
                                        privacy_score=privacy_score)
    param, score = frontier.attrs["param"], frontier.attrs["score"]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2))
    x = frontier["param"].to_numpy(dtype=np.float64)
    mean, std = frontier["score"].to_numpy(), frontier["score_std"].to_numpy()
    score_label = "score" if score == "score" else score
    others = len(frontier["params"].iloc[0]) > 1
    line, = ax.plot(x, mean, marker="o", color="#2471a3",
                    label=score_label + (" (best over the other parameters)" if others else ""))
    line.set_gid("utility")
    ax.fill_between(x, mean - std, mean + std, color="#2471a3", alpha=0.15, linewidth=0)
    source = None
    if baseline is not None:
        value, source = float(baseline), "given"
    elif y is not None:
        value, source = _majority_share(y), "majority class in y"
    if source is not None:
        base = ax.axhline(value, color="grey", linestyle="--",
                          label=f"majority-class baseline ({value:.3f}, {source})")
        base.set_gid("baseline")
    if logx == "auto":
        logx = bool((x > 0).all() and x.max() >= 10 * x.min())
    if logx:
        ax.set_xscale("log")
        from matplotlib.ticker import NullLocator

        ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(x, [f"{v:g}" for v in x])  # the searched values, written plainly
    short = param.rsplit("__", 1)[-1]
    ax.set_xlabel(short if short == param else f"{short} ({param})")
    ax.set_ylabel(f"{score_label} (mean over the folds)")
    if frontier.attrs["privacy_score"] is not None:
        twin = ax.twinx()
        measure = frontier.attrs["privacy_measure"]
        priv, = twin.plot(x, frontier["privacy"].to_numpy(), marker="s", linestyle=":",
                          color="#c0392b", label=f"{measure} (privacy, mean over the folds)")
        priv.set_gid("privacy")
        twin.set_ylabel(f"{measure} (privacy)")
    _legend(ax)
    ax.set_title("Privacy / utility trade-off")
    return ax
