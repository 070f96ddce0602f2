"""The two Jinja2 environments: HTML (autoescape on) and LaTeX (every value escaped by finalize).

Both load templates from `reports/templates`. Pre-rendered mathematics is marked safe
(`markupsafe.Markup` for HTML, `latex.Tex` for LaTeX); everything else a user wrote is escaped.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from gradverify.render.latex import Tex, escape


@lru_cache(maxsize=1)
def html_env() -> jinja2.Environment:
    """HTML templates with autoescape on for every template."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gradverify", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _finalize(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, Tex) else escape(value)


@lru_cache(maxsize=1)
def latex_env() -> jinja2.Environment:
    """LaTeX templates: ((* block *)), ((( value ))), ((# comment #)); values escaped unless Tex."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gradverify", "templates"),
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((#",
        comment_end_string="#))",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
