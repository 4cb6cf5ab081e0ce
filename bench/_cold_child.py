"""One cold start, run as a fresh interpreter: `python bench/_cold_child.py SPEC.json RESULT.json`.

Standalone on purpose (no bench or platform_api import of its own): it puts the function's code dir
and layers on sys.path as Lambda does (/var/task, then /opt/python), imports the handler module, runs
ONE event through it and writes CLOCK_MONOTONIC marks that the parent compares with its spawn time. With
"snapstart" in the spec it runs the SnapStart hooks between init and the event (platform_api.snapstart), so the
event is timed as the first request of an environment restored from a snapshot.
"""

import time

T_MAIN = time.monotonic()

import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench-cold-start"
    log_group_name = "bench"
    log_stream_name = "bench"

    @staticmethod
    def get_remaining_time_in_millis():
        return 15000


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    for path in reversed([spec["code_dir"], *spec["layer_dirs"]]):
        sys.path.insert(0, path)
    t_read = time.monotonic()
    module_name, function_name = spec["handler"].rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), function_name)
    t_import = t_snapshot = time.monotonic()
    if spec.get("snapstart"):  # as Lambda SnapStart would: the snapshot after init, then one restore
        from platform_api import snapstart

        snapstart.before_snapshot()
        t_snapshot = time.monotonic()
        snapstart.after_restore()
        t_import = time.monotonic()
    response = handler(spec["event"], Context())
    t_first = time.monotonic()
    with open(sys.argv[2], "w") as f:
        json.dump(
            {
                "t_main": T_MAIN,
                "t_read": t_read,
                "t_import": t_import,
                "t_snapshot": t_snapshot,
                "t_first": t_first,
                "answer": response,
            },
            f,
        )


main()
