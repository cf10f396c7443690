"""Benchmarks, run with `make bench`; results are written up by hand in bench/RESULTS.md."""
