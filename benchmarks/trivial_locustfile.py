"""Locust users of `python -m benchmarks.filing_load` for the baseline: the trivial view."""

from __future__ import annotations

from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0)

    @task
    def trivial(self) -> None:
        self.client.get("/bench/trivial/", name="trivial view")
