"""Read a rendered page's tables as rows of cell texts, so tests assert on what a reader sees."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._count += 1
            self._rows, self._caption = [], None
        elif tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or f"table {self._count}"] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Every table by its caption (else `table N`, counting from 1), each row a list of its cells' text."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row_starting(rows: list[list[str]], *first_cells: str) -> list[str]:
    matching = [row for row in rows if row[: len(first_cells)] == list(first_cells)]
    assert len(matching) == 1, (first_cells, rows)
    return matching[0]
