"""Baseline handlers the benchmarks compare against (each folder is a function's code dir: `app.handler`)."""
