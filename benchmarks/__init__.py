"""Benchmarks: `python -m benchmarks` measures the handler, the local endpoint, build and deploy,
and a serving worker's memory, side by side in one run, and writes docs/benchmarks.md.

Speed is measured here, never asserted in tests: every figure is a ratio against a baseline
timed in the same run, interleaved with it, so a busy shared machine slows both alike.
"""
