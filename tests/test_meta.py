"""Every test function must be able to fail: it asserts something."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _asserts(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
            if name in {"raises", "expect", "fail"} or "assert" in name:
                return True
    return False


def test_every_test_function_asserts_something():
    offenders = []
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef
            ) and node.name.startswith("test_"):
                if not _asserts(node):
                    offenders.append(f"{path.relative_to(TESTS)}::{node.name}")
    assert offenders == []


def test_no_test_module_defines_a_test_name_twice():
    # A second definition silently replaces the first, which then never runs.
    twice = []
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        ]
        twice += [
            f"{path.relative_to(TESTS)}::{name}"
            for name in set(names)
            if names.count(name) > 1
        ]
    assert sorted(twice) == []
