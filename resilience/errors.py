"""The project's error types.

Every error a user can cause is a :class:`ResilienceError`; its message is one line a
planner can act on. The CLI prints it and exits with code 2.
"""

from __future__ import annotations

__all__ = [
    "BadGraphError",
    "BadInputError",
    "BadScenarioError",
    "NetworkUnavailableError",
    "ResilienceError",
    "UnknownTargetError",
]


class ResilienceError(Exception):
    """Base class of every error caused by input the user gave."""


class BadInputError(ResilienceError):
    """An option, argument or value is missing, malformed or contradictory."""


class UnknownTargetError(BadInputError):
    """A place, road ref, corridor or edge does not exist in the network."""


class BadGraphError(ResilienceError):
    """A graph file cannot be read or lacks what the analyses need."""


class BadScenarioError(ResilienceError):
    """A scenario file is malformed or names things that do not exist."""


class NetworkUnavailableError(ResilienceError):
    """A download was asked for but no network (or no server) answered."""
