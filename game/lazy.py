"""Package exports imported on first use (PEP 562), so importing one light submodule
does not pull in the heavy ones beside it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package` that imports each name in `exports` (name ->
    module) when it is first asked for, and keeps it in the package from then on."""

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        setattr(sys.modules[package], name, value)  # once
        return value

    return __getattr__
