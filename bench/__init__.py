"""Benchmarks. Figures and the commands that produced them go to docs/benchmarks.md."""
