"""The digest's chart is a PNG that opens, whatever the window holds."""

from __future__ import annotations

import io

import matplotlib.image
import redis

from flare.chart import PNG_SIGNATURE, png
from flare.report import build, gather
from tests.flare.test_report import at, script_a_day


def opens(data: bytes) -> tuple[int, ...]:
    assert data.startswith(PNG_SIGNATURE)
    return matplotlib.image.imread(io.BytesIO(data), format="png").shape


def test_a_day_draws_as_a_png_that_decodes(redis_client: redis.Redis) -> None:
    script_a_day(redis_client)

    height, width, _ = opens(png(gather(redis_client, at(0), at(23, 59))))

    assert (width, height) == (1000, 650)


def test_an_empty_window_still_draws() -> None:
    assert opens(png(build([], {}, at(0), at(23, 59))))[:2] == (650, 1000)
