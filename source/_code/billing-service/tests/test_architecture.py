"""Structural test: domain code must not import UI code.

Catches every spelling of the import: `import app.ui`, `from app.ui import x`,
`from app import ui` and relative imports such as `from ..ui import x`.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]  # the repository
DOMAIN, FORBIDDEN = "app.domain", "app.ui"
HINT = ("app.domain must not import app.ui. Move what both need into "
        "app/domain/ and import it from there. See docs/architecture.md.")


def module_name(path, root):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(node, module, is_package):
    """Full names of the modules an import statement can load."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against this module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[:len(package) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    # `from app import ui` loads app.ui: count each imported name as well
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def forbidden_imports(root=ROOT):
    problems = []
    for path in sorted((root / DOMAIN.replace(".", "/")).rglob("*.py")):
        module = module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in imported_modules(node, module, path.name == "__init__.py"):
                if name == FORBIDDEN or name.startswith(FORBIDDEN + "."):
                    problems.append(f"{path.relative_to(root)}:{node.lineno}: imports {name}")
                    break
    return problems


def test_domain_does_not_import_ui():
    problems = forbidden_imports()
    assert not problems, HINT + "\n" + "\n".join(problems)
