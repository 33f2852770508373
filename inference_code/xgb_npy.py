""".npy in and out, without pickle: what the SageMaker SDK's NumpySerializer and
NumpyDeserializer speak. Both directions cache the header work that repeats batch after batch."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from xgb_errors import Rejection


def read_npy(body: str | bytes) -> np.ndarray:
    """A .npy array as sent. The header is checked against the body length before any
    allocation, and the data is viewed in place (no copy), so a big float32 batch costs next
    to nothing to decode."""
    if isinstance(body, str):
        raise Rejection(400, "invalid_npy", "application/x-npy body must be binary")
    data = bytes(body)
    shape, fortran_order, dtype, offset = _npy_header(data[: _npy_header_end(data)])
    count = math.prod(shape)
    if len(data) - offset != count * dtype.itemsize:
        raise Rejection(
            400,
            "invalid_npy",
            f".npy header promises {count * dtype.itemsize} bytes of data, "
            f"body has {len(data) - offset}",
        )
    if count == 0:
        return np.empty(shape, dtype=dtype)
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _npy_header_end(data: bytes) -> int:
    """Where a .npy header ends, from the length field after the magic (the whole body when it
    cannot tell: the parser then refuses it)."""
    if len(data) >= 10 and data[6] == 1:
        return 10 + int.from_bytes(data[8:10], "little")
    if len(data) >= 12 and data[6] == 2:
        return 12 + int.from_bytes(data[8:12], "little")
    return len(data)


@functools.lru_cache(maxsize=32)
def _npy_header(prefix: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of a .npy header. Cached: clients send the
    same header batch after batch, and parsing it (``ast.literal_eval``) costs more than a
    1-row prediction's decoding. Refusals raise, so only valid headers are kept."""
    stream = io.BytesIO(prefix)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = _NPY_HEADER_READERS.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy version {version[0]}.{version[1]}")
        shape, fortran_order, dtype = read_header(stream)
    except (ValueError, EOFError, SyntaxError, TypeError) as error:
        raise Rejection(400, "invalid_npy", f"body is not a .npy array: {error}") from None
    if dtype.hasobject:
        raise Rejection(400, "invalid_npy", ".npy arrays of Python objects are not accepted")
    return shape, fortran_order, dtype, stream.tell()


_NPY_HEADER_READERS: dict[tuple[int, int], Callable[[io.BytesIO], Any]] = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def write_npy(prediction: np.ndarray) -> bytes:
    """What ``np.save`` writes for float32 values, with the header of a 1-D answer cached."""
    values = prediction.astype(_FLOAT32_LE, copy=False)
    if values.ndim == 1:
        return _npy_prefix(values.shape[0]) + values.tobytes()
    buffer = io.BytesIO()
    np.save(buffer, values, allow_pickle=False)
    return buffer.getvalue()


_FLOAT32_LE = np.dtype("<f4")


@functools.lru_cache(maxsize=32)
def _npy_prefix(length: int) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": _FLOAT32_LE.str, "fortran_order": False, "shape": (length,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()
