"""Readers: worker processes that read posts' text on the other cores while this one decides."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from rules.engine import Engine, Reading
from rules.mention import Mention

Read = Callable[[Iterable[list[Mention]]], Iterator[list[Reading] | None]]
"""Batches in, each batch's readings out in the same order (None: the engine reads them)."""

_engine: Engine | None = None  # a reader's engine: the one built before the fork, shared


def _read(texts: list[tuple[str, str | None]]) -> list[Reading]:
    assert _engine is not None, "readers start from `readers()`, after the engine is built"
    return [_engine.read_text(text, lang) for text, lang in texts]


def _start_reader() -> None:
    """A reader stops when told: the handlers this process had (a CLI's SIGTERM hook that only
    sets a flag, say) would keep a reader alive through `Pool.terminate()`, and `join` hangs."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is this process's to handle


def _inline(batches: Iterable[list[Mention]]) -> Iterator[list[Reading] | None]:
    return (None for _ in batches)


@contextmanager
def readers(engine: Engine, processes: int) -> Iterator[Read]:
    """Read each batch's text in `processes` forked workers, a batch ahead of the decisions;
    with one process or fewer, nothing is started and the engine reads as it decides.

    Reading the text (tone, complaint, risks, language) is most of the engine's time and needs
    nothing but the text, so it can run anywhere; deciding needs what came before, in order,
    so it stays in this process."""
    if processes <= 1:
        yield _inline
        return
    global _engine
    _engine = engine  # forked workers inherit it, compiled patterns and all
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_start_reader)
    try:
        yield lambda batches: pool.imap(_read, ([(m.text, m.lang) for m in b] for b in batches))
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _engine = None
