"""Docker-free local runtime (development tooling, never deployed).

It reads template.yaml, provisions its table, queues and secret on an embedded moto server, and runs
each function the way API Gateway and Lambda would: `python -m local run` serves HTTP,
`python -m local invoke` replays one event file.
"""
