"""Declarative anonymization policies: a reviewed TOML file becomes a ColumnTransformer.

A policy says, per column, what happens to it.  It is read with the
standard library's :mod:`tomllib` (``tomli`` on Python 3.10) and validated
completely before any data is read: an unknown action or parameter, a
parameter of the wrong type or out of range, a key given as a literal or a
missing key variable is a :class:`PolicyError` naming the column and the
key.  Once the data's header is known, :meth:`Policy.check_columns` refuses a
policy naming a column that is not there, and :meth:`Policy.build` returns
the (unfitted) :class:`~sklearn.compose.ColumnTransformer`.

Example::

    [policy]
    unlisted = "drop"          # columns the policy does not name: "drop", "keep" or "error"

    [report]                   # optional: what the before/after report measures
    quasi_identifiers = ["birthdate", "zipcode", "sex"]
    k = 5

    [columns]
    name = "drop"
    ssn = "drop"
    email = { action = "pseudonymize", key = "env:SKLEARN_ANON_KEY", length = 16 }
    zipcode = { action = "generalize", method = "prefix", n = 3, width = 5, min_count = 20 }
    birthdate = { action = "generalize", method = "age", reference_date = "2024-01-01",
                  bins = [18, 30, 45, 65, 120] }
    income = { action = "generalize", method = "interval", bins = [0, 25000, 50000, 100000, 1e12],
               labels = ["low", "middle", "upper middle", "high"], right = false }
    sex = "keep"
    purchases = { action = "laplace", epsilon = 1.0, bounds = [0, 60] }

    # k-anonymity over several columns: same "group", parameters in [mondrian.<group>]
    # age = { action = "mondrian", group = "qi" }
    # [mondrian.qi]
    # k = 10

Actions, and their keys: the keys of an action are the parameters of its
estimator (``_get_param_names``), checked with the estimator's
``_parameter_constraints``, except the parameters the policy sets itself
(``columns``; a Mondrian group's ``quasi_identifiers`` and ``hierarchies``;
``accountant``; ``verbose``).

============================ =====================================================
``drop``                     (none): the column is not written
``keep``                     (none): the column is written unchanged
``pseudonymize``             :class:`Pseudonymizer` (``key = "env:NAME"``)
``fake``                     :class:`FakeReplacer` (``key = "env:NAME"``)
``generalize``               ``method`` and the method's keys, below
``mondrian``                 ``group`` (default ``"default"``) and the group's
                             :class:`MondrianAnonymizer` keys (``k``, ``l``,
                             ``t``, ``sensitive``, ...: in ``[mondrian.GROUP]``
                             or on the column); a ``hierarchy`` file per column
``laplace``                  :class:`LaplaceNoise` (``epsilon``, ``bounds``, ...)
``gaussian``                 :class:`GaussianNoise`
``randomized_response``      :class:`RandomizedResponse`
============================ =====================================================

Generalization methods: ``interval`` (:class:`IntervalGeneralizer`),
``topcode`` (:class:`TopBottomCoder`), ``date`` (:class:`DateGeneralizer`),
``age`` (``date`` with ``unit = "age"``), ``prefix``
(:class:`PrefixGeneralizer`), ``rare`` (:class:`RareCategoryGrouper`),
``hierarchy`` (:class:`HierarchyGeneralizer`: ``hierarchy``, an ARX-style
CSV file relative to the policy file, and its ``level``).  ``prefix`` and
``hierarchy`` also take ``min_count`` / ``min_frequency`` / ``other_label``
to group rare results afterwards (a :class:`RareCategoryGrouper`).

Every column may also say how it is read from a CSV file: ``dtype = "str"``
(keeps leading zeros), ``"int"``, ``"float"``, ``"datetime"`` or
``"category"``.

Secrets are references only: ``key = "env:NAME"`` (or a ``[keys]``
``default`` used by every column that names none).  The fitted pipeline
stores the reference, never the key, so the same variable must be set when
the pipeline is applied again.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ._compat import Interval, InvalidParameterError, validate_parameter_constraints
from .dp import GaussianNoise, LaplaceNoise, RandomizedResponse
from .generalize import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
)
from .identifiers import FakeReplacer, Pseudonymizer
from .kanonymity import MondrianAnonymizer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from typing import Any, Mapping, Sequence
    from ._typing import PathLike

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None

__all__ = ["Policy", "PolicyError", "load_policy", "parse_policy", "suggest_policy"]

ACTIONS = (
    "drop", "keep", "pseudonymize", "fake", "generalize", "mondrian",
    "laplace", "gaussian", "randomized_response",
)
DTYPES = ("str", "int", "float", "datetime", "category")
UNLISTED = ("drop", "keep", "error")
_COMMON_KEYS = ("action", "dtype")

#: the estimator of each action (``drop``/``keep`` have none) ...
_ESTIMATORS = {
    "pseudonymize": Pseudonymizer,
    "fake": FakeReplacer,
    "mondrian": MondrianAnonymizer,
    "laplace": LaplaceNoise,
    "gaussian": GaussianNoise,
    "randomized_response": RandomizedResponse,
}
#: ... and of each method of ``generalize``.  A rule's keys are its estimator's parameters
#: (``_get_param_names``), checked with the estimator's ``_parameter_constraints``.
_METHODS = {
    "interval": IntervalGeneralizer,
    "topcode": TopBottomCoder,
    "date": DateGeneralizer,
    "age": DateGeneralizer,
    "prefix": PrefixGeneralizer,
    "rare": RareCategoryGrouper,
    "hierarchy": HierarchyGeneralizer,
}
METHODS = tuple(_METHODS)
#: estimator parameters that are not policy keys, and why
_NOT_KEYS = {
    "columns": "a rule is about its own column, which the ColumnTransformer selects",
    "quasi_identifiers": "a Mondrian group's columns are the columns naming the group",
    "hierarchies": "built from each column's 'hierarchy' file, relative to the policy file",
    "accountant": "a Python object (BudgetAccountant), which TOML cannot hold",
    "verbose": "the command line reports progress itself (on stderr, not stdout)",
}
#: parameters a method sets itself (``age`` is ``date`` in years)
_FIXED = {"age": {"unit": "age"}}
#: policy key -> estimator parameter where the names differ: a rule has one column, so
#: one hierarchy ``level`` (HierarchyGeneralizer's ``levels`` may be per column)
_RENAMED = {"level": "levels"}
#: keys the policy reads itself: a Mondrian column's ``group`` and ``hierarchy`` file,
#: the ``hierarchy`` file of method ``hierarchy`` (both become ``hierarchies``)
_POLICY_KEYS = {"mondrian": ("group", "hierarchy"), "hierarchy": ("hierarchy",)}
#: methods whose results a RareCategoryGrouper may group afterwards (its keys are accepted)
_THEN_RARE = ("prefix", "hierarchy")
_SECRET_KEYS = ("key", "salt")
#: keys whose values are data values, which may be anything TOML holds (booleans too) and
#: are never shown in a message
_DATA_VALUED_KEYS = ("categories",)
#: parameters holding numbers that are checked before any data is read: interval edges
#: (IntervalGeneralizer, DateGeneralizer) and [lower, upper] noise bounds (LaplaceNoise,
#: GaussianNoise); the estimators check them again when fitted
_NUMBER_LISTS = {"bins": "edges", "bounds": "bounds"}


def _keys(action, method=None):
    """``{policy key: (step, estimator class, parameter)}`` of an action (and method).

    ``step`` is ``"rare"`` for the keys of the RareCategoryGrouper that follows a
    ``prefix`` or ``hierarchy`` method, ``None`` for a key the policy reads itself.
    """
    cls = _METHODS[method] if method else _ESTIMATORS.get(action)
    if cls is None:
        return {}
    original = {v: k for k, v in _RENAMED.items()}
    keys = {original.get(p, p): ("main", cls, p) for p in cls._get_param_names()
            if p not in _NOT_KEYS and p not in _FIXED.get(method, {})}
    if method in _THEN_RARE:
        for p in RareCategoryGrouper._get_param_names():
            if p not in _NOT_KEYS:
                keys.setdefault(p, ("rare", RareCategoryGrouper, p))
    for key in _POLICY_KEYS.get(method or action, ()):
        keys[key] = (None, None, None)
    return keys


class PolicyError(ValueError):
    """An invalid policy.  The message names the policy's column and key.

    Examples
    --------
    >>> from sklearn_anon.policy import PolicyError, parse_policy
    >>> try:
    ...     parse_policy('[columns]\\nincome = { action = "generalize", method = "interval", binz = [0, 1] }\\n')
    ... except PolicyError as exc:
    ...     print(str(exc)[:62])
    policy: column 'income': unknown parameter 'binz' for action '...
    """


#: the [handover] table: who receives the release and why, copied into its manifest
_HANDOVER_KEYS = ("recipient", "purpose", "retention", "legal_basis", "contact")

def _did_you_mean(word, options):
    """`` (did you mean 'x'?)`` for the closest of ``options``, or an empty string."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _err(column, message):
    prefix = f"policy: column {column!r}: " if column is not None else "policy: "
    return PolicyError(prefix + message)


