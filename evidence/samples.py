"""Small, real files made by our own code for the demo force, the tests and the benchmarks: a PNG photo,
a WAV recording, a PDF, and the head of an MP4. Pure: no Django, no external tools.
"""

from __future__ import annotations

import math
import random
import struct
import wave
import zlib
from io import BytesIO


def png(width: int = 160, height: int = 120, *, seed: int = 0) -> bytes:
    """A PNG picture: a sky-to-ground gradient with a few coloured blocks, different for each seed."""
    rng = random.Random(seed)
    blocks = [
        (rng.randrange(width), rng.randrange(height), rng.randrange(8, 40), rng.randrange(8, 40),
         (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        for _ in range(5)
    ]
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            shade = int(220 - 140 * y / max(height - 1, 1))
            pixel = (shade // 2, shade // 2 + 30, shade)
            for bx, by, bw, bh, colour in blocks:
                if bx <= x < bx + bw and by <= y < by + bh:
                    pixel = colour
            rows.extend(pixel)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def wav(seconds: float = 2.0, *, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV recording of a tone that rises and falls, as a stand-in for a 999 call extract."""
    out = BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            t = i / rate
            pitch = frequency * (1 + 0.25 * math.sin(2 * math.pi * 0.5 * t))
            frames += struct.pack("<h", int(9000 * math.sin(2 * math.pi * pitch * t)))
        recording.writeframes(bytes(frames))
    return out.getvalue()


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given lines of text in Helvetica (a receipt, a letter)."""
    text = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({escaped}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(body)


MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def mp4_like(size: int, *, seed: int = 0) -> bytes:
    """``size`` bytes that begin as an MP4 does (an ftyp box); what follows is noise. For transfer tests."""
    rng = random.Random(seed)
    return MP4_HEAD + rng.randbytes(max(size - len(MP4_HEAD), 0))
