"""One small module per lesson topic, found without a registry to edit."""
import importlib
import pkgutil


def export_public_modules(package_name, package_path, namespace):
    """Import every non-underscore module of a package and copy the names in each module's
    ``__all__`` into ``namespace``; return those names, in module-name order."""
    exported = []
    for info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{package_name}.{info.name}")
            for name in module.__all__:
                namespace[name] = getattr(module, name)
                exported.append(name)
    return exported
