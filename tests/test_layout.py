"""The house rules of the package layout, read from the source (issue 14).

Families (``generalize``, ``kanonymity``, ``dp``, ``identifiers``, ``sdc``,
``synthetic``, ``metrics``, ``cli``) talk to each other through their faces
(the package ``__init__``) and the documented extension points there, never
through another family's private modules or private names.  Shared helpers
are the top-level private modules (``_text``, ``_labels``, ``_frames``,
...), which import no family.  Old import paths kept for compatibility
(``sklearn_anon._mondrian`` and the like) are the only exceptions.
"""

import ast
from pathlib import Path

import pytest

import sklearn_anon

PACKAGE = Path(sklearn_anon.__file__).parent
FAMILIES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
# Old module paths that re-export a family's names on purpose (tests/test_dp_old_paths.py
# and friends check that they keep working).
OLD_PATHS = {"_crypto.py", "_mondrian.py", "_pii_patterns.py", "_dp_sampling.py", "dp_models.py"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _family(rel):
    return rel.parts[0] if len(rel.parts) > 1 else None


def _imports(rel, tree):
    """``(target module parts below sklearn_anon, imported names)`` of every import."""
    here = list(rel.parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "sklearn_anon":
                target = node.module.split(".")[1:]
            else:
                continue
            yield node.lineno, target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn_anon":
                    yield node.lineno, parts[1:], []


def test_families_found():
    assert {"cli", "dp", "generalize", "identifiers", "kanonymity", "metrics", "sdc",
            "synthetic"} <= set(FAMILIES)


@pytest.mark.parametrize("rel,tree", list(_modules()), ids=lambda v: str(v) if isinstance(v, Path) else "")
def test_no_private_import_across_families(rel, tree):
    if rel.name in OLD_PATHS:
        return
    mine = _family(rel)
    bad = []
    for line, target, names in _imports(rel, tree):
        if not target or target[0] not in FAMILIES or target[0] == mine:
            continue
        # into another family: only its face, and only public names
        private_module = any(part.startswith("_") for part in target[1:])
        private_names = [n for n in names if n.startswith("_")]
        if private_module or private_names:
            bad.append(f"line {line}: {'.'.join(target)} {private_names or ''}")
    assert not bad, f"{rel} reaches into another family's private parts: {bad}"


@pytest.mark.parametrize(
    "rel,tree", [(r, t) for r, t in _modules() if len(r.parts) == 1 and r.name.startswith("_")
                 and r.name not in OLD_PATHS and r.name not in ("__init__.py", "__main__.py")],
    ids=lambda v: str(v) if isinstance(v, Path) else "")
def test_shared_helpers_import_no_family(rel, tree):
    families = [".".join(t) for _, t, _ in _imports(rel, tree) if t and t[0] in FAMILIES]
    assert not families, f"{rel} is a shared helper but imports {families}"
