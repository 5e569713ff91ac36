"""Tests of govstats.jupyter."""
