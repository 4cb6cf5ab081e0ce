"""Checks on a whole test run's recorded AWS requests (make test: --aws-calls-check=DIR)."""
