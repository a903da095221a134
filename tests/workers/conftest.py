"""Fixtures for the workers' tests: the fake X API."""

from tests.fakes.x_api import fake_x

__all__ = ["fake_x"]
