"""Reliability suite: the public API against the local server under faults (issue 6)."""
