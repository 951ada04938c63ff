"""QR codes as inline SVG (segno): printed on contact cards, no image files, no requests."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, border: int = 2, css_class: str = "qr") -> SafeString:
    """An inline ``<svg>`` QR code for ``data`` (error correction M, quiet zone ``border``).

    The SVG carries only a ``viewBox``, so CSS gives it its printed size. segno writes
    the modules as one path and never echoes ``data`` into the markup, so it is safe.
    """
    code = segno.make(data, error="m", micro=False)
    return mark_safe(code.svg_inline(omitsize=True, border=border, svgclass=css_class))
