"""Benchmark scripts: they print figures measured in one run; they assert nothing about time."""
