"""Writes: each function changes objects, flushes and records audit events; callers commit.

Functions raise ``OperationError`` with a message for the person who asked; nothing is
written when they raise (the caller rolls back).
"""


class OperationError(Exception):
    """A request that cannot be carried out, with a message meant for the user."""
