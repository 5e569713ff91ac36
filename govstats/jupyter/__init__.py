"""JupyterLab: a report shown as its printed tables, and the interactive explorer of the store.

This package owns what a person sees in a notebook: a :class:`~govstats.report.Report` rendered
as the template prints it, with breaches marked on their cells, and finding and tidy tables
styled for reading (:mod:`~govstats.jupyter.display`, which ``Report._repr_html_`` calls); and
the explorer of one body's reports, indicators, charts and data quality in tabs
(:mod:`~govstats.jupyter.explorer`, ipywidgets). It sits on top of reading, checks, store and
analysis and is imported by nothing below it.
"""
