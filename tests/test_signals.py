"""Every blinker signal the packages define has a receiver once the application is built: a lower
package announces what happened through a signal, and a signal nobody listens to is news lost."""
import ast
import importlib

import blinker
import pytest

from app import create_app
from tests.support import project_modules

SIGNAL_FACTORIES = {"signal", "Signal", "NamedSignal"}  # Namespace().signal(...), Signal(...), NamedSignal(...)


def assigned_signals(tree):
    """(attribute, line) of each module-level `name = <...>.signal(...)`, `Signal(...)` or `NamedSignal(...)`."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            function = node.value.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
            if name in SIGNAL_FACTORIES:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        yield target.id, node.lineno


def project_signals():
    """{signal: "module.attribute (path:line)"} for every signal defined in the packages' code: the
    assignments found in every module, and whatever Signal a `signals` module holds."""
    found = {}
    for module, relative, path in project_modules():
        definitions = list(assigned_signals(ast.parse(path.read_text(encoding="utf-8"), filename=relative)))
        if not definitions and path.name != "signals.py":
            continue
        loaded = importlib.import_module(module)
        for attribute, line in definitions:
            found.setdefault(getattr(loaded, attribute), f"{module}.{attribute} ({relative}:{line})")
        if path.name == "signals.py":
            for attribute, value in vars(loaded).items():
                if isinstance(value, blinker.Signal):
                    found.setdefault(value, f"{module}.{attribute} ({relative})")
    return found


def test_every_project_signal_has_a_receiver_once_the_app_is_built():
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})
    signals = project_signals()
    assert len(signals) >= 3, signals  # campaigns, donations and the round-up each announce something
    unheard = sorted(where for signal, where in signals.items() if not signal.receivers)
    if unheard:
        pytest.fail(f"{len(unheard)} signal(s) without a receiver:\n" + "\n".join(unheard), pytrace=False)
