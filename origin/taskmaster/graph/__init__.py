"""The task graph (docs/task-graph.md): dependency edges that never close a cycle, the next ready task,
atomic leases for parallel agents, subtask batches, blockers and a project's critical path.

Same layout as ``tasks``: ``routes`` → ``service`` (rules, locking; see its docstring for the
concurrency model) → ``queries.sql`` → ``schemas``; graph walks that a recursive CTE cannot do in
linear time live in ``algorithms`` (pure functions).
"""
