"""Page files: folder names made safe, page paths that stay under the output folder, and the
atomic writes every page, manifest and cached font goes through."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def safe_slug(slug: str) -> str:
    """Return ``slug`` if it is a safe folder name (``[a-z0-9-]``, ≤ 80 chars), else raise
    ValueError."""
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
    """Write ``text`` (UTF-8) to ``path`` via a temporary file and ``os.replace``: never
    half-written."""
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
