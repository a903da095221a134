"""JSON-lines files read a bounded line at a time: a huge line is skipped, never held whole."""

from __future__ import annotations

import io

from flare.lines import lines, looks_like


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


def test_a_file_that_is_not_json_lines_is_named_for_what_it_looks_like() -> None:
    seen = {
        "csv": looks_like(b"id,text,created_at\n1,@acme hi,2026-11-20\n"),
        "tsv": looks_like(b"id\ttext\n1\thi\n"),
        "array": looks_like(b'[{"id": "1", "text": "@acme"},\n {"id": "2"}]'),
        "pretty": looks_like(b'{\n  "id": "1",\n  "text": "@acme"\n}\n'),
        "html": looks_like(b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>"),
        "empty": looks_like(b"\n\n  \n"),
        "gzip": looks_like(b"\x1f\x8b\x08\x00\x00\x00\x00\x00"),
        "binary": looks_like(b"\x00\x01\x02garbage\xff\xfe"),
        "json, not mentions": looks_like(b'{"valid": "json"}\n{"also": 1}\n'),
        "text": looks_like(b"hello there\nsecond line\n"),
    }

    assert seen["csv"].startswith("this looks like CSV, not JSON lines")
    assert seen["tsv"].startswith("this looks like tab-separated values")
    assert seen["array"].startswith("this looks like a JSON array") and "jq -c" in seen["array"]
    assert seen["pretty"].startswith("this looks like one JSON document over several lines")
    assert seen["html"].startswith("this looks like an HTML page")
    assert seen["empty"] == "the file is empty"
    assert seen["gzip"].startswith("this looks like a gzip file") and "gunzip" in seen["gzip"]
    assert seen["binary"].startswith("this looks like binary data")
    assert seen["json, not mentions"].startswith("its lines are JSON, but not mentions")
    assert seen["text"].startswith("this looks like plain text")


def test_a_character_cut_at_the_end_of_the_bytes_read_is_still_text() -> None:
    head = ("id,text\n1,café " * 300).encode()[:4095]  # may end inside "é"

    assert looks_like(head).startswith("this looks like CSV")
