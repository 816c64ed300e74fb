"""The one switch that selects which implementation the losses run (for tests).

By default every loss runs its fastest path that applies: a fast path of
:mod:`crossent._fast_paths` where it can prove its accuracy, else the reference path of
:mod:`crossent.reference`. Tests compare the two by allowing only some of them::

    from crossent import _paths

    with _paths.only("reference"):  # the reference path alone
        ...
    with _paths.only("float32"):  # the float32 fast path wherever its proof holds
        ...
    with _paths.only("reference", block_entries=8):  # tiny blocks: 2 rows of 4
        ...
    with _paths.only("float32") as ran:
        ...
    assert ran["float32"] and not ran["reference"]  # which paths ran, block by block

The reference path is always allowed (a fast path that declines falls back to it). A
fast path named in :func:`only` runs wherever it applies, even on rows too small for it
to pay off. ``block_entries`` sets the number of entries per block of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FAST_PATHS", "allowed", "block_entries", "named", "only", "record"]

# "short": float32 rows of at most SHORT_ROWS classes, no options, class-major.
# "float32": float32 exponentials on wide rows, used where an error bound proves them.
FAST_PATHS = ("short", "float32")

_allowed = set(FAST_PATHS)
_named: set[str] = set()
_block_entries: list[int | None] = [None]
_ran: list[Counter[str] | None] = [None]


def allowed(path: str) -> bool:
    """Whether the fast path ``path`` may run."""
    return path in _allowed


def named(path: str) -> bool:
    """Whether :func:`only` named the fast path ``path`` explicitly."""
    return path in _named


def record(path: str) -> None:
    """Count one block (or one call) computed by ``path``, inside :func:`only`."""
    if _ran[0] is not None:
        _ran[0][path] += 1


def block_entries(default: int) -> int:
    """The number of entries per block of rows: ``default``, unless :func:`only` set one."""
    return default if _block_entries[0] is None else _block_entries[0]


@contextmanager
def only(*paths: str, block_entries: int | None = None) -> Iterator[Counter[str]]:
    """Within the block, allow only the fast ``paths`` (and the reference path).

    Yields a counter of the paths that ran, by name.
    """
    unknown = set(paths) - {"reference", *FAST_PATHS}
    if unknown:
        raise ValueError(f"unknown paths {sorted(unknown)}; known: reference, {FAST_PATHS}")
    saved = set(_allowed), set(_named), _block_entries[0], _ran[0]
    _allowed.clear()
    _allowed.update(set(paths) & set(FAST_PATHS))
    _named.clear()
    _named.update(_allowed)
    _block_entries[0] = block_entries
    _ran[0] = Counter()
    try:
        yield _ran[0]
    finally:
        _allowed.clear()
        _allowed.update(saved[0])
        _named.clear()
        _named.update(saved[1])
        _block_entries[0], _ran[0] = saved[2], saved[3]
