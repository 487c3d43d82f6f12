"""Database access: the connection pool and the named-SQL loader."""
