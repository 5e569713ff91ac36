"""Tests of govstats.reading."""
