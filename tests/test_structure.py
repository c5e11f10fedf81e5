"""The packages' import structure, read from the sources with `ast` (app/, campaigns/, donations/,
receipts/; not tests/, bench/ or migrations/). Each test lists every violation, one `file:line` a line.

1. No import cycle between the project's modules. The graph has an edge for each module-level import
   (also inside module-level `if`/`try`/`with` and class bodies; not under `if TYPE_CHECKING:`, and
   not inside functions, which run later). `import a.b` and `from a import b` point at the module
   `a.b` when it exists, else at `a`. No implicit edges are added between a package and its
   submodules, so a package `__init__` re-exporting its submodules (`pkg -> pkg.sub`) is normal, and
   a submodule importing its own package (`pkg.sub -> pkg`) is a cycle only when `pkg/__init__`
   imports that submodule back at module level, directly or through other modules — exactly when
   Python would hand the submodule a half-initialised package. Each cycle is reported once, with
   the import that makes each of its steps; together they cover every import taking part in a cycle.
2. Dependencies point one way: receipts -> donations -> campaigns -> app (donations.roundup is part
   of donations, receipts.summaries of receipts). A package never imports a higher one, wherever
   the import stands. The one exception is the factory's registration step, the function
   `configure_domains` in app/__init__.py, which imports the domain packages to call their init_app.
3. A project module is imported inside a function only by the functions that register a package
   with the application: `init_app` and `register` (receipts/jobs.py) anywhere, and the factory's
   `configure_*` steps in app/__init__.py. Everywhere else project imports stand at the top of the
   module, where a cycle or a wrong-way dependency shows. Third-party imports inside functions (for
   example weasyprint, PIL, psycopg, segno: heavy, or needed by one path only) are not concerned.
"""
import ast
import functools
from collections import defaultdict, deque

import pytest

from tests.support import PACKAGES, project_modules

LAYERS = {"app": 0, "campaigns": 1, "donations": 2, "receipts": 3}  # a package may import lower ranks only
FACTORY = "app/__init__.py"
REGISTERING_FUNCTIONS = {"init_app", "register"}


class Import:
    def __init__(self, source, target, path, line, function, type_checking):
        self.source, self.target, self.path, self.line = source, target, path, line
        self.function = function  # the innermost enclosing function's name, None at module level
        self.type_checking = type_checking

    @property
    def where(self):
        return f"{self.path}:{self.line}"


class ImportCollector(ast.NodeVisitor):
    """Every import of a project module in one file, with the function it stands in."""

    def __init__(self, module, path, is_package, modules):
        self.module, self.path, self.modules = module, path, modules
        self.package = module if is_package else module.rpartition(".")[0]
        self.functions, self.type_checking, self.imports = [], 0, []

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node):
        test = node.test
        guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        self.visit(test)
        self.type_checking += guarded
        for child in node.body:
            self.visit(child)
        self.type_checking -= guarded
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node):
        for alias in node.names:
            self._add(self._resolve(alias.name), node)

    def visit_ImportFrom(self, node):
        if node.level:
            base = self.package.split(".")
            base = base[:len(base) - (node.level - 1)]
            parent = ".".join(base + ([node.module] if node.module else []))
        else:
            parent = node.module
        for alias in node.names:
            submodule = f"{parent}.{alias.name}"
            self._add(submodule if submodule in self.modules else self._resolve(parent), node)

    def _resolve(self, name):
        """The longest prefix of `name` that is a project module; None for third-party names."""
        if name.split(".")[0] not in LAYERS:
            return None
        parts = name.split(".")
        while parts and ".".join(parts) not in self.modules:
            parts.pop()
        return ".".join(parts) or None

    def _add(self, target, node):
        if target is not None and not any(i.target == target and i.line == node.lineno for i in self.imports):
            self.imports.append(Import(self.module, target, self.path, node.lineno,
                                       self.functions[-1] if self.functions else None, self.type_checking > 0))


@functools.cache
def project_imports():
    assert set(LAYERS) == set(PACKAGES)
    files = list(project_modules())
    modules = {module for module, _, _ in files}
    assert {"app", "campaigns.services", "donations.roundup", "receipts.summaries"} <= modules, sorted(modules)
    imports = []
    for module, relative, path in files:
        collector = ImportCollector(module, relative, path.name == "__init__.py", modules)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
        imports.extend(collector.imports)
    # A scanner that sees nothing would pass everything: the factory's registrations must be seen.
    assert any(i.path == FACTORY and i.function == "configure_domains" and i.target == "campaigns"
               for i in imports), "the scan no longer sees configure_domains importing campaigns"
    return imports


def report(title, violations):
    """Fail with every violation, one a line, in the order of the files and lines."""
    def location(line):
        path, number, _ = line.split(":", 2)
        return path, int(number)

    if violations:
        lines = sorted(violations, key=location)
        pytest.fail(f"{len(lines)} {title}:\n" + "\n".join(lines), pytrace=False)


def strongly_connected(graph):
    """Tarjan's strongly connected components of `graph` ({node: set of nodes}), iteratively."""
    index, low, on_stack, stack, components, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter[0]
                    counter[0] += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def shortest_path(graph, start, goal, within):
    """The shortest path start -> ... -> goal through nodes of `within`, as a list of nodes."""
    previous, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = previous[node]
            return path[::-1]
        for successor in sorted(graph[node] & within):
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    return None


def test_no_import_cycle_between_project_modules():
    graph, first_import = defaultdict(set), {}
    for imp in project_imports():
        if imp.function is None and not imp.type_checking:
            graph[imp.source].add(imp.target)
            graph[imp.target]
            first_import.setdefault((imp.source, imp.target), imp)
    violations, seen = [], set()
    for component in strongly_connected(graph):
        edges = sorted((a, b) for a in component for b in graph[a] & component)
        covered = set()
        for source, target in edges:
            if (source, target) in covered:
                continue
            cycle = [source] + (shortest_path(graph, target, source, component) if target != source else [source])
            steps = list(zip(cycle, cycle[1:]))
            covered.update(steps)
            start = cycle.index(min(cycle[:-1]))  # one rotation per cycle, from its smallest module
            steps = steps[start:] + steps[:start]
            key = tuple(steps)
            if key in seen:
                continue
            seen.add(key)
            chain = " -> ".join([steps[0][0]] + [b for _, b in steps])
            how = ", ".join(f"{first_import[step].where} imports {step[1]}" for step in steps)
            violations.append(f"{first_import[steps[0]].where}: import cycle {chain} ({how})")
    report("import cycle(s) between project modules", violations)


def test_packages_import_only_lower_packages():
    violations = []
    for imp in project_imports():
        source, target = imp.source.split(".")[0], imp.target.split(".")[0]
        if LAYERS[target] <= LAYERS[source]:
            continue
        if imp.path == FACTORY and imp.function == "configure_domains":
            continue
        violations.append(f"{imp.where}: {imp.source} imports {imp.target}, a higher package "
                          f"(receipts -> donations -> campaigns -> app)")
    report("import(s) of a higher package", violations)


def test_project_modules_are_imported_in_functions_only_to_register_a_package():
    violations = []
    for imp in project_imports():
        if imp.function is None or imp.function in REGISTERING_FUNCTIONS:
            continue
        if imp.path == FACTORY and imp.function.startswith("configure_"):
            continue
        violations.append(f"{imp.where}: {imp.target} imported inside {imp.function}(); "
                          "import it at the top of the module")
    report("in-function import(s) of project modules", violations)