@dataclass
class ColumnRule:
    """What the policy says about one column."""

    column: str
    action: str
    params: dict = field(default_factory=dict)
    method: str | None = None
    dtype: str | None = None
    group: str | None = None


def _check_secret(column, key, value, check_env):
    if value is None:
        return
    if not isinstance(value, str) or not value.startswith("env:") or len(value) <= 4:
        raise _err(
            column,
            f"key {key!r} must be a reference \"env:NAME\" to an environment variable, "
            "not a literal (a policy file is reviewed and shared; keys are not)",
        )
    if check_env and not os.environ.get(value[4:]):
        raise _err(column, f"key {key!r}: the environment variable {value[4:]!r} is not set")


def _is_number(value):
    return isinstance(value, Real) and not isinstance(value, bool)


def _contains_bool(value):
    if isinstance(value, bool):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_bool(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_bool(v) for v in value.values())
    return False


def _check_value(column, what, caller, key, value, cls, param):
    """Check one key's value with scikit-learn's validator and the estimator's constraints.

    ``true``/``false`` given for a parameter that is not a yes/no setting is
    refused first: scikit-learn's constraints take a bool for an int (``bool``
    is a subclass of ``int``), so ``k = true`` would silently mean ``k = 1``.
    """
    constraints = cls._parameter_constraints.get(param, [])
    if constraints == "no_validation":
        return
    if (key not in _DATA_VALUED_KEYS and "boolean" not in constraints
            and bool not in constraints and _contains_bool(value)):
        numeric = any(isinstance(c, Interval) or c in (Real, Integral, "random_state")
                      for c in constraints)
        got = "true" if value is True else "false" if value is False else "a list with true/false"
        raise _err(column, f"key {key!r} ({what}) must be "
                   + ("a number" if numeric else "a value of its type")
                   + f", not a boolean; got {got}")
    try:
        # named by the policy key and the policy location, not the estimator's
        validate_parameter_constraints({key: constraints}, {key: value}, caller_name=caller)
    except InvalidParameterError as exc:
        if key in _DATA_VALUED_KEYS:
            raise _err(column, f"key {key!r} ({what}) cannot be a {type(value).__name__} "
                       "(its value is not shown: it may be a data value)") from None
        raise _err(column, str(exc)) from None


