"""A CJK font for matplotlib, so Chinese labels render as glyphs and never as boxes (tofu).

A bare machine has no CJK font. The PyPI package ``noto-cjk-sans-otc`` (SIL Open Font
License, a core dependency) ships ``NotoSansCJK-Regular.ttc``; :func:`use_cjk_font` registers
it with matplotlib and selects the family ``Noto Sans CJK SC`` by name (asking for the
collection file alone could pick its Japanese face). If the package is missing, an installed
system CJK font is used instead (Debian ``fonts-noto-cjk``, ``fonts-wqy-microhei``, …).
"""

from __future__ import annotations

import functools
from importlib import metadata
from pathlib import Path

from govstats.errors import FontNotFoundError

#: the family asked for when the bundled Noto collection is registered
NOTO_FAMILY = "Noto Sans CJK SC"
_NOTO_PACKAGE = "noto-cjk-sans-otc"
_NOTO_FILE = "NotoSansCJK-Regular.ttc"
#: system families tried, in order, when the bundled font is unavailable
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def bundled_font_path() -> Path | None:
    """The path of ``NotoSansCJK-Regular.ttc`` from the ``noto-cjk-sans-otc`` package, or None."""
    try:
        dist = metadata.distribution(_NOTO_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.name == _NOTO_FILE:
            path = Path(str(dist.locate_file(file)))  # typed SimplePath; a Path in fact
            if path.is_file():
                return path
    return None


@functools.lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Register a CJK font with matplotlib (once per process) and return its family name.

    Tries the bundled Noto Sans CJK collection first, then the :data:`SYSTEM_FAMILIES`
    installed on the machine. Raises :class:`FontNotFoundError` when none can draw Chinese.
    """
    from matplotlib import font_manager  # lazy: pages embed the font in processes that never plot

    path = bundled_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return NOTO_FAMILY
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in installed:
            return family
    raise FontNotFoundError(
        f"no CJK font: install the Python package {_NOTO_PACKAGE!r} "
        "(pip install noto-cjk-sans-otc) or a system font such as Debian's fonts-noto-cjk"
    )


def use_cjk_font() -> str:
    """Make the CJK font matplotlib's default sans-serif family; return the family name.

    Keeps DejaVu Sans as a fallback for symbols the CJK font lacks and draws the minus sign
    as a hyphen (the CJK face has no U+2212 in some versions).
    """
    import matplotlib as mpl  # lazy, as above

    family = cjk_font_family()
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.sans-serif"] = [family, *current]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False
    return family
