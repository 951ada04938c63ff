"""The outbox lives in ``liaison.lib.outbox`` (every app queues tasks through it)."""

from liaison.lib.outbox import drain, enqueue, send

__all__ = ["drain", "enqueue", "send"]
