"""A notebook exported as a self-contained page: no code, no script, nothing remote.

:func:`exporter` configures nbconvert's HTML exporter (the page template of ``templates/``, the
cells tagged ``remove-cell``/``remove-input``/``remove-output`` left out, every output
sanitised by :mod:`~govstats.briefings.sanitize`); :func:`notebook_to_page` exports an executed
notebook and embeds the subset CJK font (:mod:`~govstats.briefings.fontsubset`). Also the error
page of a failed briefing, the safe page paths and the atomic writes every page goes through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import jinja2

from govstats.briefings.fontsubset import embed_cjk_font
from govstats.briefings.printing import PAGE_WORDS, briefed_year, footer_css, footer_text
from govstats.briefings.sanitize import check_page, markdown_to_safe_html, sanitize_fragment

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


#: tags of cells the exporter drops entirely / drops the code of
REMOVE_CELL_TAGS = ("remove-cell", "govstats-reset", "injected-parameters", "parameters")


REMOVE_INPUT_TAGS = ("remove-input",)


REMOVE_OUTPUT_TAGS = ("remove-output",)


def _sanitize_preprocessor_class():
    from nbconvert.preprocessors import Preprocessor

    class SanitizeOutputs(Preprocessor):
        """Sanitise the HTML and Markdown of code-cell outputs (not the authored markdown cells)."""

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return cell, resources
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not data:
                    continue
                if "text/html" in data:
                    data["text/html"] = sanitize_fragment(_text(data["text/html"]))
                    data.pop("text/markdown", None)
                elif "text/markdown" in data:
                    data["text/html"] = markdown_to_safe_html(_text(data.pop("text/markdown")))
                # scripts in any other rich type are never rendered
                for mime in (
                    "application/javascript",
                    "text/javascript",
                    "application/vnd.jupyter.widget-view+json",
                ):
                    data.pop(mime, None)
                if (
                    "image/svg+xml" in data
                ):  # an SVG may carry scripts or remote links: keep PNG if any
                    if "image/png" in data:
                        data.pop("image/svg+xml")
            return cell, resources

    return SanitizeOutputs


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def exporter():
    """An ``nbconvert.HTMLExporter`` configured for briefings (build once per worker).

    Drops code, prompts and cells tagged ``remove-cell`` (and the parameters cells), keeps
    outputs; sanitises output HTML; uses ``templates/briefing.html.j2`` which loads no script.
    """
    # nbconvert is imported where pages are exported (the workers), not where a batch is planned
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    config.TagRemovePreprocessor.remove_input_tags = set(REMOVE_INPUT_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    config.TagRemovePreprocessor.enabled = True
    html = HTMLExporter(
        config=config,
        template_name="lab",
        template_file="briefing.html.j2",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        extra_template_paths=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    html.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    html.register_preprocessor(_sanitize_preprocessor_class()(), enabled=True)
    return html


def notebook_to_page(notebook, *, title: str, exporter_=None) -> str:
    """Export an executed notebook to a finished page: HTML, CJK font embedded, checked.

    ``title`` (Chinese, escaped by the template) becomes the page's ``<title>``. Raises
    :class:`UnsafePageError` if the result would load a remote resource or run a script.
    """
    notebook.metadata["title"] = title
    html, _ = (exporter_ or exporter()).from_notebook_node(
        notebook, resources={"language_code": "zh-CN"}
    )
    year = briefed_year(html)
    html = _add_style(html, footer_css(title, year))
    html = embed_cjk_font(html, extra=footer_text(title, year) + PAGE_WORDS)
    check_page(html)
    return html


def _add_style(html: str, css: str) -> str:
    """``css`` as the last style sheet before ``</head>``."""
    head_end = html.lower().find("</head>")
    if head_end < 0:
        raise ValueError("page has no </head>: cannot add its print footer")
    return f'{html[:head_end]}<style type="text/css">\n{css}\n</style>\n{html[head_end:]}'


@functools.lru_cache(maxsize=1)
def _jinja():
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_error_page(*, title: str, key: str, error: str, generated_at: str) -> str:
    """A page standing in for a failed briefing: what failed and the (escaped) error text."""
    html = (
        _jinja()
        .get_template("briefing-error.html.j2")
        .render(title=title, key=key, error=strip_ansi(error), generated_at=generated_at)
    )
    return embed_cjk_font(html, extra=PAGE_WORDS)


def years_text(years: Iterable[int]) -> str:
    """``2019–2025`` for a run of years, ``2019, 2021`` otherwise, ``—`` for none."""
    years = sorted(set(years))
    if not years:
        return "—"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (tracebacks from kernels carry them)."""
    return _ANSI.sub("", text)
