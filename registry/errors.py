"""Exceptions of the core: for programming errors and missing things, never for user data.

User data problems are reported as findings (see ``registry.findings``).
"""


class RegistryError(Exception):
    """Base class of every exception the core raises on purpose."""


class NotFoundError(RegistryError):
    """A document, version or schema that was asked for does not exist."""


class ConfigurationError(RegistryError):
    """The registry was set up with paths or schemas that cannot be used."""
