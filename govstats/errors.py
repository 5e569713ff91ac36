"""Exceptions govstats raises. Every message names the file and, where known, the place."""

from __future__ import annotations


class GovstatsError(Exception):
    """Base class of govstats' own errors."""


class ParseError(GovstatsError):
    """A source could not be read as an annual report.

    ``source`` names the file (or ``<bytes>``), ``where`` the place (line, table/row/cell,
    page) when there is one.
    """

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None):
        self.reason = message
        self.source = source
        self.where = where
        parts = [p for p in (source, where) if p]
        super().__init__(f"{': '.join(parts)}: {message}" if parts else message)


class StoreBusyError(GovstatsError):
    """Another process holds the store's write lock."""
