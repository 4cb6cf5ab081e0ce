"""`make bench`: cold start, DynamoDB cost per request, pagination depth, fanout, warm latency and package
size, printed as one report and written to docs/performance.md. Benchmarks report figures; they never
assert timing (budgets are compared and reported, not enforced)."""
