"""sklearn_anon.dp_models: the old public path of DPLogisticRegression stays a thin shim.

(Pickles written under this path are loaded in tests/test_dp_old_paths.py.)
"""

import pickle

import sklearn_anon
from sklearn_anon import dp_models
from sklearn_anon.dp import _logistic


def test_shim_exports_exactly_the_class_of_the_new_module():
    assert dp_models.__all__ == ["DPLogisticRegression"]
    assert dp_models.DPLogisticRegression is _logistic.DPLogisticRegression
    assert dp_models.DPLogisticRegression is sklearn_anon.DPLogisticRegression
    public = {n for n in vars(dp_models) if not n.startswith("_")}
    assert public == {"DPLogisticRegression"}


def test_a_pickle_naming_the_old_path_resolves_to_the_class():
    # GLOBAL opcode as written by pickles made before the move
    data = b"csklearn_anon.dp_models\nDPLogisticRegression\n."
    assert pickle.loads(data) is _logistic.DPLogisticRegression
