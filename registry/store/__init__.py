"""The registry of record: SQLModel tables, engines, migrations and the services over them.

This adapter is the only place that knows SQLAlchemy; the core in ``registry`` stays free of it.
Nothing here builds an engine at import time: ``make_engine(url)`` does.
"""
