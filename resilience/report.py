"""Deprecated: the writers moved to :mod:`resilience.io`; this shim goes once the CLI uses it."""

from __future__ import annotations

from resilience.io import atomic_write, write_frames

__all__ = ["atomic_write", "write_frames"]
