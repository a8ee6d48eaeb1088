"""Slips to ESC/POS bytes: `text` mode (the printer's own Chinese font) or `raster` mode (Pillow).

Text mode is small and fast but needs a printer with a GB18030/GBK font: every line holding
non-ASCII characters is wrapped in FS & … FS . (Chinese mode on, off) and encoded as GB18030.
Raster mode draws the whole slip with Noto Sans CJK at 203 dpi and sends it as GS v 0 bands,
so it prints the same on any ESC/POS printer, Chinese font or not.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

from .slip import Feed, Qr, Rule, Slip, Text

MODES = ("text", "raster")
DOTS = {58: 384, 80: 576}  # printable dots per line at 203 dpi (48 mm / 72 mm of print head)
COLUMNS = {58: 32, 80: 48}  # Font A (12×24 dots) characters per line; a Chinese character takes 2

# ---------------------------------------------------------------- ESC/POS commands

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
CUT = GS + b"V\x00"  # full cut; printers with a partial-only cutter do a partial cut
END_FEED_LINES = 4  # carries the last printed line past the cutter (head-to-cutter is ~12 mm)
RASTER_BAND_ROWS = 256  # cheap printers garble very tall GS v 0 images: send bands
_ALIGN_BYTE = {"left": 0, "center": 1, "right": 2}

# Symbols that are outside GBK (4-byte GB18030 sequences) or print wrongly on the GBK fonts most
# ESC/POS printers carry: replaced by their full-width or plain equivalents before encoding.
TEXT_MODE_REPLACEMENTS = {
    "¥": "￥",
    "•": "·",
    "‧": "·",
    "–": "-",
    "‐": "-",
    "‑": "-",
    "\u00a0": " ",
    "©": "(C)",
    "®": "(R)",
    "™": "TM",
    "€": "EUR",
    "✓": "√",
    "✔": "√",
    "✗": "×",
    "✘": "×",
}
_CLOSING_PUNCT = set("，。、；：！？）》」』】〕…,.;:!?)]}%")
_INVERT_BITS = bytes(b ^ 0xFF for b in range(256))


def _check(mode: str | None, width_mm: int) -> None:
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown print mode {mode!r}: use 'text' or 'raster'")
    if width_mm not in DOTS:
        raise ValueError(f"unsupported paper width {width_mm!r} mm: use 58 or 80")


def render(slip: Slip, mode: str, width_mm: int) -> bytes:
    """ESC/POS bytes for `slip` in `mode` ('text' or 'raster') on 58 or 80 mm paper, ending with a cut."""
    _check(mode, width_mm)
    return render_text(slip, width_mm) if mode == "text" else render_raster(slip, width_mm)


# ---------------------------------------------------------------- shared line wrapping


def _clean(text: str) -> str:
    # Control bytes in a hall or service name would be executed by the printer as commands.
    return "".join(c for c in text if c == "\n" or (ord(c) >= 0x20 and ord(c) != 0x7F))


def _tokens(paragraph: str) -> Iterator[str]:
    """Words of ASCII letters stay whole; every other character (CJK, space) is its own token."""
    word = ""
    for c in paragraph:
        if c.isascii() and not c.isspace():
            word += c
            continue
        if word:
            yield word
            word = ""
        yield c
    if word:
        yield word


def wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Break `text` into lines for which `fits(line)` holds (hard breaks at newlines)."""
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        current: list[str] = []
        for token in _tokens(paragraph):
            pieces = [token] if fits(token) else list(token)  # an over-long word breaks anywhere
            for piece in pieces:
                if fits("".join(current) + piece) or not "".join(current).strip():
                    if current or not piece.isspace():  # no leading space on a wrapped line
                        current.append(piece)
                    continue
                carry: list[str] = []
                # A line must not start with closing punctuation: take the character before along.
                if piece in _CLOSING_PUNCT and len(current) > 1:
                    carry = [current.pop()]
                lines.append("".join(current).rstrip())
                current = [*carry, piece] if not piece.isspace() else carry
        lines.append("".join(current).rstrip())
    return lines


# ---------------------------------------------------------------- text mode


