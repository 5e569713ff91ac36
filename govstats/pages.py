"""HTML pages of the briefings: the notebook exporter, escaping, offline checks, fonts, index.

Every page govstats writes is one self-contained file that works offline:

* executed notebooks become HTML through :func:`exporter` (nbconvert's ``lab`` template with
  govstats' ``briefing.html.j2``: no code, no prompts, no require.js/MathJax/widget scripts);
* HTML and Markdown that notebook *outputs* carry is passed through :func:`sanitize_fragment`
  (an allow-list enforced by ammonia/nh3: tables, headings, lists, ``data:`` images…); any
  other tag, such as a body named ``<script>alert(1)</script>``, is escaped and shows as text;
* :func:`embed_cjk_font` embeds a subset of Noto Sans CJK SC (SIL OFL, package
  ``noto-cjk-sans-otc``) holding just the characters the page uses, as a base64 WOFF
  ``@font-face``: Chinese renders on machines without a CJK font;
* :func:`check_page` refuses a page that would load anything remote or run a script.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import re
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from govstats.errors import UnsafePageError

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: the CSS family name of the embedded CJK subset
PAGE_FONT_FAMILY = "govstats-cjk"
#: tags of cells the exporter drops entirely / drops the code of
REMOVE_CELL_TAGS = ("remove-cell", "govstats-reset", "injected-parameters", "parameters")
REMOVE_INPUT_TAGS = ("remove-input",)
REMOVE_OUTPUT_TAGS = ("remove-output",)

# HTML allowed in notebook outputs; everything else is escaped (shown as text), never run.
_ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s small span strong sub sup table "
    "tbody td tfoot th thead tr u ul".split()
)
_ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang", "dir"],
    "a": ["href", "name"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "table": ["border"],
    "col": ["span"],
}


@dataclass(frozen=True)
class IndexEntry:
    """One row of ``reports/index.html``.

    ``kind`` is ``body`` or ``region``; ``title`` the Chinese name; ``status`` ``ok``, ``failed``
    or ``skipped`` (unchanged since the last run, page kept); ``flags`` the number of
    data-quality findings (breaches and year-over-year mismatches), None when unknown;
    ``page`` the page's path relative to the index.
    """

    kind: str
    key: str
    title: str
    years: tuple[int, ...]
    status: str
    flags: int | None
    page: str
    error: str | None = None
    seconds: float | None = None


# ---------------------------------------------------------------------------------------
# Escaping


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
_UNSAFE_CSS = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|</|<!--", re.I)


def sanitize_fragment(html: str) -> str:
    """Return an HTML fragment with only allow-listed tags and attributes; the rest escaped.

    ``<script>alert(1)</script>`` becomes ``&lt;script&gt;alert(1)&lt;/script&gt;`` (shown as
    text). Links and images may only point at ``data:`` URLs, fragments or relative paths.
    ``<style>`` blocks (pandas and its Styler emit them) are kept when their CSS can load
    nothing (no ``url()``, ``@import``, ``expression()``) and dropped otherwise.
    """
    import secrets

    import nh3

    styles: list[str] = []
    nonce = secrets.token_hex(8)

    def keep_style(match: re.Match) -> str:
        css = match.group(1)
        if _UNSAFE_CSS.search(css):
            return ""
        styles.append(css)
        return f"GOVSTATSSTYLE{nonce}N{len(styles) - 1}E"

    html = _STYLE_BLOCK.sub(keep_style, html)
    # a tag outside the allow-list is shown as text (escaped), not silently dropped; then
    # ammonia (nh3) enforces the allow-list on tags, attributes and URL schemes
    html = _TAG_START.sub(lambda m: m.group(0) if m.group(2).lower() in _ALLOWED_TAGS else "&lt;" + m.group(0)[1:], html)
    cleaned = nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
        attribute_filter=_local_urls_only,
    )
    if styles:
        cleaned = re.sub(
            f"GOVSTATSSTYLE{nonce}N(\\d+)E",
            lambda m: f'<style type="text/css">{styles[int(m.group(1))]}</style>',
            cleaned,
        )
    return cleaned


def _local_urls_only(tag: str, attribute: str, value: str) -> str | None:
    # ammonia keeps scheme-relative URLs (//host/x) as "relative": they are remote
    if attribute in ("href", "src") and not is_local_reference(value):
        return None
    return value


def markdown_to_safe_html(markdown: str) -> str:
    """Render Markdown (as notebook outputs carry it) to sanitised HTML."""
    from nbconvert.filters.markdown import markdown2html

    return sanitize_fragment(markdown2html(markdown))


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
                for mime in ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json"):
                    data.pop(mime, None)
                if "image/svg+xml" in data:  # an SVG may carry scripts or remote links: keep PNG if any
                    if "image/png" in data:
                        data.pop("image/svg+xml")
            return cell, resources

    return SanitizeOutputs


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# ---------------------------------------------------------------------------------------
# Export


def exporter():
    """An ``nbconvert.HTMLExporter`` configured for briefings (build once per worker).

    Drops code, prompts and cells tagged ``remove-cell`` (and the parameters cells), keeps
    outputs; sanitises output HTML; uses ``templates/briefing.html.j2`` which loads no script.
    """
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
    html, _ = (exporter_ or exporter()).from_notebook_node(notebook, resources={"language_code": "zh-CN"})
    html = embed_cjk_font(html)
    check_page(html)
    return html


# ---------------------------------------------------------------------------------------
# Offline checks

_REF_ATTR = re.compile(r"""\b(src|href|action|formaction|poster|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", re.I)
_SCRIPT = re.compile(r"<script\b", re.I)
_EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def is_local_reference(url: str) -> bool:
    """True for ``data:`` URLs, fragments (``#x``) and relative paths without a scheme."""
    url = url.strip()
    if not url or url.startswith("#") or url.lower().startswith("data:"):
        return True
    if url.startswith("//") or url.startswith("\\\\"):
        return False
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) is None


