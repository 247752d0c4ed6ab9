"""The sandboxed Jinja environments that render export templates, and their errors made readable."""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from sigworkbook import settings
from sigworkbook.exports import markdown
from sigworkbook.exports.errors import ExportError
from sigworkbook.plan import wording
from sigworkbook.resources import templates_dir


def _loader(templates: Path | None) -> jinja2.BaseLoader:
    packaged = jinja2.FileSystemLoader(templates_dir(), encoding="utf-8")
    if templates is None:
        return packaged
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates, encoding="utf-8"), packaged])


"""The environment variable naming an organisation's own template folder (the app honours it)."""


def _date(value: Any) -> str:
    return wording.long_date(value) if value else ""


@lru_cache(maxsize=16)
def _environment(templates: Path | None, kind: str) -> SandboxedEnvironment:
    common: dict[str, Any] = {
        "loader": _loader(templates),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    if kind == "markdown":
        env = SandboxedEnvironment(autoescape=False, finalize=markdown.finalize, **common)
        env.filters.update(
            block=markdown.block,
            item=markdown.item,
            quote=markdown.quote,
            inline=markdown.inline,
            cell=markdown.inline,
            url=markdown.url,
        )
        env.globals["to_be_agreed"] = markdown.TO_BE_AGREED
    else:
        env = SandboxedEnvironment(autoescape=True, **common)
    env.filters.update(date=_date, short_date=lambda d: wording.short_date(d) if d else "")
    return env


def _where(error: BaseException, names: set[str]) -> str:
    """'file:line' of the innermost template frame in the error's traceback, if any."""
    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(".j2") or frame.filename in names:
            found = f"{frame.filename}:{frame.lineno}"
    return found


def _chosen(templates: Path | None) -> Path | None:
    """The organisation's template folder: the one given, else $SIGWORKBOOK_TEMPLATES's."""
    return templates if templates is not None else settings.TEMPLATES.read()


REFERENCE_DOCUMENT = "reference.docx"
"""The Word document in an organisation's folder that the Word exports take their look from."""


def template_files(templates: Path | None = None) -> list[Path]:
    """Every template file the exports may read: the organisation's, then the packaged ones,
    then the organisation's reference.docx if it has one."""
    chosen = _chosen(templates)
    folders = [chosen, templates_dir()] if chosen is not None else [templates_dir()]
    found = [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.j2"))]
    reference = reference_document(templates)
    return found if reference is None else [*found, reference]


def reference_document(templates: Path | None = None) -> Path | None:
    """The organisation's reference.docx (styles, header, logo) for the Word exports, if any."""
    chosen = _chosen(templates)
    if chosen is None:
        return None
    path = chosen / REFERENCE_DOCUMENT
    return path if path.is_file() else None


def _check_folder(templates: Path | None) -> None:
    if templates is not None and not templates.is_dir():
        raise ExportError(f"templates folder {templates}: does not exist or is not a folder")


def render_template(
    name: str, variables: dict[str, Any], *, templates: Path | None, kind: str
) -> str:
    """Render template `name` ('markdown' or 'html' escaping); any failure is an ExportError.

    Without `templates`, an organisation's folder named by $SIGWORKBOOK_TEMPLATES is used, if set.
    """
    templates = _chosen(templates)
    _check_folder(templates)
    folder = templates.resolve() if templates is not None else None
    env = _environment(folder, kind)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}:{error.lineno}"
        raise ExportError(f"template {where}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        searched = f"{folder} or {templates_dir()}" if folder else str(templates_dir())
        raise ExportError(f"template {error.name}: not found in {searched}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"template {name}: cannot be read ({error})") from None
    try:
        return template.render(variables)
    except jinja2.TemplateSyntaxError as error:  # in an included or imported template
        where = f"{error.filename or error.name}:{error.lineno}"
        raise ExportError(f"template {where}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        where = _where(error, {template.filename or name}) or name
        searched = f"{folder} or {templates_dir()}" if folder else str(templates_dir())
        raise ExportError(f"template {where}: '{error.name}' was not found in {searched}") from None
    except ExportError:
        raise
    except Exception as error:  # any error raised while a template runs is the template's fault
        where = _where(error, {template.filename or name}) or template.filename or name
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        raise ExportError(f"template {where}: {message}") from None


def compile_ahead(name: str, *, kind: str, templates: Path | None = None) -> None:
    """Compile template `name` and every template it includes, so that their first render
    pays nothing for it (a pre-heated kernel does this while it waits for its visitor: the
    review page's charter compiled three templates, 60 ms). Anything wrong is left for the
    real render to say."""
    chosen = _chosen(templates)
    if chosen is not None and not chosen.is_dir():
        return
    env = _environment(chosen.resolve() if chosen is not None else None, kind)
    waiting, seen = [name], set()
    while waiting:
        current = waiting.pop()
        if current in seen or env.loader is None:
            continue
        seen.add(current)
        try:
            source, _, _ = env.loader.get_source(env, current)
            env.get_template(current)
            waiting += [n for n in meta.find_referenced_templates(env.parse(source)) if n]
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            continue
