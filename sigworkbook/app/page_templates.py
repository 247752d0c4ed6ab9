"""Voila's page templates compiled once per server, not again for every page it renders."""

from __future__ import annotations

from typing import Any

import jinja2
from voila.exporter import VoilaExporter

# Voila makes a new exporter, so a new Jinja environment, for every page it renders (a visit,
# and each kernel the pool heats), and Jinja then parses and compiles the page's 14 templates
# again: about 0.1 s of the server's time each. Jinja's bytecode cache keeps what it compiled,
# keyed by each template's name, file and source, so an edited template is compiled afresh.


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# A template compiles to different code for an async environment (Voila's pages) and a plain
# one, and a cache key names only the template: one cache for each.
_CACHES = {True: _CompiledTemplates(), False: _CompiledTemplates()}


class CompiledOnceExporter(VoilaExporter):  # type: ignore[misc]
    """Voila's exporter, whose environment shares the templates compiled before."""

    def _create_environment(self) -> Any:
        environment = super()._create_environment()
        environment.bytecode_cache = _CACHES[bool(environment.is_async)]
        return environment