def printer_safe(text: str) -> str:
    """`text` with symbols that garble on GBK printer fonts replaced (¥ → ￥ and the like)."""
    return "".join(TEXT_MODE_REPLACEMENTS.get(c, c) for c in text)


def text_columns(text: str) -> int:
    """Printed width in Font A columns: ASCII takes one, any character in Chinese mode two."""
    return sum(1 if c.isascii() else 2 for c in text)


def encode_line(line: str) -> bytes:
    """One printed line's bytes: plain ASCII, or FS & + GB18030 + FS . when it holds anything else."""
    if line.isascii():
        return line.encode("ascii")
    return CHINESE_ON + line.encode("gb18030") + CHINESE_OFF


def _qr_command(data: str, module: int) -> bytes:
    """GS ( k: model 2, module size, error correction M, store the data, print it."""

    def fn(cn_fn: bytes, payload: bytes) -> bytes:
        n = len(payload) + 2
        return GS + b"(k" + bytes((n & 0xFF, n >> 8)) + b"1" + cn_fn + payload

    body = data.encode("utf-8")
    if len(body) > 7089:
        raise ValueError("QR data too long for one symbol")
    return (
        fn(b"A", b"2\x00")  # model 2
        + fn(b"C", bytes((module,)))  # module size in dots
        + fn(b"E", b"1")  # error correction M (15 %): survives a smudged thermal print
        + fn(b"P", b"0" + body)  # store
        + fn(b"Q", b"0")  # print
    )


def render_text(slip: Slip, width_mm: int) -> bytes:
    """ESC/POS text-mode bytes: the printer's GB18030 font, native QR, feed and cut."""
    _check(None, width_mm)
    cols = COLUMNS[width_mm]
    out = bytearray(INIT)
    for block in slip:
        if isinstance(block, Text):
            text = printer_safe(_clean(block.text))
            # Reverse printing blackens only the characters: a space each side pads the banner.
            pad = 2 if block.invert else 0
            size = block.size
            if block.fit:
                while size > 1 and (text_columns(text) + pad) * size > cols:
                    size -= 1
            out += ESC + b"a" + bytes((_ALIGN_BYTE[block.align],))
            out += ESC + b"E" + (b"\x01" if block.bold else b"\x00")
            out += GS + b"B" + (b"\x01" if block.invert else b"\x00")
            out += GS + b"!" + bytes((((size - 1) << 4) | (size - 1),))
            line_cols = cols // size - pad
            for line in wrap(text, lambda s: text_columns(s) <= line_cols):  # noqa: B023 - used at once
                out += encode_line(f" {line} " if block.invert else line) + LF
            out += GS + b"!\x00" + GS + b"B\x00" + ESC + b"E\x00" + ESC + b"a\x00"
        elif isinstance(block, Qr):
            out += ESC + b"a\x01" + _qr_command(block.data, block.size) + LF + ESC + b"a\x00"
        elif isinstance(block, Rule):
            out += b"-" * cols + LF
        elif isinstance(block, Feed):
            if block.lines:
                out += ESC + b"d" + bytes((block.lines,))
    out += ESC + b"d" + bytes((END_FEED_LINES,)) + CUT
    return bytes(out)


# ---------------------------------------------------------------- raster mode: fonts

FONT_ENV = "HALLQ_PRINT_FONT"
_DEBIAN_FONTS = {
    True: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),  # index 2 = Simplified Chinese
    False: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
}


class FontNotFoundError(RuntimeError):
    """No CJK font for raster printing."""


def _fc_match(pattern: str) -> tuple[str, int] | None:
    if not shutil.which("fc-match"):
        return None
    try:
        res = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parts = res.stdout.split("\n")
    # fc-match always answers with *some* font: accept it only if it is really a CJK face.
    if res.returncode != 0 or len(parts) < 3 or "CJK" not in parts[2] or not os.path.exists(parts[0]):
        return None
    return parts[0], int(parts[1] or 0)


