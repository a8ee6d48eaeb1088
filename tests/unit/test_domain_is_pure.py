"""domain/ holds the rules only: it must not import Flask, SQLAlchemy or anything doing I/O."""

import ast
from pathlib import Path

import server.domain

FORBIDDEN = {"flask", "flask_socketio", "sqlalchemy", "socketio", "requests", "escpos", "alembic"}


def test_domain_imports_no_framework():
    root = Path(server.domain.__file__).parent
    offenders = []
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
