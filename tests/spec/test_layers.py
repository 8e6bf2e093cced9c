"""Imports point down: the wire layer knows nothing of the vocabulary, the vocabulary no client."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cio_analytics"

#: What each layer must not import (module prefixes).
FORBIDDEN = {
    "_wire": ("cio_analytics._spec", "cio_analytics._api", "cio_analytics._client",
              "cio_analytics._bulk", "cio_analytics._delivery"),
    "_spec": ("cio_analytics._api", "cio_analytics._client", "cio_analytics._bulk",
              "cio_analytics._delivery", "cio_analytics.ecommerce", "cio_analytics.video",
              "cio_analytics.mobile"),
}  # fmt: skip


def imports(path: Path) -> list[tuple[str, bool]]:
    """Each module ``path`` imports, and whether the import is at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, id(node) in top))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_down(layer: str) -> None:
    """No module of the layer imports a forbidden one, and every import is at module level."""
    for path in sorted((PACKAGE / layer).glob("*.py")):
        for module, at_top in imports(path):
            assert not module.startswith(FORBIDDEN[layer]), f"{path.name} imports {module}"
            if module.startswith("cio_analytics"):
                assert at_top, f"{path.name} imports {module} inside a function"