@functools.lru_cache(maxsize=4)
def find_cjk_font(bold: bool = True) -> tuple[str, int]:
    """(path, face index) of Noto Sans CJK SC, bold or regular; HALLQ_PRINT_FONT=path[:index] overrides."""
    override = os.environ.get(FONT_ENV)
    if override:
        path, _, index = override.partition(":") if not os.path.exists(override) else (override, "", "")
        if not os.path.exists(path):
            raise FontNotFoundError(f"{FONT_ENV}={override!r}: no such font file")
        return path, int(index or 0)
    found = _fc_match("Noto Sans CJK SC:bold" if bold else "Noto Sans CJK SC:regular")
    if found:
        return found
    for candidate in (_DEBIAN_FONTS[bold], _DEBIAN_FONTS[not bold]):
        if os.path.exists(candidate[0]):
            return candidate
    raise FontNotFoundError(
        "raster printing needs a Chinese font and none was found: install Noto Sans CJK "
        "(Debian/Ubuntu: apt install fonts-noto-cjk) or set HALLQ_PRINT_FONT=/path/to/font.ttc[:index]"
    )


@functools.lru_cache(maxsize=64)
def _font(px: int, bold: bool) -> ImageFont.FreeTypeFont:
    path, index = find_cjk_font(bold)
    return ImageFont.truetype(path, px, index=index)


# ---------------------------------------------------------------- raster mode: drawing

BASE_PX = 24  # size 1 text is as tall as the printer's own 24-dot font
MARGIN = 8
INK_THRESHOLD = 170  # grey levels below this print black
LINE_PX = 30  # one Feed line, about the printer's default line spacing (1/6 inch = 34 dots)


