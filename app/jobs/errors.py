"""Why a bulk send was refused: every problem with the file or its rows, each naming the row and column."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import ValidationError

MAX_REPORTED_PROBLEMS = 50


class JobFileError(ValidationError):
    """The file or its rows cannot be sent; one message per problem, at most MAX_REPORTED_PROBLEMS of them and then
    an `And N more problems` entry. Nothing has been stored."""

    def __init__(self, problems: Sequence[str], *, total: int | None = None) -> None:
        total = len(problems) if total is None else total
        shown = list(problems[:MAX_REPORTED_PROBLEMS])
        if total > len(shown):
            shown.append(f"And {total - len(shown)} more problems")
        super().__init__(shown)
        self.total = total
