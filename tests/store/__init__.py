"""Tests of govstats.store."""
