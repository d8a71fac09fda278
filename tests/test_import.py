"""Importing the package must not need any optional extra."""

import subprocess
import sys
import textwrap

OPTIONAL = ["faker", "dask", "distributed", "matplotlib", "cryptography", "pyarrow", "pycanon", "pyrage"]


def test_import_without_optional_extras():
    # A meta-path finder that refuses every optional package, in a fresh interpreter.
    code = textwrap.dedent(
        f"""
        import sys
        BLOCKED = {OPTIONAL!r}

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError("blocked optional package: " + name)
                return None

        sys.meta_path.insert(0, Block())
        import sklearn_anon
        import sklearn_anon.metrics
        import sklearn_anon.datasets
        import sklearn_anon.synthetic
        import sklearn_anon.policy
        import sklearn_anon.cli
        from sklearn_anon._discovery import all_estimators
        names = [n for n, _ in all_estimators()]
        assert "MondrianAnonymizer" in names and "LaplaceNoise" in names, names
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        assert not loaded, loaded
        print("ok", len(names))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")


def test_optional_extra_missing_gives_clear_error():
    code = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "faker":
                    raise ImportError("blocked")
                return None

        sys.meta_path.insert(0, Block())
        import pandas as pd
        from sklearn_anon import FakeReplacer
        try:
            FakeReplacer(key="k", kind="email").fit_transform(pd.DataFrame({"e": ["a@b.c"]}))
        except ImportError as exc:
            assert "sklearn-anon[fake]" in str(exc), str(exc)
            print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
