"""The house's shape: no import cycle among the project's modules, and the library never imports the bench."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_imports() -> dict[str, set[str]]:
    """module -> project modules it imports (at any depth of the file, lazy imports included)."""
    mods = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for pkg in ("landslide", "bench") for p in (ROOT / pkg).rglob("*.py")}
    out = {}
    for name, path in mods.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != name and not name.startswith(t + "."):  # a package's own __init__ is not a cycle
                    deps.add(t)
        out[name] = deps
    return out


def test_no_import_cycle():
    graph = module_imports()
    state: dict[str, int] = {}

    def visit(m, path):
        state[m] = 1
        for d in graph[m]:
            assert state.get(d) != 1, "import cycle: " + " -> ".join(path + [d])
            if d not in state:
                visit(d, path + [d])
        state[m] = 2
    for m in graph:
        if m not in state:
            visit(m, [m])


def test_the_library_never_imports_the_bench():
    graph = module_imports()
    assert not [(m, d) for m, ds in graph.items() if m.startswith("landslide") for d in ds if d.startswith("bench")]


def test_run_layer_functions_are_short():
    """The run layer reads in an afternoon: no function in landslide/train/ over 60 lines."""
    long = [f"{p.name}:{n.name} ({n.end_lineno - n.lineno + 1} lines)"
            for p in (ROOT / "landslide" / "train").glob("*.py") for n in ast.walk(ast.parse(p.read_text()))
            if isinstance(n, ast.FunctionDef) and n.end_lineno - n.lineno + 1 > 60]
    assert not long, long
