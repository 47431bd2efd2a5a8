"""Exceptions of the core: for programming errors and missing things, never for user data.

User data problems are reported as findings (see ``registry.findings``).
"""

from collections.abc import Sequence


class RegistryError(Exception):
    """Base class of every exception the core raises on purpose."""


class NotFoundError(RegistryError):
    """A document, version or schema that was asked for does not exist."""


class ConfigurationError(RegistryError):
    """The registry was set up with paths or schemas that cannot be used."""


class ConflictError(RegistryError):
    """An edit was based on a stale copy: someone saved the draft in between."""


class ImmutableError(RegistryError):
    """An attempt to change or delete published content: a change must be a new version."""


class InvalidDocumentError(RegistryError):
    """A document that fails validation; ``findings`` says what and where."""

    def __init__(self, message: str, findings: Sequence[object]) -> None:
        super().__init__(message)
        self.findings = findings


class ReviewRefused(RegistryError):
    """A review the four-eyes rule refuses: the reviewer entered the value, or there is nothing to verify."""
