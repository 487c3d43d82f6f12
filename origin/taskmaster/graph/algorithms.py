"""Pure graph algorithms over the prerequisite graph (no I/O, unit-tested on their own).

Edges are ``(dependent, prerequisite)`` pairs: the dependent cannot start before the prerequisite
is completed. The SQL side normalises the stored edge types into that one direction (``A depends_on
B`` → ``(A, B)``; ``A blocks B`` → ``(B, A)``; ``related`` is not an ordering edge).

Why here and not in a recursive CTE: a recursive term cannot aggregate, so a longest-path or a
"which tasks lie on a cycle" question answered by a CTE has to enumerate paths, which grows
exponentially on a DAG with shared ancestors. Fetched once (one indexed query), the same questions
take linear time here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def adjacency(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> dict[N, list[N]]:
    """``dependent → [prerequisites]`` for the given nodes (edges leaving the set are dropped)."""
    graph: dict[N, list[N]] = {node: [] for node in nodes}
    for dependent, prerequisite in edges:
        if dependent in graph and prerequisite in graph:
            graph[dependent].append(prerequisite)
    return graph


def shortest_path(graph: Mapping[N, Iterable[N]], start: N, goal: N) -> list[N] | None:
    """The shortest walk ``start → … → goal`` along the edges (BFS), or None."""
    previous: dict[N, N | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (parent := previous[path[-1]]) is not None:
                path.append(parent)
            return path[::-1]
        for succ in graph.get(node, ()):
            if succ not in previous:
                previous[succ] = node
                queue.append(succ)
    return None


def strongly_connected(graph: Mapping[N, list[N]]) -> list[list[N]]:
    """Tarjan's strongly connected components (iterative: deep chains must not hit recursion
    limits), in the graph's node order."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    components: list[list[N]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[N, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, [])
            if child < len(successors):
                work.append((node, child + 1))
                succ = successors[child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def find_cycles(graph: Mapping[N, list[N]]) -> list[list[N]]:
    """One concrete cycle per strongly connected component that has one, each written as the
    walk ``a → b → … → a`` (first node repeated at the end)."""
    cycles = []
    for component in strongly_connected(graph):
        members = set(component)
        start = min(component, key=str)
        if len(component) == 1 and start not in graph.get(start, []):
            continue
        inside = {node: [s for s in graph.get(node, []) if s in members] for node in members}
        best: list[N] | None = None
        for succ in inside[start]:
            back = shortest_path(inside, succ, start)
            if back is not None and (best is None or len(back) < len(best) - 1):
                best = [start, *back]
        if best is not None:
            cycles.append(best)
    return cycles


def longest_chain(
    graph: Mapping[N, list[N]], weight: Mapping[N, float]
) -> tuple[float, list[N]] | None:
    """The heaviest chain (node weights) through the DAG, from the first prerequisite to the last
    dependent; ``(0, [])`` for an empty graph, None when the graph has a cycle. Ties are broken
    by the node order of ``graph`` so that answers are stable."""
    order = topological_order(graph)
    if order is None:
        return None
    best: dict[N, float] = {}
    via: dict[N, N | None] = {}
    for node in order:  # prerequisites first
        prior = None
        for prerequisite in graph[node]:
            if prior is None or best[prerequisite] > best[prior]:
                prior = prerequisite
        best[node] = weight.get(node, 0.0) + (best[prior] if prior is not None else 0.0)
        via[node] = prior
    if not best:
        return 0.0, []
    end = max(order, key=lambda node: best[node])
    chain = [end]
    while (prior := via[chain[-1]]) is not None:
        chain.append(prior)
    return best[end], chain[::-1]


def topological_order(graph: Mapping[N, list[N]]) -> list[N] | None:
    """Nodes with every prerequisite before its dependents (Kahn), or None on a cycle."""
    waiting = {node: len(prerequisites) for node, prerequisites in graph.items()}
    dependents: dict[N, list[N]] = {node: [] for node in graph}
    for node, prerequisites in graph.items():
        for prerequisite in prerequisites:
            dependents[prerequisite].append(node)
    ready = deque(node for node, count in waiting.items() if count == 0)
    order: list[N] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for dependent in dependents[node]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                ready.append(dependent)
    return order if len(order) == len(graph) else None
