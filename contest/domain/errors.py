"""Errors the domain raises; each carries a message already in the user's language."""


class DomainError(Exception):
    """A rule refused the change. `message` is translated and safe to show."""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotAllowed(DomainError):
    """The actor may not do this."""


class Conflict(DomainError):
    """The change clashes with the current state (locked, already used, full)."""