def _check_number_lists(column, what, params):
    """Check lists of numbers (interval edges, noise bounds) before any data is read."""
    for key, value in params.items():
        kind = _NUMBER_LISTS.get(key)
        if kind is None or not isinstance(value, list):
            continue
        if not all(_is_number(v) for v in value):
            raise _err(column, f"key {key!r} ({what}) must be a list of numbers (no text, "
                       "no true/false)")
        if any(v != v for v in value):
            raise _err(column, f"key {key!r} ({what}) must not hold nan")
        if kind == "edges":
            if len(value) < 2:
                raise _err(column, f"key {key!r} ({what}) must hold at least 2 edges")
            if any(b <= a for a, b in zip(value, value[1:])):
                raise _err(column, f"key {key!r} ({what}) must be strictly increasing")
            labels = params.get("labels")
            if isinstance(labels, list) and len(labels) != len(value) - 1:
                raise _err(column, f"key 'labels' ({what}) must have one entry per bin: "
                           f"{len(value) - 1} bins, {len(labels)} labels")
        else:  # bounds
            if len(value) != 2 or not value[0] < value[1]:
                raise _err(column, f"key {key!r} ({what}) must be [lower, upper] with "
                           "lower < upper")
            if any(abs(v) == float("inf") for v in value):
                raise _err(column, f"key {key!r} ({what}) must be finite")