def references(html: str) -> list[str]:
    """Every URL the page refers to: ``src``/``href``/… attributes, CSS ``url()`` and ``@import``."""
    found = [next(g for g in m.groups()[1:] if g is not None) for m in _REF_ATTR.finditer(html)]
    found += [next((g for g in m.groups() if g is not None), "") for m in _CSS_URL.finditer(html)]
    found += [m.group(1) for m in _CSS_IMPORT.finditer(html)]
    return found


def check_page(html: str, where: str = "page") -> None:
    """Raise :class:`UnsafePageError` if the page loads anything non-local or has a script."""
    remote = sorted({u[:120] for u in references(html) if not is_local_reference(u)})
    if remote:
        raise UnsafePageError(f"{where}: refers to non-local resources: {', '.join(remote[:5])}")
    if _SCRIPT.search(html) or _EVENT_ATTR.search(html):
        raise UnsafePageError(f"{where}: contains a script or an event-handler attribute")


# ---------------------------------------------------------------------------------------
# Fonts

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f]")
_STYLE_OR_DATA = re.compile(r"<style\b.*?</style>|<script\b.*?</script>|data:[^\"')\s]+", re.I | re.S)


def page_characters(html: str) -> str:
    """The CJK characters (incl. full-width punctuation) the page's text uses, sorted."""
    import html as html_lib

    text = html_lib.unescape(re.sub(r"<[^>]*>", " ", _STYLE_OR_DATA.sub(" ", html)))
    return "".join(sorted(set(_CJK.findall(text))))


@functools.lru_cache(maxsize=1)
def _font_path() -> str:
    from govstats.analysis.fonts import bundled_font_path

    path = bundled_font_path()
    if path is None:
        raise LookupError("package noto-cjk-sans-otc is not installed: cannot embed a CJK font in the pages")
    return str(path)


@functools.lru_cache(maxsize=1)
def _sc_face_index(path: str) -> int:
    from fontTools.ttLib import TTCollection

    with TTCollection(path, lazy=True) as collection:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == "Noto Sans CJK SC":
                return index
    raise LookupError(f"{path}: no 'Noto Sans CJK SC' face in the collection")


