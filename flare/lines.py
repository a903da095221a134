"""Lines of a JSON-lines file, read one at a time and each bounded: a huge line is never held."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flare.defaults import KEPT_BYTES, MAX_LINE_BYTES

_DRAIN = 64 * 1024  # bytes read at a time while skipping the rest of an over-long line


@dataclass(frozen=True)
class Line:
    """One line: its bytes without the line end, or only the first of them if it is too long."""

    number: int  # 1-based
    raw: bytes
    size: int  # bytes it took in the file, line end included (for progress)
    too_long: bool = False

    def refusal(self, limit: int = MAX_LINE_BYTES) -> str:
        """What is wrong with an over-long line, as a dead letter or an error line says it."""
        return (
            f"line of {self.size} bytes is over the limit of {limit}: not read "
            f"(its first {len(self.raw)} bytes are kept)"
        )


def lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES, kept: int = KEPT_BYTES) -> Iterator[Line]:
    """Every line of `handle`; one longer than `limit` bytes is skipped to its end, never read
    whole, and comes back with `too_long` set and only its first `kept` bytes."""
    number = 0
    while chunk := handle.readline(limit + 1):
        number += 1
        if chunk.endswith(b"\n") or len(chunk) <= limit:
            yield Line(number, chunk.rstrip(b"\r\n"), len(chunk))
            continue
        size = len(chunk)
        piece = chunk
        while not piece.endswith(b"\n") and (piece := handle.readline(_DRAIN)):
            size += len(piece)
        yield Line(number, chunk[:kept], size, too_long=True)
