"""Registration numbers: unique, never reused, sequential per (region, year), in a configurable format.

The format is the setting ``TECHSME_REGISTRATION_NUMBER_FORMAT`` (a ``str.format`` pattern with ``year``,
``region6`` and ``seq``; default ``{year}{region6}{seq:05d}``) — the official format is not settled, so the number is
an opaque string. A number is issued by locking the ``RegistrationCounter`` row of its region and year inside the
caller's transaction: concurrent issuers queue on that row, and a rolled-back transaction also rolls back its
increment, so the sequence has neither duplicates nor gaps.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from techsme.evaluation.models import RegistrationCounter

DEFAULT_FORMAT = "{year}{region6}{seq:05d}"


def number_format() -> str:
    return getattr(settings, "TECHSME_REGISTRATION_NUMBER_FORMAT", DEFAULT_FORMAT)


def format_number(region6: str, year: int, seq: int) -> str:
    return number_format().format(year=year, region6=region6, seq=seq)


def _locked_counter(region6: str, year: int) -> RegistrationCounter:
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a lost creation race does not spoil the caller's transaction
                counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(
                    region6=region6, year=year
                )
            return counter
        except IntegrityError:
            continue
    raise RuntimeError(f"could not create the registration counter for {region6}/{year}")


def lock_counters(keys: Iterable[tuple[str, int]]) -> None:
    """Lock the counters of several (region6, year) keys in sorted order (no deadlock between two batches)."""
    for region6, year in sorted(set(keys)):
        _locked_counter(region6, year)


def issue(region6: str, year: int) -> tuple[int, str]:
    """The next (sequence, number) for the region and year. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("numbering.issue() must run inside the transaction that stores the registration")
    counter = _locked_counter(region6, year)
    seq = counter.next_seq
    counter.next_seq = seq + 1
    counter.save(update_fields=["next_seq"])
    return seq, format_number(region6, year, seq)