class Policy:
    """A parsed, validated anonymization policy.

    Build one with :func:`load_policy` (from a file) or :func:`parse_policy`
    (from TOML text); the constructor takes the parsed TOML document.

    Parameters
    ----------
    document : dict
        The TOML document (what :func:`tomllib.loads` returns).
    base_dir : path-like or None, default=None
        Folder that relative ``hierarchy`` paths are taken from.
    check_env : bool, default=True
        Check that every ``env:NAME`` key reference is set (it must be when
        the policy is fitted or applied).

    Attributes
    ----------
    rules : dict of {column: ColumnRule}
        In policy order.
    unlisted : {"drop", "keep", "error"}
        What happens to columns of the data that the policy does not name.
    mondrian_groups : dict of {group: dict}
        Parameters of each Mondrian group.
    report : dict
        The ``[report]`` table: ``quasi_identifiers``, ``sensitive``, ``k``
        and the requirements of the verdict (``min_k``, ``max_uniqueness``,
        ``max_reidentification``, ``min_l``, ``max_t``, ``max_homogeneity``,
        ``allowed_identifiers``; see :class:`~sklearn_anon.metrics.PrivacyReport`).
    handover : dict
        The ``[handover]`` table (``recipient``, ``purpose``, ``retention``,
        ``legal_basis``, ``contact``: strings), copied into the manifest that
        ``anonymize`` and ``apply`` write beside the release.

    Examples
    --------
    >>> from sklearn_anon.policy import parse_policy
    >>> policy = parse_policy('''
    ... [columns]
    ... name = "drop"
    ... age = { action = "generalize", method = "interval", bins = [0, 30, 60, 120] }
    ... sex = "keep"
    ... ''')
    >>> policy.check_columns(["name", "age", "sex", "notes"])
    ['notes']
    >>> ct = policy.build(["name", "age", "sex", "notes"])
    >>> [name for name, _, _ in ct.transformers]
    ['age', 'sex']
    >>> parse_policy('[columns]\\nage = { action = "generalize", method = "interval", binz = 3 }')
    Traceback (most recent call last):
    ...
    sklearn_anon.policy.PolicyError: policy: column 'age': unknown parameter 'binz' for action 'generalize' (method 'interval'); ...
    """

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        base_dir: PathLike | None = None,
        check_env: bool = True,
    ) -> None:
        self.document = document
        self.base_dir = Path(base_dir) if base_dir is not None else Path(".")
        self.check_env = check_env
        self._parse()

    # -- parsing -----------------------------------------------------------------
    def _parse(self):
        doc = self.document
        if not isinstance(doc, dict):
            raise _err(None, "the document must be a TOML table")
        unknown = set(doc) - {"policy", "report", "columns", "mondrian", "keys", "handover"}
        if unknown:
            hint = _did_you_mean(sorted(unknown)[0],
                                 ["policy", "keys", "columns", "mondrian", "report", "handover"])
            raise _err(None, f"unknown table(s) {sorted(unknown)}{hint}; expected [policy], [keys], "
                       "[columns], [mondrian.GROUP], [report], [handover]")
        self.handover = self._table(doc, "handover")
        for key, value in self.handover.items():
            if key not in _HANDOVER_KEYS:
                raise _err(None, f"[handover]: unknown key {key!r}{_did_you_mean(key, _HANDOVER_KEYS)} "
                           f"(expected one of {list(_HANDOVER_KEYS)})")
            if not isinstance(value, str):
                raise _err(None, f"[handover]: key {key!r} must be a string")
        settings = self._table(doc, "policy")
        for key in set(settings) - {"unlisted", "name", "description", "version"}:
            raise _err(None, f"[policy]: unknown key {key!r}"
                       f"{_did_you_mean(key, ['unlisted', 'name', 'description', 'version'])} (expected 'unlisted', 'name', "
                       "'description', 'version')")
        self.unlisted = settings.get("unlisted", "drop")
        if self.unlisted not in UNLISTED:
            raise _err(None, f"[policy]: key 'unlisted' must be one of {list(UNLISTED)}")
        self.name = settings.get("name")

        keys = self._table(doc, "keys")
        for key in set(keys) - {"default"}:
            raise _err(None, f"[keys]: unknown key {key!r} (expected 'default')")
        self.default_key = keys.get("default")
        if self.default_key is not None:
            try:
                _check_secret(None, "default", self.default_key, self.check_env)
            except PolicyError as exc:
                raise PolicyError(str(exc).replace("policy: ", "policy: [keys]: ", 1)) from None

        columns = self._table(doc, "columns")
        if not columns:
            raise _err(None, "no [columns] table: the policy must name at least one column")
        self.rules = {}
        for column, spec in columns.items():
            self.rules[column] = self._parse_rule(column, spec)

        self.mondrian_groups = {}
        groups = self._table(doc, "mondrian")
        used = {r.group for r in self.rules.values() if r.action == "mondrian"}
        group_keys = {k: v for k, v in _keys("mondrian").items() if v[0] is not None}
        for group, params in groups.items():
            if not isinstance(params, dict):
                raise _err(None, f"[mondrian.{group}] must be a table")
            if group not in used:
                raise _err(None, f"[mondrian.{group}]: no column has action 'mondrian' with "
                           f"group {group!r}")
            for key in params:
                if key not in group_keys:
                    raise _err(None, f"[mondrian.{group}]: unknown key {key!r}{_did_you_mean(key, group_keys)} (expected one of "
                               f"{list(group_keys)})")
        for group in sorted(used):
            members = [r for r in self.rules.values() if r.action == "mondrian" and r.group == group]
            params = dict(groups.get(group, {}))
            for key, value in params.items():  # the columns' own keys are checked already
                _, cls, param = group_keys[key]
                _check_value(members[0].column, "action 'mondrian'",
                             f"action 'mondrian' (group {group!r})", key, value, cls, param)
            for rule in members:
                for key, value in rule.params.items():
                    if key == "hierarchy":
                        continue
                    if key in params and params[key] != value:
                        raise _err(rule.column, f"key {key!r} disagrees with another column of "
                                   f"Mondrian group {group!r}")
                    params[key] = value
            self.mondrian_groups[group] = params
            sens = params.get("sensitive")
            if sens is not None and not isinstance(sens, str):
                raise _err(members[0].column, f"key 'sensitive' (action 'mondrian', group "
                           f"{group!r}) must be a column name")
            if sens in self.rules and self.rules[sens].action != "keep":
                raise _err(sens, f"is the sensitive column of Mondrian group {group!r}, which "
                           "passes it through: its action must be 'keep'")

        report = self._table(doc, "report")
        allowed = {"quasi_identifiers", "sensitive", "k", "min_k", "max_uniqueness",
                   "max_reidentification", "min_l", "max_t", "max_homogeneity", "allowed_identifiers"}
        for key in set(report) - allowed:
            raise _err(None, f"[report]: unknown key {key!r}{_did_you_mean(key, allowed)} "
                       f"(expected one of {sorted(allowed)})")
        qis = report.get("quasi_identifiers")
        if qis is not None and not (isinstance(qis, list) and all(isinstance(q, str) for q in qis)):
            raise _err(None, "[report]: key 'quasi_identifiers' must be a list of column names")
        for q in qis or ():
            if q in self.rules and self.rules[q].action in ("drop", "pseudonymize", "fake"):
                raise _err(q, f"[report] lists it as a quasi-identifier, but its action "
                           f"{self.rules[q].action!r} removes it from the output")
        sens = report.get("sensitive")
        if sens is not None and not isinstance(sens, str):
            raise _err(None, "[report]: key 'sensitive' must be a column name")
        for key in ("k", "min_k", "min_l"):
            v = report.get(key)
            if v is not None and not (isinstance(v, Integral) and not isinstance(v, bool) and v >= 1):
                raise _err(None, f"[report]: key {key!r} must be an integer >= 1")
        for key in ("max_uniqueness", "max_reidentification", "max_t"):
            v = report.get(key)
            if v is not None and not (isinstance(v, Real) and not isinstance(v, bool) and 0 < v <= 1):
                raise _err(None, f"[report]: key {key!r} must be a number in (0, 1]")
        v = report.get("max_homogeneity")
        if v is not None and not (isinstance(v, Real) and not isinstance(v, bool) and 0 <= v <= 1):
            raise _err(None, "[report]: key 'max_homogeneity' must be a number in [0, 1]")
        needs = [key for key in ("min_l", "max_t", "max_homogeneity") if key in report]
        if needs and sens is None:
            raise _err(None, f"[report]: key(s) {', '.join(map(repr, needs))} need key 'sensitive'")
        ids = report.get("allowed_identifiers")
        if ids is not None and not (isinstance(ids, list) and all(isinstance(c, str) for c in ids)):
            raise _err(None, "[report]: key 'allowed_identifiers' must be a list of column names")
        self.report = report

    @staticmethod
    def _table(doc, name):
        value = doc.get(name, {})
        if not isinstance(value, dict):
            raise _err(None, f"[{name}] must be a table")
        return value

    def _parse_rule(self, column, spec):
        if isinstance(spec, str):
            spec = {"action": spec}
        if not isinstance(spec, dict):
            raise _err(column, "must be an action name (\"drop\") or a table with key 'action'")
        if "action" not in spec:
            raise _err(column, f"key 'action' is missing (one of {', '.join(ACTIONS)})")
        action = spec["action"]
        if action not in ACTIONS:
            raise _err(column, f"key 'action': unknown action {action!r}{_did_you_mean(action, ACTIONS)} "
                       f"(expected one of {', '.join(ACTIONS)})")
        dtype = spec.get("dtype")
        if dtype is not None and dtype not in DTYPES:
            raise _err(column, f"key 'dtype' must be one of {list(DTYPES)}")
        method = None
        if action == "generalize":
            method = spec.get("method")
            if method is None:
                raise _err(column, f"key 'method' is missing for action 'generalize' "
                           f"(one of {', '.join(METHODS)})")
            if method not in METHODS:
                raise _err(column, f"key 'method': unknown method {method!r}{_did_you_mean(method, METHODS)} "
                           f"for action 'generalize' (expected one of {', '.join(METHODS)})")
        allowed = _keys(action, method)
        what = f"action {action!r}" + (f", method {method!r}" if method else "")
        caller = f"action {action!r}" + (f" (method {method!r})" if method else "")
        params = {}
        for key, value in spec.items():
            if key in _COMMON_KEYS or (key == "method" and action == "generalize"):
                continue
            if key not in allowed:
                expected = sorted(allowed) + ["dtype"]
                raise _err(column, f"unknown parameter {key!r} for {caller}"
                           f"{_did_you_mean(key, expected).replace(' (', '; ', 1).rstrip(')')}; "
                           f"expected one of {expected}")
            params[key] = value
        if action in ("pseudonymize", "fake"):
            if "key" not in params:
                if self.default_key is None:
                    raise _err(column, f"key 'key' is missing for action {action!r} "
                               "(give key = \"env:NAME\", or a [keys] default)")
                params["key"] = self.default_key
            for key in _SECRET_KEYS:
                if key in params:
                    _check_secret(column, key, params[key], self.check_env)
        group = None
        if action == "mondrian":
            group = params.pop("group", "default")
            if not isinstance(group, str) or not group:
                raise _err(column, "key 'group' must be a non-empty string")
            if "hierarchy" in params:
                if not isinstance(params["hierarchy"], str):
                    raise _err(column, "key 'hierarchy' must be the path of a CSV file")
                path = self.base_dir / params["hierarchy"]
                if not path.is_file():
                    raise _err(column, f"key 'hierarchy': file '{path}' does not exist")
        if method == "hierarchy":
            if not isinstance(params.get("hierarchy"), str):
                raise _err(column, "key 'hierarchy' (the path of an ARX-style CSV file) is "
                           "required for method 'hierarchy'")
            path = self.base_dir / params["hierarchy"]
            if not path.is_file():
                raise _err(column, f"key 'hierarchy': file '{path}' does not exist")
        _check_number_lists(column, what, params)
        for key, value in params.items():
            step, cls, param = allowed[key]
            if step is not None:
                _check_value(column, what, caller, key, value, cls, param)
        return ColumnRule(column, action, params, method, dtype, group)

    # -- building: each estimator once, when the ColumnTransformer is built -----------------
    def _estimator(self, rule):
        """The (unfitted) estimator of one column rule (its keys are checked already)."""
        keys = _keys(rule.action, rule.method)
        kw, rare = dict(_FIXED.get(rule.method, {})), {}
        for key, value in rule.params.items():
            step, _, param = keys[key]
            if step is not None:
                (kw if step == "main" else rare)[param] = value
        if rule.method == "hierarchy":
            kw["hierarchies"] = {rule.column: str(self.base_dir / rule.params["hierarchy"])}
        cls = _METHODS[rule.method] if rule.method else _ESTIMATORS[rule.action]
        if rare:
            return Pipeline([(rule.method, cls(**kw)), ("rare", RareCategoryGrouper(**rare))])
        return cls(**kw)

    def _mondrian(self, group, members):
        hierarchies = {
            r.column: str(self.base_dir / r.params["hierarchy"])
            for r in self.rules.values()
            if r.action == "mondrian" and r.group == group and "hierarchy" in r.params
        }
        return MondrianAnonymizer(quasi_identifiers=list(members),
                                  hierarchies=hierarchies or None, **self.mondrian_groups[group])

    def check_columns(self, columns: Sequence[str]) -> list[str]:
        """Check the policy against the data's columns (the header only).

        Parameters
        ----------
        columns : list of str
            The data's column names, in order.

        Returns
        -------
        unlisted : list of str
            Columns of the data the policy does not name (dropped, kept or
            refused according to ``[policy] unlisted``).
        """
        columns = [str(c) for c in columns]
        present = set(columns)
        missing = [c for c in self.rules if c not in present]
        if missing:
            raise _err(missing[0], "not found in the data"
                       + (f" (nor are {missing[1:]})" if len(missing) > 1 else ""))
        for group, params in self.mondrian_groups.items():
            sens = params.get("sensitive")
            if sens is not None and sens not in present:
                raise _err(None, f"[mondrian.{group}]: key 'sensitive': column {sens!r} is not "
                           "a column of the data")
        for q in self.report.get("quasi_identifiers") or ():
            if q not in present:
                raise _err(None, f"[report]: key 'quasi_identifiers': column {q!r} is not a "
                           "column of the data")
        unlisted = [c for c in columns if c not in self.rules]
        if unlisted and self.unlisted == "error":
            raise _err(unlisted[0], "in the data but not in the policy, and [policy] "
                       "unlisted = \"error\"")
        return unlisted

    def read_dtypes(self) -> dict[Any, Any]:
        """``{column: dtype}`` requested for reading a CSV file.

        Returns
        -------
        dtypes : dict
            The ``dtype`` key of each column that has one.
        """
        return {c: r.dtype for c, r in self.rules.items() if r.dtype is not None}

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        """List the columns written, in the data's order.

        Parameters
        ----------
        columns : list of str
            The data's column names, in order.

        Returns
        -------
        columns_out : list of str
            The columns of the release.
        """
        unlisted = set(self.check_columns(columns))
        out = []
        for c in map(str, columns):
            if c in unlisted:
                if self.unlisted == "keep":
                    out.append(c)
            elif self.rules[c].action != "drop":
                out.append(c)
        for params in self.mondrian_groups.values():
            s = params.get("sensitive")
            if s is not None and s not in out:
                out.append(s)  # Mondrian passes its sensitive column through
        return out

    def build(self, columns: Sequence[str]) -> ColumnTransformer:
        """The unfitted ColumnTransformer for a table with these columns.

        Transformers come in the data's column order (a Mondrian group at
        the place of its first column), output as pandas, with plain column
        names; columns with action ``drop`` (and unlisted columns unless
        ``unlisted = "keep"``) are not in the output.

        Parameters
        ----------
        columns : list of str
            The data's column names, in order.

        Returns
        -------
        transformer : ColumnTransformer
            Unfitted, with ``set_output(transform="pandas")``.
        """
        columns = [str(c) for c in columns]
        unlisted = set(self.check_columns(columns))
        transformers, done = [], set()
        sensitive_of = {}
        for group, params in self.mondrian_groups.items():
            if params.get("sensitive") is not None:
                sensitive_of[params["sensitive"]] = group
        for c in columns:
            if c in done:
                continue
            if c in unlisted:
                if self.unlisted == "keep" and c not in sensitive_of:
                    transformers.append((c, "passthrough", [c]))
                continue
            rule = self.rules[c]
            if rule.action == "drop":
                continue
            if c in sensitive_of and rule.action == "keep":
                continue  # passes through its Mondrian group
            if rule.action == "keep":
                transformers.append((c, "passthrough", [c]))
            elif rule.action == "mondrian":
                members = [r.column for r in self.rules.values()
                           if r.action == "mondrian" and r.group == rule.group]
                members = [m for m in columns if m in members]
                sens = self.mondrian_groups[rule.group].get("sensitive")
                cols = members + ([sens] if sens is not None else [])
                transformers.append((f"mondrian_{rule.group}", self._mondrian(rule.group, members),
                                     cols))
                done.update(cols)
            else:
                transformers.append((c, self._estimator(rule), [c]))
            done.add(c)
        if not transformers:
            raise _err(None, "every column is dropped: nothing would be written")
        ct = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
        return ct.set_output(transform="pandas")

    def quasi_identifiers(self, output_columns: Sequence[str]) -> list[str]:
        """The quasi-identifiers the report measures: ``[report]`` or the generalized columns.

        Parameters
        ----------
        output_columns : list of str
            The columns of the release (:meth:`output_columns`).

        Returns
        -------
        quasi_identifiers : list of str
            The columns the release's verdict is measured on.
        """
        given = self.report.get("quasi_identifiers")
        if given:
            return list(given)
        return [c for c, r in self.rules.items()
                if r.action in ("generalize", "mondrian") and c in output_columns]


