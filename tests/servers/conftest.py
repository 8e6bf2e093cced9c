"""The fault matrix: rows from these tests join the reliability suite's (one table)."""

from __future__ import annotations

# The session fixture that writes docs/fault-matrix.md when CIO_FAULT_MATRIX is
# set, also when these tests run without the reliability suite.
from reliability.conftest import _write_fault_matrix

__all__ = ["_write_fault_matrix"]
