"""Tests of govstats.checks."""