def _text_strip(block: Text, width: int) -> Image.Image:
    avail = width - 2 * MARGIN - (32 if block.invert else 0)
    px = BASE_PX * block.size
    font = _font(px, block.bold)
    text = _clean(block.text)
    if block.fit:
        # Shrink in small steps (raster is not bound to whole multipliers) until one line fits.
        while px > BASE_PX and font.getlength(text) > avail:
            px -= 2
            font = _font(px, block.bold)
    lines = wrap(text, lambda s: font.getlength(s) <= avail) or [""]
    big = px >= 3 * BASE_PX
    # Big lines (the number) are spaced by their ink; ordinary text by a 1.3 line height.
    line_h = round(px * (1.05 if big else 1.3))
    pad = round(px * 0.12) if big else 0
    strip = Image.new("L", (width, line_h * len(lines) + 2 * pad), 255)
    draw = ImageDraw.Draw(strip)
    if block.invert:
        draw.rounded_rectangle(
            (MARGIN, 0, width - MARGIN - 1, strip.height - 1), radius=max(4, px // 4), fill=0
        )
    ink = 255 if block.invert else 0
    for i, line in enumerate(lines):
        length = font.getlength(line)
        if block.align == "center":
            x = (width - length) / 2
        elif block.align == "right":
            x = width - MARGIN - (16 if block.invert else 0) - length
        else:
            x = MARGIN + (16 if block.invert else 0)
        # Noto's ideographs span -0.81 … +0.10 em and digits -0.75 … 0 em around the baseline:
        # a baseline 0.36 em below the line's middle centres both.
        baseline = pad + i * line_h + line_h / 2 + 0.36 * px
        draw.text((x, baseline), line, font=font, fill=ink, anchor="ls")
    return strip


def _qr_strip(block: Qr, width: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(block.data)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix) * block.size
    if side > width - 2 * MARGIN:
        raise ValueError(f"QR code of {side} dots does not fit {width} dots: use a smaller module size")
    quiet = 2 * block.size  # white paper all around gives the rest of the 4-module quiet zone
    strip = Image.new("L", (width, side + 2 * quiet), 255)
    draw = ImageDraw.Draw(strip)
    left = (width - side) // 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * block.size, quiet + r * block.size
                draw.rectangle((x, y, x + block.size - 1, y + block.size - 1), fill=0)
    return strip


def _rule_strip(width: int) -> Image.Image:
    strip = Image.new("L", (width, 22), 255)
    draw = ImageDraw.Draw(strip)
    for x in range(MARGIN, width - MARGIN, 14):
        draw.rectangle((x, 10, min(x + 7, width - MARGIN - 1), 11), fill=0)
    return strip


def render_image(slip: Slip, width_mm: int) -> Image.Image:
    """The slip drawn at 203 dpi as a 1-bit image (384 or 576 dots wide) — what raster mode prints."""
    _check(None, width_mm)
    width = DOTS[width_mm]
    strips: list[Image.Image] = [Image.new("L", (width, 8), 255)]
    for block in slip:
        if isinstance(block, Text):
            strips.append(_text_strip(block, width))
            if block.invert:  # a banner needs air below it
                strips.append(Image.new("L", (width, 8), 255))
        elif isinstance(block, Qr):
            strips.append(_qr_strip(block, width))
        elif isinstance(block, Rule):
            strips.append(_rule_strip(width))
        elif isinstance(block, Feed) and block.lines:
            strips.append(Image.new("L", (width, LINE_PX * block.lines), 255))
    strips.append(Image.new("L", (width, 8), 255))
    canvas = Image.new("L", (width, sum(s.height for s in strips)), 255)
    y = 0
    for s in strips:
        canvas.paste(s, (0, y))
        y += s.height
    # A hard threshold, not dithering: anti-aliased glyph edges become clean strokes on paper. It
    # sits above the middle so the thin strokes of 24-dot regular text stay two dots wide where
    # they straddle a pixel boundary (one-dot strokes print faint on a thermal head).
    return canvas.point(lambda v: 255 if v >= INK_THRESHOLD else 0).convert("1", dither=Image.Dither.NONE)


def raster_bytes(image: Image.Image) -> bytes:
    """GS v 0 commands printing `image` (1-bit; black prints), in bands of at most 256 rows."""
    img = image.convert("1", dither=Image.Dither.NONE)
    if img.width % 8:
        # Pad to whole bytes with white so the padding bits do not print as a black edge.
        padded = Image.new("1", (img.width + 8 - img.width % 8, img.height), 1)
        padded.paste(img, (0, 0))
        img = padded
    width_bytes = img.width // 8
    out = bytearray()
    for top in range(0, img.height, RASTER_BAND_ROWS):
        band = img.crop((0, top, img.width, min(top + RASTER_BAND_ROWS, img.height)))
        # Pillow's 1-bit rows are 1 = white; ESC/POS wants 1 = black.
        body = band.tobytes().translate(_INVERT_BITS)
        out += GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + band.height.to_bytes(2, "little")
        out += body
    return bytes(out)


def render_raster(slip: Slip, width_mm: int) -> bytes:
    """ESC/POS raster-mode bytes: the drawn slip as GS v 0 bands, then feed and cut."""
    image = render_image(slip, width_mm)
    return INIT + raster_bytes(image) + ESC + b"d" + bytes((END_FEED_LINES,)) + CUT


def decode_raster(data: bytes) -> Image.Image:
    """The image printed by the GS v 0 commands in `data` (bands stacked), as a 1-bit image.

    Other commands around the raster blocks are skipped; for tests and previews.
    """
    bands: list[Image.Image] = []
    i = 0
    while (j := data.find(GS + b"v0", i)) >= 0:
        if j + 8 > len(data):
            raise ValueError("truncated GS v 0 header")
        m = data[j + 3]
        width_bytes = int.from_bytes(data[j + 4 : j + 6], "little")
        height = int.from_bytes(data[j + 6 : j + 8], "little")
        end = j + 8 + width_bytes * height
        if end > len(data):
            raise ValueError(f"truncated GS v 0 image: needs {width_bytes * height} bytes")
        band = Image.frombytes("1", (width_bytes * 8, height), data[j + 8 : end].translate(_INVERT_BITS))
        if m & 1 or m & 2:  # double-width / double-height modes print each dot twice
            band = band.resize((band.width * (2 if m & 1 else 1), band.height * (2 if m & 2 else 1)))
        bands.append(band)
        i = end
    if not bands:
        raise ValueError("no GS v 0 raster image in the data")
    image = Image.new("1", (max(b.width for b in bands), sum(b.height for b in bands)), 1)
    y = 0
    for b in bands:
        image.paste(b, (0, y))
        y += b.height
    return image
