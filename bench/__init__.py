"""Benchmarks at national size: a deterministic data generator (generate.py) and a runner (run.py)."""
