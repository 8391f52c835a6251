"""Reading data files that may or may not be gzip-compressed."""

from __future__ import annotations

import gzip

GZIP_MAGIC = b"\x1f\x8b"


def gunzip_if_compressed(data: bytes, name: str, error: type[ValueError] = ValueError) -> bytes:
    """``data`` decompressed if it starts with gzip's magic number, else unchanged.

    Told apart by content, not by file name. A damaged gzip stream raises ``error`` naming
    ``name`` (the file).
    """
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as problem:
        raise error(f"{name}: truncated or corrupt gzip data ({problem})") from None
