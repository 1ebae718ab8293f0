"""The API's resources, one module each, found here by themselves: adding a resource never edits this file.

Every module not starting with ``_`` is imported in name order; one that sets ``resource`` (a
``planner.api.framework.Resource``) has its operations installed. A module may also add its own operations
with ``@operation`` (for actions that are not create/update/delete).
"""
import importlib
import pkgutil

from planner.api.framework import install

for _module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _module_info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_module_info.name}")
    if getattr(_module, "resource", None) is not None:
        install(_module.resource)
