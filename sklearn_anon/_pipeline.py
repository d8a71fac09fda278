"""Walking a fitted composite estimator (Pipeline, ColumnTransformer, FeatureUnion, search).

One walker for the package: the DP budget (:func:`sklearn_anon.dp.privacy_budget`)
and the CLI's hand-over manifest (key fingerprints) read the same leaves.
Nothing here imports the rest of the package.
"""

__all__ = ["leaves"]


def leaves(est, path=()):
    """``(path, leaf estimator)`` for every leaf of a fitted composite.

    ``path`` is the list of step names from the top; a search object
    (``best_estimator_``) is walked through its refit estimator; ``"drop"``,
    ``"passthrough"`` and None steps are skipped.

    Examples
    --------
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> [(p, type(e).__name__) for p, e in leaves(Pipeline([("scale", StandardScaler())]))]
    [(['scale'], 'StandardScaler')]
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    path = list(path)
    if hasattr(est, "best_estimator_"):  # a search nested in a pipeline: its refit only
        yield from leaves(est.best_estimator_, path)
    elif isinstance(est, Pipeline):
        for name, step in est.steps:
            if step is not None and not isinstance(step, str):
                yield from leaves(step, [*path, name])
    elif isinstance(est, ColumnTransformer):
        for name, trans, _ in est.transformers_:
            if not isinstance(trans, str):
                yield from leaves(trans, [*path, name])
    elif isinstance(est, FeatureUnion):
        for name, trans in est.transformer_list:
            if not isinstance(trans, str):
                yield from leaves(trans, [*path, name])
    else:
        yield path, est
