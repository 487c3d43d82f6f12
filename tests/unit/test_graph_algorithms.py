"""The pure graph algorithms behind validate and the critical path."""

from __future__ import annotations

from taskmaster.graph.algorithms import (
    adjacency,
    find_cycles,
    longest_chain,
    shortest_path,
    strongly_connected,
    topological_order,
)


def test_adjacency_drops_edges_leaving_the_node_set() -> None:
    assert adjacency("ab", [("a", "b"), ("a", "z"), ("z", "a")]) == {"a": ["b"], "b": []}


def test_shortest_path_prefers_fewer_hops() -> None:
    graph = {"a": ["b", "c"], "b": ["d"], "c": ["x"], "x": ["d"], "d": []}
    assert shortest_path(graph, "a", "d") == ["a", "b", "d"]
    assert shortest_path(graph, "d", "a") is None
    assert shortest_path(graph, "a", "a") == ["a"]


def test_cycles_one_per_component_written_as_closed_walks() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["e"], "e": ["d"], "f": ["a"]}
    cycles = find_cycles(graph)
    assert sorted(cycles) == [["a", "b", "c", "a"], ["d", "e", "d"]]
    assert find_cycles({"a": ["b"], "b": []}) == []
    assert find_cycles({"a": ["a"]}) == [["a", "a"]]


def test_deep_chains_do_not_recurse() -> None:
    n = 50_000
    graph = {i: [i + 1] for i in range(n)} | {n: [0]}
    assert len(strongly_connected(graph)) == 1
    assert topological_order({i: [i + 1] for i in range(n)} | {n: []}) is not None


def test_longest_chain_weights_nodes_and_returns_prerequisites_first() -> None:
    # dependent -> prerequisites
    graph = {"release": ["integrate", "docs"], "integrate": ["back", "front"],
             "back": ["design"], "front": ["design"], "design": [], "docs": []}  # fmt: skip
    weight = {"release": 0.5, "integrate": 1, "back": 8, "front": 5, "design": 2}
    assert longest_chain(graph, weight) == (11.5, ["design", "back", "integrate", "release"])
    assert longest_chain({}, {}) == (0.0, [])
    assert longest_chain({"a": ["b"], "b": ["a"]}, {}) is None
