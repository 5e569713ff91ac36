"""Briefings: one HTML page per body and per region, rendered from notebooks in a batch.

This package owns publishing: the pieces the briefing and comparison notebooks show
(:mod:`~govstats.briefings.content`); planning a batch, with the input hashes that let a rerun
skip unchanged pages (:mod:`~govstats.briefings.plan`); the pool that runs it
(:mod:`~govstats.briefings.run`) and the worker that renders one page
(:mod:`~govstats.briefings.worker`) in a warm, reused kernel (:mod:`~govstats.briefings.kernels`);
page export (:mod:`~govstats.briefings.export`), sanitising (:mod:`~govstats.briefings.sanitize`),
font subsetting (:mod:`~govstats.briefings.fontsubset`) and page files
(:mod:`~govstats.briefings.paths`); the manifest and the index page
(:mod:`~govstats.briefings.manifest`); printing pages to PDF (:mod:`~govstats.briefings.printing`)
with headless Chromium (:mod:`~govstats.briefings.browser`); and the page templates
(``templates/``). ``govstats
briefings`` is :func:`govstats.briefings.run.briefings`. The package itself imports nothing.
"""
