"""What a file is, judged by its content (its first bytes), never by its name or the browser's word.

Pure: no Django. ``filetype`` reads the magic numbers; this module decides which of them
the force accepts as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype

# filetype needs at most this many bytes to recognise every format it knows.
SNIFF_BYTES = 8192

# The formats phones, CCTV systems and scanners produce and browsers can mostly play.
ACCEPTED: dict[str, str] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/heic": "image",
    "image/tiff": "image",
    "image/bmp": "image",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/aac": "audio",
    "audio/ogg": "audio",
    "audio/x-wav": "audio",
    "audio/x-flac": "audio",
    "audio/amr": "audio",
    "video/mp4": "video",
    "video/x-m4v": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "video/x-matroska": "video",
    "video/x-msvideo": "video",
    "video/3gpp": "video",
    "video/mpeg": "video",
    "application/pdf": "document",
}

ACCEPTED_DESCRIPTION = "a photo (JPEG, PNG, GIF, WebP, HEIC, TIFF, BMP), audio (MP3, M4A, AAC, OGG, WAV, FLAC, AMR), video (MP4, MOV, WebM, MKV, AVI, 3GP, MPEG) or a PDF"


@dataclass(frozen=True)
class Sniffed:
    """The content type a file's bytes show, and the kind of exhibit it makes."""

    content_type: str
    kind: str


def sniff(head: bytes) -> Sniffed | None:
    """The accepted type of a file from its first bytes, or None when it is not one we accept."""
    guess = filetype.guess(head[:SNIFF_BYTES])
    if guess is None:
        return None
    kind = ACCEPTED.get(guess.mime)
    if kind is None:
        return None
    return Sniffed(content_type=guess.mime, kind=kind)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions a single HTTP Range header asks for, inclusive; None if unsatisfiable.

    RFC 9110 §14.1.2: "bytes=a-b", "bytes=a-" (to the end) and "bytes=-n" (the last n).
    Several ranges in one header are answered with the first alone, which media players accept.
    """
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or not spec or size <= 0:
        return None
    first_spec = spec.split(",")[0].strip()
    start_text, dash, end_text = first_spec.partition("-")
    if not dash:
        return None
    try:
        if start_text == "":
            suffix = int(end_text)
            if suffix <= 0:
                return None
            return max(size - suffix, 0), size - 1
        start = int(start_text)
        end = int(end_text) if end_text else size - 1
    except ValueError:
        return None
    if start < 0 or start >= size or end < start:
        return None
    return start, min(end, size - 1)


def exhibit_initials(name: str) -> str:
    """Initials for an exhibit reference: first letter of the first and last words, e.g. "Jo Smith" -> "JS"."""
    words = [w for w in "".join(c if c.isalpha() or c.isspace() else " " for c in name).split() if w]
    # A company's legal suffix is not part of how it is known: "Corner Shop Ltd" is CS.
    while len(words) > 1 and words[-1].lower() in {"ltd", "limited", "plc", "llp", "llc", "inc"}:
        words.pop()
    if not words:
        return "X"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()
