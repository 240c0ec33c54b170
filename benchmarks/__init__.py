"""Benchmarks (``make bench``): they print figures; they are not timed tests."""
