"""Tests of govstats.synth."""