def parse_policy(text: str, *, base_dir: PathLike | None = None, check_env: bool = True) -> Policy:
    """Parse and validate a policy from TOML text.

    Parameters
    ----------
    text : str
        The policy, in TOML (``[policy]``, ``[keys]``, ``[report]``,
        ``[columns]``, ``[mondrian.<group>]``, ``[handover]``).
    base_dir : path-like, optional
        The folder that relative paths in the policy (hierarchy files) are
        read from; the current folder when None.
    check_env : bool, default=True
        Whether every ``env:NAME`` key reference must name a variable that
        is set.

    Returns
    -------
    policy : Policy
        The validated policy; ``policy.build(columns)`` makes its
        ColumnTransformer.

    Raises
    ------
    PolicyError
        On a TOML syntax error (with its line and column) or an invalid policy.

    See Also
    --------
    load_policy : Read and parse a policy file.
    suggest_policy : A policy suggested from a table's profile.

    Examples
    --------
    >>> from sklearn_anon.policy import parse_policy
    >>> policy = parse_policy('''
    ... [columns]
    ... name = "drop"
    ... age = { action = "generalize", method = "interval", bins = [0, 30, 60, 120] }
    ... ''')
    >>> policy.output_columns(["name", "age"])
    ['age']
    """
    if tomllib is None:  # pragma: no cover
        raise PolicyError("policy: reading TOML needs Python 3.11+ or 'pip install tomli'")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy: not valid TOML: {exc}") from None
    return Policy(doc, base_dir=base_dir, check_env=check_env)


