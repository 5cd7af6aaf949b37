"""Run a Celery task's body in the test process as a worker would on a given retry."""

from __future__ import annotations

from celery import Task


def run_as_retry(task: Task, retries: int, *args: object) -> None:
    """Run the task body as the worker would on its ``retries``-th retry."""
    task.push_request(retries=retries)
    try:
        task.run(*args)
    finally:
        task.pop_request()
