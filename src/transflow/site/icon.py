"""The site's ``favicon.ico``, which browsers, feed readers and crawlers ask every site
for: made from ``[publication] logo`` when it is a PNG; else (an SVG, which an .ico
cannot hold, or no logo) the publication's initial in its colours. Pages also name the
SVG logo as their icon, which current browsers prefer.

This is the one module that imports Pillow (which WeasyPrint brings)."""

from __future__ import annotations

import io

ACCENT = (0x7A, 0x1C, 0x1C)
PAPER = (0xFF, 0xFD, 0xF9)
SIZES = (16, 32, 48)
# Bold sans faces the Makefile installs, first found wins; Pillow's own font else.
FONTS = ("PTS75F.ttf", "DejaVuSans-Bold.ttf")


def favicon(logo_png: bytes | None, initial: str) -> bytes:
    """An .ico of 16, 32 and 48 px."""
    from PIL import Image, ImageDraw, ImageFont

    if logo_png is not None:
        image = Image.open(io.BytesIO(logo_png)).convert("RGBA")
    else:
        size = 96
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=12, fill=ACCENT)
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont
        for name in FONTS:
            try:
                font = ImageFont.truetype(name, 68)
                break
            except OSError:
                continue
        else:
            font = ImageFont.load_default()
        draw.text((size / 2, size / 2), initial[:1].upper(), fill=PAPER, font=font,
                  anchor="mm")
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(s, s) for s in SIZES])
    return out.getvalue()