def load_policy(path: PathLike, *, check_env: bool = True) -> Policy:
    """Read, parse and validate a policy file (UTF-8 TOML).

    Parameters
    ----------
    path : str or path-like
        The policy file; relative hierarchy paths in it are read from its folder.
    check_env : bool, default=True
        Whether every ``env:NAME`` key reference must name a variable that
        is set.

    Returns
    -------
    policy : Policy
        The validated policy.

    Raises
    ------
    PolicyError
        When the file is missing, not UTF-8, not TOML, or not a valid policy
        (the message names the file, the column and the key).

    See Also
    --------
    parse_policy : The same from TOML text.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_anon.policy import load_policy
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "policy.toml").write_text('[columns]\\nssn = "drop"\\nsex = "keep"\\n')
    >>> load_policy(folder / "policy.toml").output_columns(["ssn", "sex"])
    ['sex']
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"policy: file '{path}' does not exist") from None
    except UnicodeDecodeError:
        raise PolicyError(f"policy: file '{path}' is not UTF-8 text") from None
    except OSError as exc:
        raise PolicyError(f"policy: cannot read '{path}': {exc.strerror}") from None
    try:
        return parse_policy(text, base_dir=path.parent, check_env=check_env)
    except PolicyError as exc:
        raise PolicyError(str(exc).replace("policy: ", f"policy '{path.name}': ", 1)) from None


# -- suggesting a policy from the detection ------------------------------------------------
def _toml_str(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_key(s):
    return s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else _toml_str(s)


#: share of distinct values above which a column that is neither a direct identifier nor a
#: quasi-identifier acts as one (fnlwgt in Adult: 66% distinct)
_NEAR_UNIQUE = 0.5
#: rows read to profile the columns (facts are shares, a sample measures them well)
_FACT_ROWS = 200_000


def _column_facts(data, column, numeric):
    """Distinct share, free-text share and padded share of one column (never its values)."""
    from . import _text

    values = data[column].dropna()
    n = len(values)
    if n == 0:
        return {"distinct": 0.0, "free_text": 0.0, "padded": 0.0}
    facts = {"distinct": _text.nunique(values) / n, "free_text": 0.0, "padded": 0.0}
    if not numeric:
        texts = _text.text_series(values)
        facts["padded"] = float((texts != texts.str.strip()).mean())
        facts["free_text"] = float((texts.str.strip().str.count(r"\s+") >= 3).mean())
    return facts


def _redundant_pairs(data, columns):
    """Pairs of columns that determine each other (Adult's education and education-num)."""
    import numpy as np

    from . import _text

    codes = {}
    for c in columns:
        code, uniques = _text.factorize(data[c], use_na_sentinel=False)
        if 1 < len(uniques) < len(data):
            codes[c] = (np.asarray(code, dtype=np.int64), len(uniques))
    pairs = []
    names = list(codes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            (ca, na), (cb, nb) = codes[a], codes[b]
            if na == nb and len(np.unique(ca * nb + cb)) == na:
                pairs.append((a, b))
    return pairs


def suggest_policy(
    report: pd.DataFrame,
    dtypes: Mapping[Any, Any] | None = None,
    *,
    data: pd.DataFrame | None = None,
    k: int = 10,
    key_variable: str = "SKLEARN_ANON_KEY",
) -> str:
    """A starting policy (TOML text) from :func:`~sklearn_anon.detect_pii`'s report.

    Written for a reviewer to approve, and failing closed where it must
    guess:

    * direct identifiers are dropped (the line says how to keep a keyed
      pseudonym instead, which the verdict then has to allow explicitly);
    * columns that act as identifiers without being detected as such
      (nearly one value per record, such as Adult's ``fnlwgt``, or free
      text) are dropped, with their distinct share;
    * every quasi-identifier goes into one Mondrian group with ``k``, and
      is named in ``[report]``, whose verdict requires ``k``;
    * of two quasi-identifiers that determine each other (Adult's
      ``education`` and ``education-num``), the second is dropped and the
      pair named;
    * sensitive and other columns are kept; a sensitive column is named in
      ``[report]``;
    * text values with leading or trailing spaces (Adult's
      ``" Adm-clerical"``) are reported in a comment (no value is quoted).

    Parameters
    ----------
    report : DataFrame
        What :func:`~sklearn_anon.detect_pii` returns (index: column names).
    dtypes : mapping of {column: dtype} or None
        The data's dtypes, to choose between numeric and text methods; read
        from ``data`` when it is given.
    data : DataFrame or None, default=None
        The table itself (its first 200,000 rows are read): distinct
        shares, free text, padded values and redundant pairs are measured
        on it.  Without it only the detection's sampled distinct ratio is
        used and no pair is found.
    k : int, default=10
        The k of the Mondrian group and of the verdict.
    key_variable : str, default="SKLEARN_ANON_KEY"
        Environment variable named by the pseudonymization key reference.

    Returns
    -------
    text : str
        The suggested policy, as TOML text to review before use.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import detect_pii
    >>> from sklearn_anon.datasets import make_customers
    >>> people = make_customers(500, random_state=0)
    >>> text = suggest_policy(detect_pii(people), data=people)
    >>> print([line for line in text.splitlines() if line.startswith("ssn")][0])
    ssn = "drop"   # direct_identifier, ssn
    """
    import pandas as pd

    if data is not None:
        data = data.iloc[:_FACT_ROWS]
        dtypes = data.dtypes.to_dict()
    dtypes = dict(dtypes or {})

    def is_numeric(column):
        dtype = dtypes.get(column)
        return dtype is not None and pd.api.types.is_numeric_dtype(dtype) and not (
            pd.api.types.is_bool_dtype(dtype))

    columns = [str(c) for c in report.index]
    facts = {c: _column_facts(data, c, is_numeric(c)) if data is not None and c in data.columns
             else {"distinct": float(report.loc[c, "distinct_ratio"] if c in report.index else 0.0),
                   "free_text": 0.0, "padded": 0.0}
             for c in columns}
    roles = {c: report.loc[c, "role"] for c in columns}
    kinds = {c: report.loc[c, "kind"] if isinstance(report.loc[c, "kind"], str) else None for c in columns}
    qis = [c for c in columns if roles[c] == "quasi_identifier"]
    redundant: dict[str, str] = {}  # column -> the column it duplicates
    if data is not None:
        for a, b in _redundant_pairs(data, [c for c in qis if c in data.columns]):
            redundant.setdefault(b, a)  # keep the first of the pair
    qis = [c for c in qis if c not in redundant]

    rules, sensitive = [], None
    for column in columns:
        name, role, kind, fact = _toml_key(column), roles[column], kinds[column], facts[column]
        why = f"{role}" + (f", {kind}" if kind else "")
        if role == "direct_identifier":
            spec = '"drop"'
            if kind in ("email", "username", "hash_id", "uuid"):
                why += ('; to keep a join key instead: { action = "pseudonymize", length = 16 }, '
                        'and list it in [report] allowed_identifiers')
        elif column in redundant:
            spec = '"drop"'
            why += f"; determines and is determined by {redundant[column]!r} (same information)"
        elif role == "quasi_identifier":
            spec = '"mondrian"'
        elif fact["free_text"] >= 0.5:
            spec = '"drop"'
            why += f"; free text ({fact['free_text']:.0%} of values have 4+ words): may name people"
        elif fact["distinct"] >= _NEAR_UNIQUE:
            spec = '"drop"'
            why += (f"; {fact['distinct']:.0%} distinct values: acts as an identifier"
                    + ("; to release it, use laplace with declared bounds and epsilon and list it "
                       "in [report] allowed_identifiers" if is_numeric(column) else ""))
        elif role == "sensitive":
            spec = '"keep"'
            sensitive = sensitive or column
            if is_numeric(column):
                why += "; consider laplace with epsilon and bounds, or topcode"
        else:
            spec = '"keep"'
            why += "; review"
        if fact["padded"] > 0 and spec != '"drop"':
            why += (f"; {fact['padded']:.0%} of values have leading/trailing spaces "
                    "(strip them before anonymizing: read_csv(skipinitialspace=True))")
        rules.append(f"{name} = {spec}   # {why}")

    lines = [
        "# sklearn-anon policy, suggested from the detection: review every line.",
        "# Actions: drop, keep, pseudonymize, fake, generalize, mondrian, laplace, gaussian,",
        "# randomized_response (see sklearn_anon.policy).",
        "",
        "[policy]",
        'unlisted = "drop"   # columns the policy does not name are not written',
        "",
        "[keys]",
        f'# default = "env:{key_variable}"   # for pseudonymize; generate one with: sklearn-anon keygen',
        "",
        "[columns]",
        *rules,
    ]
    if qis:
        lines += ["", "[mondrian.default]   # the quasi-identifiers, k-anonymized together",
                  f"k = {int(k)}"]
    lines += ["", "[report]   # the verdict: anonymize exits non-zero when a requirement fails"]
    lines.append(f"quasi_identifiers = [{', '.join(_toml_str(q) for q in qis)}]")
    if sensitive is not None:
        lines.append(f"sensitive = {_toml_str(sensitive)}")
    lines += [f"k = {int(k)}", "max_uniqueness = 0.05", "max_reidentification = 0.05", ""]
    return "\n".join(lines)
