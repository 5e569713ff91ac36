"""Sanitising page content: only allowed tags and attributes, only local references.

:func:`sanitize_fragment` cleans one output fragment (nh3: an allow-list of tags and
attributes, styles without URLs or imports); :func:`check_page` refuses a whole page that would
load a remote resource or run a script (:class:`~govstats.errors.UnsafePageError`).
"""

from __future__ import annotations

import re
import secrets

import nh3

from govstats.errors import UnsafePageError

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


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)


_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")


_UNSAFE_CSS = re.compile(
    r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|</|<!--", re.I
)


def sanitize_fragment(html: str) -> str:
    """Return an HTML fragment with only allow-listed tags and attributes; the rest escaped.

    ``<script>alert(1)</script>`` becomes ``&lt;script&gt;alert(1)&lt;/script&gt;`` (shown as
    text). Links and images may only point at ``data:`` URLs, fragments or relative paths.
    ``<style>`` blocks (pandas and its Styler emit them) are kept when their CSS can load
    nothing (no ``url()``, ``@import``, ``expression()``) and dropped otherwise.
    """

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
    html = _TAG_START.sub(
        lambda m: m.group(0) if m.group(2).lower() in _ALLOWED_TAGS else "&lt;" + m.group(0)[1:],
        html,
    )
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
    from nbconvert.filters.markdown import (
        markdown2html,
    )  # lazy: nbconvert only where pages are exported

    return sanitize_fragment(markdown2html(markdown))


_REF_ATTR = re.compile(
    r"""\b(src|href|action|formaction|poster|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I
)


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
    """Every URL the page refers to: ``src``/``href``/… attributes, CSS ``url()`` and
    ``@import``."""
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
