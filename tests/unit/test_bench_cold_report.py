"""The cold-start report (bench/report.py): a first request that is not 2xx is a failed row, never a figure."""

from __future__ import annotations

from bench import coldstart, report


def _target(name: str, kind: str = "function", init: float = 0.2, first: float = 0.1, **extra) -> coldstart.Target:
    target = coldstart.Target(name, "/code", [], "app.handler", {}, {}, "GET /v1/x", kind, **extra)
    target.samples = [{"interpreter": 0.01, "init": init, "first": first, "total": 0.01 + init + first}] * 3
    target.status = 200
    return target


def _cold(*targets: coldstart.Target) -> dict:
    floor = _target("floor", "floor", init=0.16, first=0.0)
    return {"targets": [floor, *targets], "notes": [], "runs": 3, "parts": [("import botocore", 0.1)]}


def test_a_row_whose_first_request_was_rejected_fails_the_report_and_the_run():
    rejected = _target("UsersFunction")
    rejected.samples, rejected.error = [], "UsersFunction answered 401, not 2xx: authentication_required"
    cold = _cold(rejected, _target("HealthFunction", init=0.12, first=0.05))

    text = report.render({"cold": cold, "notes": []}, "python -m bench", 1.0)

    assert "| cold start UsersFunction | a 2xx first request | UsersFunction answered 401" in text
    assert "**failed**" in text
    assert report.cold_failures(cold) == ["UsersFunction: UsersFunction answered 401, not 2xx: authentication_required"]


def test_budgets_compare_init_with_the_floors_init_and_the_total_with_its_total():
    cold = _cold(_target("UsersFunction", init=0.19, first=0.03), _target("login", budgeted=False))

    text = report.render({"cold": cold, "notes": []}, "python -m bench", 1.0)

    assert "| cold start init UsersFunction | <= 1.25x floor init | 190 ms = 1.19x | met |" in text
    assert "| cold start to first 2xx UsersFunction | <= 1.4x floor total | 230 ms = 1.35x | met |" in text
    assert "cold start init login" not in text  # reported in its row, not budgeted
    assert report.cold_failures(cold) == []
