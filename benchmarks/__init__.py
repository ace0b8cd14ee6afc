"""Benchmarks: the topology engine side by side with NetworkX, igraph and pgRouting (see README.md)."""
