"""JSON-lines files read a bounded line at a time: a huge line is skipped, never held whole."""

from __future__ import annotations

import io

from flare.lines import lines


class Counting(io.BytesIO):
    """A file that remembers the most it was asked for in one read."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "a whole line was asked for"
        self.largest = max(self.largest, size)
        return super().readline(size)


def test_a_line_over_the_limit_comes_back_short_and_the_lines_after_it_are_read() -> None:
    huge = b"x" * 5_000_000
    handle = Counting(b'{"a": 1}\r\n' + huge + b"\n" + b'{"b": 2}')

    read = list(lines(handle, limit=1000, kept=16))

    assert [(line.number, line.too_long) for line in read] == [(1, False), (2, True), (3, False)]
    assert read[0].raw == b'{"a": 1}' and read[2].raw == b'{"b": 2}'
    assert read[1].raw == b"x" * 16 and read[1].size == len(huge) + 1
    assert "5000001 bytes is over the limit of 1000" in read[1].refusal(1000)
    assert handle.largest <= 64 * 1024  # never more than a chunk in hand


def test_a_line_at_the_limit_is_read_whole() -> None:
    read = list(lines(io.BytesIO(b"y" * 1000 + b"\n" + b"z" * 1000), limit=1000))

    assert [(len(line.raw), line.too_long) for line in read] == [(1000, False), (1000, False)]


def test_sizes_add_up_to_the_file_for_progress() -> None:
    data = b"a\n\n" + b"b" * 3000 + b"\nc"

    assert sum(line.size for line in lines(io.BytesIO(data), limit=100)) == len(data)
