"""Exceptions of the rules engine."""

from __future__ import annotations


class RulesError(Exception):
    """Base class of every error raised by `techsme.rules`."""


class ParameterFileError(RulesError):
    """A parameter file breaks the format; the message names the file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


class UnknownParameterError(RulesError, KeyError):
    """A parameter path does not exist in the tree."""


class InputFileError(RulesError):
    """An input file cannot be read (unknown column, unreadable format...)."""