def _gb2312_characters() -> str:
    """Every character of GB 2312 (6763 hanzi, punctuation, full-width forms)."""
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def _subset(source, characters: str, *, flavor: str | None, font_number: int = -1, prepared: bool = False) -> bytes:
    """Cut ``source`` to ``characters`` + ASCII. ``prepared``: the source is :func:`_base_font`,
    already without hints and subroutines, so those passes (and the bounding-box recalculation,
    which runs every glyph program) are skipped: 2× faster, same glyphs, the base's font bbox."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = prepared  # True: nothing to strip, skip the pass
    options.desubroutinize = not prepared
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx"]  # horizontal text only
    options.name_IDs = [0, 1, 2, 13, 14]  # keep the copyright and the OFL licence notice
    options.notdef_outline = True
    font = TTFont(source, fontNumber=font_number, lazy=True, recalcBBoxes=not prepared)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters + string.printable)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = flavor
    font.save(buffer)
    font.close()
    return buffer.getvalue()


def cache_dir() -> Path:
    """Where govstats caches derived files (``$GOVSTATS_CACHE``, else ``~/.cache/govstats``)."""
    base = os.environ.get("GOVSTATS_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "govstats")
    return Path(base)


@functools.lru_cache(maxsize=1)
def _base_font() -> tuple[bytes, frozenset[str]]:
    """Noto Sans CJK SC cut to GB 2312 + ASCII (1.5 MB), cached on disk; its characters.

    Subsetting a page's few hundred characters from this takes about 0.1 s instead of 0.5 s
    from the 19.5 MB collection. Built once per machine (about 8 s), then read from the cache.
    """
    from fontTools.ttLib import TTFont

    path = _font_path()
    stamp = hashlib.sha256(f"{path}:{os.path.getsize(path)}:{os.path.getmtime(path)}:1".encode()).hexdigest()[:12]
    cached = cache_dir() / "fonts" / f"NotoSansCJKsc-gb2312-{stamp}.otf"
    try:
        data = cached.read_bytes()
    except OSError:
        data = _subset(path, _gb2312_characters(), flavor=None, font_number=_sc_face_index(path))
        try:
            write_atomic_bytes(cached, data)
        except OSError:  # a read-only home: keep it in memory only
            pass
    with TTFont(io.BytesIO(data), lazy=True) as font:
        covered = frozenset(chr(c) for c in font.getBestCmap())
    return data, covered


def prepare_fonts() -> None:
    """Build the cached base font now (call before starting workers so they do not all build it)."""
    _base_font()


@functools.lru_cache(maxsize=64)
def cjk_font_subset(characters: str) -> bytes:
    """A WOFF font with just ``characters`` (plus ASCII) from Noto Sans CJK SC.

    About 100 bytes per character; about 0.08 s to build when every character is in GB 2312,
    about 0.5 s otherwise (cut from the full collection). Raises LookupError when the font
    package ``noto-cjk-sans-otc`` is not installed.
    """
    data, covered = _base_font()
    if set(characters) <= covered:
        return _subset(io.BytesIO(data), characters, flavor="woff", prepared=True)
    path = _font_path()
    return _subset(path, characters, flavor="woff", font_number=_sc_face_index(path))


def font_face_css(characters: str) -> str:
    """``@font-face`` + rules making the page use the embedded subset for its Chinese text."""
    woff = base64.b64encode(cjk_font_subset(characters)).decode("ascii")
    return (
        f"@font-face{{font-family:'{PAGE_FONT_FAMILY}';font-style:normal;font-weight:400;"
        f"src:url(data:font/woff;base64,{woff}) format('woff');}}\n"
        f":root{{--jp-content-font-family:'{PAGE_FONT_FAMILY}',system-ui,-apple-system,'Segoe UI',sans-serif;"
        f"--jp-ui-font-family:var(--jp-content-font-family);}}\n"
        f"body,table,th,td,h1,h2,h3,h4,p,li{{font-family:var(--jp-content-font-family);}}\n"
    )


def embed_cjk_font(html: str) -> str:
    """Insert the CJK ``@font-face`` for the page's own characters before ``</head>``."""
    css = f"<style type=\"text/css\">\n{font_face_css(page_characters(html))}</style>\n"
    head_end = html.lower().find("</head>")
    if head_end < 0:
        raise ValueError("page has no </head>: cannot embed the font")
    return html[:head_end] + css + html[head_end:]


# ---------------------------------------------------------------------------------------
# Pages written by govstats itself (index, error page), Jinja2 with autoescaping


@functools.lru_cache(maxsize=1)
def _jinja():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


STATUS_LABELS = {"ok": "成功", "failed": "失败", "skipped": "未变化（沿用）"}
KIND_LABELS = {"body": "机关简报", "region": "地区对比"}


def render_index(entries: Sequence[IndexEntry], *, generated_at: str) -> str:
    """``reports/index.html``: every briefing with its body, years, status, flags and link."""
    ordered = sorted(entries, key=lambda e: (e.kind != "region", e.key))
    counts = {s: sum(1 for e in entries if e.status == s) for s in STATUS_LABELS}
    html = _jinja().get_template("briefings-index.html.j2").render(
        entries=ordered,
        counts=counts,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        generated_at=generated_at,
        years_text=years_text,
    )
    return embed_cjk_font(html)


def render_error_page(*, title: str, key: str, error: str, generated_at: str) -> str:
    """A page standing in for a failed briefing: what failed and the (escaped) error text."""
    html = _jinja().get_template("briefing-error.html.j2").render(
        title=title, key=key, error=strip_ansi(error), generated_at=generated_at
    )
    return embed_cjk_font(html)


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


# ---------------------------------------------------------------------------------------
# Files

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def safe_slug(slug: str) -> str:
    """Return ``slug`` if it is a safe folder name (``[a-z0-9-]``, ≤ 80 chars), else raise ValueError."""
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ValueError(f"unsafe slug {slug!r}: only a-z, 0-9 and inner '-' are allowed")
    return slug


def page_path(out_dir: Path, folder: str) -> Path:
    """``out_dir/<folder>/index.html``, refusing any folder that is not a safe slug."""
    out_dir = Path(out_dir).resolve()
    path = (out_dir / safe_slug(folder) / "index.html").resolve()
    if out_dir not in path.parents:
        raise ValueError(f"page path {path} escapes {out_dir}")
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file and ``os.replace``: never half-written."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
