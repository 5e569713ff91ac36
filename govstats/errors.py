"""Exceptions govstats raises, all under :class:`GovstatsError`. Every message names the file and,
where known, the place. Errors that used to be a ``ValueError`` or ``RuntimeError`` still are
one."""

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


class StoreError(GovstatsError):
    """The store file is missing, of a newer schema, or an extract is malformed."""


class RegistryError(GovstatsError):
    """The registry file has a bad row (the message names the file and line)."""


class BriefingError(GovstatsError):
    """The batch could not be planned or run (bad selection, missing notebook or store)."""


class UnsafePageError(GovstatsError, ValueError):
    """A page would load a remote resource or run a script."""


class KernelStartError(GovstatsError, RuntimeError):
    """A kernel did not start (after one retry)."""


class FontNotFoundError(GovstatsError, RuntimeError):
    """No font able to draw Chinese characters was found."""


class PrintError(GovstatsError, RuntimeError):
    """A briefing could not be printed to PDF (no browser, or it failed on the page)."""
