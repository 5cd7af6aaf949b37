"""Guard: every notification status change goes through `app/status_changes.py` (or the claim protocol), and every
DAO function that writes a status guards its UPDATE with the status machine's `may_become`.

The DAO's status writers are found in its source, not listed here: a function whose UPDATE sets `status=` (itself,
or through a helper of its module). So a new writer is covered the day it is written, and a new caller elsewhere in
`app/` fails this test instead of silently skipping the log, the metrics or the service's callback.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
DAO = APP / "dao"

# The one domain module for status changes, and the claim protocol (created <-> sending, same guard).
MODULES_ALLOWED_TO_WRITE_STATUSES = {APP / "status_changes.py", APP / "delivery" / "claims.py"}
GUARDS = {"may_become", "may_become_by_receipt"}


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


# The mapped attribute (`update(Notification)`) and the table's column (`update(Notification.__table__)`).
STATUS_KEYWORDS = {"status", "notification_status"}


def _sets_status(function: ast.FunctionDef) -> bool:
    """True when ``function`` itself calls `.values(status=...)` (or `.values(notification_status=...)`)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "values"
        and any(keyword.arg in STATUS_KEYWORDS for keyword in node.keywords)
        for node in ast.walk(function)
    )


def _called_names(function: ast.FunctionDef) -> set[str]:
    return {
        node.func.id for node in ast.walk(function) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def status_writers_in(source: str) -> set[str]:
    """The functions of a DAO module that write a status: directly, or by calling one of the module's writers."""
    functions = _functions(ast.parse(source))
    writers = {name for name, function in functions.items() if _sets_status(function)}
    grown = True
    while grown:
        callers = {name for name, function in functions.items() if _called_names(function) & writers}
        grown = not callers <= writers
        writers |= callers
    return writers


def guards_in(source: str) -> set[str]:
    """The guards a DAO module may call: the status machine's, and the module's helpers that build a condition on
    them (a function that writes a status itself is a writer, not a guard)."""
    functions = _functions(ast.parse(source))
    guards = set(GUARDS)
    grown = True
    while grown:
        helpers = {
            name
            for name, function in functions.items()
            if _called_names(function) & guards and not _sets_status(function)
        }
        grown = not helpers <= guards
        guards |= helpers
    return guards


def dao_status_writers() -> set[str]:
    """Every public status writer of the DAO package."""
    return {
        name for path in DAO.glob("*.py") for name in status_writers_in(path.read_text()) if name.startswith("dao_")
    }


def uses_of(names: set[str], source: str) -> Iterator[tuple[int, str]]:
    """(line, name) of every import of, or reference to, one of ``names`` in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            yield from ((node.lineno, alias.name) for alias in node.names if alias.name in names)
        elif isinstance(node, ast.Attribute) and node.attr in names:
            yield node.lineno, node.attr
        elif isinstance(node, ast.Name) and node.id in names:
            yield node.lineno, node.id


def _modules_outside_the_dao() -> Iterator[Path]:
    for path in sorted(APP.rglob("*.py")):
        if DAO not in path.parents and path not in MODULES_ALLOWED_TO_WRITE_STATUSES:
            yield path


def test_the_status_writers_are_found_in_the_dao_source() -> None:
    assert dao_status_writers() >= {
        "dao_update_notification_status_by_id",
        "dao_update_awaiting_notification_status_from_receipt",
        "dao_update_notification_status_by_receipt",
        "dao_apply_receipt_moves",
        "dao_timeout_sending_notifications",
        "dao_fail_unsent_notifications",
        "dao_claim_notification_for_sending",
        "dao_release_sending_claim",
        "dao_release_sending_claim_to_await_receipt",
        "dao_release_stale_sending_claims",
    }


def test_no_module_but_the_status_changes_and_the_claims_calls_a_status_writer() -> None:
    writers = dao_status_writers()

    offenders = [
        f"{path.relative_to(APP.parent)}:{line} uses {name}"
        for path in _modules_outside_the_dao()
        for line, name in uses_of(writers, path.read_text())
    ]

    assert offenders == []


def test_the_allowed_modules_do_call_the_status_writers() -> None:
    """The scan reads what it should: without this, a scan that saw nothing would pass the test above."""
    writers = dao_status_writers()

    used = {
        path.name: {name for _, name in uses_of(writers, path.read_text())}
        for path in MODULES_ALLOWED_TO_WRITE_STATUSES
    }

    assert "dao_update_notification_status_by_id" in used["status_changes.py"]
    assert "dao_claim_notification_for_sending" in used["claims.py"]


@pytest.mark.parametrize(
    "source",
    [
        "from app.dao.notification_status_dao import dao_update_notification_status_by_id\n",
        "from app.dao import notification_status_dao\nnotification_status_dao.dao_fail_unsent_notifications()\n",
        "import app.dao.notification_sending_dao as sending\nsending.dao_release_sending_claim(1, claimed_at=None)\n",
    ],
    ids=["imported-by-name", "called-through-its-module", "called-through-an-alias"],
)
def test_the_scan_catches_a_direct_call_however_it_is_written(source: str) -> None:
    assert list(uses_of(dao_status_writers(), source)) != []


def test_a_helper_that_builds_on_the_guard_is_a_guard_and_nothing_else_is() -> None:
    source = (
        "def _claimable(t):\n    return may_become(S) & ready(t)\n"
        "def _ready(t):\n    return t < 1\n"
        "def dao_claim(i):\n    return update(N).where(_claimable(1)).values(status=S)\n"
    )

    assert guards_in(source) == GUARDS | {"_claimable"}


def test_a_helper_that_writes_the_status_makes_its_callers_writers_too() -> None:
    source = (
        "def _write(i):\n    return update(N).where(may_become(S)).values(status=S)\n"
        "def dao_move(i):\n    return _write(i)\n"
        "def dao_read(i):\n    return select(N)\n"
    )

    assert status_writers_in(source) == {"_write", "dao_move"}


def test_every_dao_function_that_sets_a_status_guards_it_with_the_status_machine() -> None:
    unguarded = [
        f"{path.name}:{function.name}"
        for path in DAO.glob("*.py")
        for function in _functions(ast.parse(path.read_text())).values()
        if _sets_status(function) and not _called_names(function) & guards_in(path.read_text())
    ]

    assert unguarded == []
