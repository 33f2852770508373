"""The media types the handler reads and writes, and the one parser of a media-type header."""

from __future__ import annotations

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
# One JSON row per line in, one JSON answer per line out: what a batch transform job splits.
JSONLINES = "application/jsonlines"


def parse_media_type(header: str) -> tuple[str, dict[str, str]]:
    """``'Text/CSV; charset=UTF-8'`` -> ``('text/csv', {'charset': 'UTF-8'})``."""
    media_type, *raw_params = header.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, value = raw.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return media_type.strip().lower(), params
