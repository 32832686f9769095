"""`python -m tools.rebuild` knows every read model: a projection it missed could never be rebuilt."""

from __future__ import annotations

import importlib
import pkgutil
from typing import cast

import services
import shared
from shared.eventstore.projections import Projection
from tools.rebuild import PROJECTIONS


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found |= {sub, *_subclasses(sub)}
    return found


def test_the_rebuild_tool_lists_every_projection_of_the_code_base() -> None:
    # Import every module of the services and the shared package, so every subclass is defined (not the
    # migrations: alembic's env runs only under alembic).
    for package in (services, shared):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    defined = {
        cast("type[Projection]", cls).name
        for cls in _subclasses(Projection)
        if cls.__module__.startswith(("services.", "shared.")) and not getattr(cls, "__abstractmethods__", None)
    }

    assert defined
    assert defined == set(PROJECTIONS)
