import csv
from collections.abc import Iterator
from importlib import resources


def read_rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of a shipped CSV file as dicts (header row as keys)."""
    with resources.files("techsme.refdata").joinpath("data", name).open(encoding="utf-8") as handle:
        yield from csv.DictReader(handle)
