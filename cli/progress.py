"""How far a long command has got, on stderr: a bar on a terminal, nothing when piped or logged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

Step = Callable[[int], None]


def _nothing(done: int) -> None:
    pass


@contextmanager
def progress(console: Console, what: str, total: int, in_bytes: bool = False) -> Iterator[Step]:
    """Yield a function to call with each piece of work done (a count, or bytes).

    The bar is drawn only when `console` writes to a terminal, and it leaves nothing behind, so
    the lines a command prints afterwards (and stdout, never touched) read the same either way.
    """
    if not console.is_terminal:
        yield _nothing
        return
    amount: ProgressColumn = DownloadColumn() if in_bytes else MofNCompleteColumn()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        amount,
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,  # stdout may be JSON lines going to a file
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.advance(task, done)
