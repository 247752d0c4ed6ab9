"""No widget of ours redefines a name its ipywidgets base already has: ipywidgets calls its own
methods (`close` when a widget goes, at a kernel's exit too; `send`; `open`) and a method of ours
by that name would run instead (a "Close the SIG" button's `close` closed the SIG whenever its
kernel exited)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import ipywidgets as widgets

import sigworkbook

ALLOWED = {
    *("__init__", "__doc__", "__module__", "__qualname__", "__annotations__", "__dict__"),
    *("_traits", "_descriptors", "_instance_inits", "_static_immutable_initial_values"),
    *("_trait_default_generators", "_all_trait_default_generators"),
}
"""Names every class defines for itself, or traitlets' metaclass defines on every class."""


def our_widget_classes() -> list[type[widgets.Widget]]:
    found: dict[str, type[widgets.Widget]] = {}
    for module in pkgutil.walk_packages(sigworkbook.__path__, f"{sigworkbook.__name__}."):
        loaded = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, widgets.Widget) and cls.__module__.startswith("sigworkbook."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def ipywidgets_base(cls: type) -> type:
    return next(base for base in cls.__mro__ if base.__module__.startswith("ipywidgets."))


def test_no_widget_of_ours_redefines_a_name_of_its_ipywidgets_base() -> None:
    classes = our_widget_classes()
    assert len(classes) > 20, "the package's widgets were found"
    clashes = sorted(
        f"{cls.__module__}.{cls.__qualname__}.{name} (ipywidgets' {ipywidgets_base(cls).__name__}"
        f".{name})"
        for cls in classes
        for name in vars(cls)
        if name not in ALLOWED and hasattr(ipywidgets_base(cls), name)
    )
    assert not clashes, "rename these:\n" + "\n".join(clashes)
