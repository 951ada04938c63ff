"""The outbox lives in ``foundation.outbox`` (every app queues tasks through it)."""

from foundation.outbox import drain, enqueue, send

__all__ = ["drain", "enqueue", "send"]
