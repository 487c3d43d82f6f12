"""Tasks: the first vertical slice and the pattern other resources copy.

``routes`` (thin HTTP adapters) → ``service`` (rules, SQL composition, transactions) →
``queries.sql`` (named statements) → ``schemas`` (msgspec structs in and out).
"""
