"""Guards: every Celery task and every DAO function that touches notifications or their history wears @statsd."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from typing import Any

from flask import Flask

import app.dao
from app.celery.celery_app import TASK_MODULES
from app.celery.queues import TaskNames

# A function touches the tables when its body names their models, or the batch SQL that inserts into them.
TOUCHES_NOTIFICATIONS = re.compile(r"\bNotification(History)?\b|notifications\.c\.|_INSERT_JOB_NOTIFICATIONS")


def is_statsd_wrapped(function: Callable[..., Any], namespace: str) -> bool:
    closure_values = [cell.cell_contents for cell in (function.__closure__ or ())]
    return hasattr(function, "__wrapped__") and f"{namespace}.{function.__name__}" in closure_values


def dao_functions_touching_notifications() -> list[Callable[..., Any]]:
    functions = []
    for module_info in pkgutil.iter_modules(app.dao.__path__):
        module = importlib.import_module(f"app.dao.{module_info.name}")
        for name, function in vars(module).items():
            is_own_dao_function = inspect.isfunction(function) and function.__module__ == module.__name__
            if not name.startswith("dao_") or not is_own_dao_function:
                continue
            if TOUCHES_NOTIFICATIONS.search(inspect.getsource(inspect.unwrap(function))):
                functions.append(function)
    return functions


def test_every_task_is_counted_and_timed_under_tasks(notify_api: Flask):
    for module in TASK_MODULES:
        importlib.import_module(module)
    tasks = [task for name, task in notify_api.extensions["celery"].tasks.items() if not name.startswith("celery.")]

    unwrapped = [task.name for task in tasks if not is_statsd_wrapped(task.run, "tasks")]

    assert {task.name for task in tasks} == {str(name) for name in TaskNames}
    assert unwrapped == []


def test_every_dao_function_touching_notifications_is_counted_and_timed_under_dao():
    functions = dao_functions_touching_notifications()

    unwrapped = [function.__name__ for function in functions if not is_statsd_wrapped(function, "dao")]

    assert {"dao_create_notification", "dao_move_notifications_to_history", "dao_insert_job_notifications"} <= {
        function.__name__ for function in functions
    }
    assert unwrapped == []
