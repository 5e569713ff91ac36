"""Tests of govstats.briefings."""
