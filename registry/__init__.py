"""Ecolabel mutual-recognition standards registry: the pure core.

The core reads, validates and compares JSON documents. It imports neither a web framework
nor an ORM; persistence and the web UI are adapters around it.
"""

__version__ = "0.1.0"
