"""TaskMaster API origin: a Litestar service over PostgreSQL, plus the ``taskmaster`` ops CLI."""
