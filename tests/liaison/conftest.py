"""Fixtures shared by the people app's test modules."""

from tests.liaison.api_world import as_clerk_a, frozen, people  # noqa: F401
