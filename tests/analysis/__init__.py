"""Tests of govstats.analysis."""
