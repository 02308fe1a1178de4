"""Modules imported on first use, so that a page that never needs them never pays for them."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed only when one of its attributes is first read.

    Why: the demand views bring in pandas, numpy, scipy and pyarrow (about 170 MB resident,
    measured by tracing imports while the URLs load). Importing them at start-up made every server
    process carry them, including the one streaming a 1 GB evidence upload, whose memory goal is
    under 200 MB. Loaded lazily, only a process that serves a demand page pays for them.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
