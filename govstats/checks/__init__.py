"""Checks: the template's arithmetic and the year-over-year relations, reported, never "fixed".

This package owns what can be said about the numbers of a report without analysing them: the
rule catalogue (:mod:`~govstats.checks.rules`: each rule's code, Chinese title and description,
the one list that checks, help texts and the generator's planted breaches use); the per-report
rules of the template, 勾稽关系 (:mod:`~govstats.checks.template`); and the relations between
consecutive reports of a body and the whole-store run (:mod:`~govstats.checks.crossyear`).
Findings are frames (one row per finding) and never alter the data. The package itself imports
nothing, so the catalogue is cheap to read (``govstats check --help``); ``govstats.check`` is
:func:`govstats.checks.template.check`.
"""
