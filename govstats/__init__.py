"""govstats: China's government information disclosure annual reports as tidy, validated data.

The public surface is small; everything is importable from the top level::

    import govstats
    report = govstats.read_report("data/raw/2020_ziyang-bgs_txt-pipe.txt")
    report.tidy()              # the long frame (schema.md)
    govstats.check(report)     # breaches of the template arithmetic (勾稽关系)

Attributes are imported lazily so that ``import govstats`` stays cheap in batch workers.
"""

from __future__ import annotations

import importlib
from importlib import metadata

try:  # the one literal is in pyproject.toml
    __version__ = metadata.version("govstats")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

# public name -> module that defines it
_EXPORTS = {
    "read_report": "govstats.reading",
    "Report": "govstats.report",
    "Value": "govstats.report",
    "ParseError": "govstats.errors",
    "GovstatsError": "govstats.errors",
    "StoreBusyError": "govstats.errors",
    "check": "govstats.checks.template",
    "load": "govstats.store",
    "load_sections": "govstats.store",
    "bodies": "govstats.store",
    "find_body": "govstats.store",
    "export": "govstats.store",
    "ingest": "govstats.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'govstats' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
