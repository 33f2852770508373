"""What a SageMaker transform job does to records, as pure functions (docs/batch-transform.md).

- ``SplitType: Line``: an object is a stream of lines; each non-blank line is one record, and a
  record is never split across requests.
- ``BatchStrategy: MultiRecord``: as many whole records as fit in ``MaxPayloadInMB`` go in one
  request, joined by newlines; ``SingleRecord``: one per request.
- ``DataProcessing`` (CSV and JSON only): ``InputFilter`` picks what the model sees,
  ``JoinSource: Input`` joins each answer to its input record (CSV: appended columns; JSON: a
  ``SageMakerOutput`` member, or ``{"SageMakerInput", "SageMakerOutput"}`` for a non-object),
  ``OutputFilter`` picks what is written. Paths are the JSONPath subset SageMaker documents:
  ``$``, ``$[i]``, ``$[i,j,...]``, ``$[a:b]``, ``$.key``, ``$['k1','k2']``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


class RecordError(ValueError):
    """A record or a setting the job cannot process; the job fails with this message."""


def iter_records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Non-blank lines of a byte stream read in chunks (memory: one chunk plus a partial line)."""
    tail = b""
    for chunk in chunks:
        if not chunk:
            continue
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        for line in lines:
            line = line.rstrip(b"\r")
            if line.strip():
                yield line
    if tail.rstrip(b"\r").strip():
        yield tail.rstrip(b"\r")


def batches(
    records: Iterable[bytes], *, max_payload_mb: int, strategy: str = "MultiRecord"
) -> Iterator[list[bytes]]:
    """Whole records grouped so each request body (records joined by newlines) fits the limit."""
    limit = max_payload_mb * MB
    batch: list[bytes] = []
    size = 0
    for record in records:
        if len(record) > limit:
            raise RecordError(
                f"a record of {len(record)} bytes exceeds MaxPayloadInMB ({max_payload_mb} MB)"
            )
        if strategy == "SingleRecord":
            yield [record]
            continue
        if batch and size + len(record) + 1 > limit:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += len(record) + 1
    if batch:
        yield batch


def byte_batches(chunks: Iterable[bytes], *, max_payload_mb: int) -> Iterator[bytes]:
    """MultiRecord payloads cut straight from the byte stream at the last newline under the
    limit: the same whole-record batches as ``batches`` when records need no filter, without a
    Python object per record (memory: the limit plus one chunk)."""
    limit = max_payload_mb * MB
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) > limit:
            cut = buffer.rfind(b"\n", 0, limit)
            if cut < 0:
                raise RecordError(f"a record exceeds MaxPayloadInMB ({max_payload_mb} MB)")
            payload = bytes(buffer[: cut + 1])
            del buffer[: cut + 1]
            if payload.strip():
                yield payload
    if buffer.strip():
        yield bytes(buffer) if buffer.endswith(b"\n") else bytes(buffer) + b"\n"


# --- JSONPath subset -------------------------------------------------------------------------

_INDEX = r"-?\d+"
_KEY = r"'[^']*'|\"[^\"]*\""


@dataclass(frozen=True)
class Selector:
    """One compiled path: ``kind`` is all, index, indexes, slice, key or keys."""

    kind: str
    items: tuple[Any, ...] = ()

    def apply(self, value: Any, path: str) -> Any:
        if self.kind == "all":
            return value
        if self.kind in ("key", "keys"):
            if not isinstance(value, dict):
                raise RecordError(f"{path} selects keys but the record is not a JSON object")
            missing = [k for k in self.items if k not in value]
            if missing:
                raise RecordError(f"{path}: the record has no {missing[0]!r}")
            if self.kind == "key":
                return value[self.items[0]]
            return {k: value[k] for k in self.items}
        if not isinstance(value, list):
            raise RecordError(f"{path} selects positions but the record is not a list")
        if self.kind == "slice":
            return value[slice(*self.items)]
        try:
            if self.kind == "index":
                return value[self.items[0]]
            return [value[i] for i in self.items]
        except IndexError:
            raise RecordError(f"{path}: the record has only {len(value)} values") from None


def compile_path(path: str | None) -> Selector:
    """``'$[1:]'`` -> a Selector; a RecordError names what is supported otherwise."""
    text = (path or "$").strip()
    if text == "$":
        return Selector("all")
    if match := re.fullmatch(r"\$\.([A-Za-z_][\w-]*)", text):
        return Selector("key", (match.group(1),))
    if match := re.fullmatch(rf"\$\[\s*((?:{_KEY})(?:\s*,\s*(?:{_KEY}))*)\s*\]", text):
        keys = tuple(k.strip()[1:-1] for k in re.findall(_KEY, match.group(1)))
        return Selector("key" if len(keys) == 1 else "keys", keys)
    if match := re.fullmatch(rf"\$\[\s*({_INDEX})?\s*:\s*({_INDEX})?\s*\]", text):
        start, stop = (int(g) if g else None for g in match.groups())
        return Selector("slice", (start, stop))
    if match := re.fullmatch(rf"\$\[\s*({_INDEX}(?:\s*,\s*{_INDEX})*)\s*\]", text):
        indexes = tuple(int(i) for i in match.group(1).split(","))
        return Selector("index" if len(indexes) == 1 else "indexes", indexes)
    raise RecordError(
        f"JSONPath {text!r} is not supported here; use $, $[i], $[i,j], $[a:b], $.key "
        "or $['k1','k2']"
    )


# --- CSV and JSON records --------------------------------------------------------------------


def _csv_fields(line: str) -> list[str]:
    if '"' not in line:
        return line.split(",")  # the usual all-number row: no quoting to honour
    return next(csv.reader([line]))


def _csv_line(fields: Any) -> str:
    values = fields if isinstance(fields, list) else [fields]
    if any(('"' in v or "," in v or "\n" in v) for v in map(str, values)):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(values)
        return buffer.getvalue()
    return ",".join(map(str, values))


@dataclass(frozen=True)
class DataProcessing:
    """A job's DataProcessing for one content type: filter in, join, filter out."""

    input_filter: Selector
    output_filter: Selector
    join_input: bool
    json_records: bool
    input_path: str = "$"
    output_path: str = "$"

    @classmethod
    def from_request(cls, data: dict[str, Any] | None, content_type: str) -> DataProcessing:
        data = data or {}
        media = content_type.split(";")[0].strip().lower()
        json_records = media in ("application/json", "application/jsonlines")
        plain = all(data.get(k, "$") in ("$", None) for k in ("InputFilter", "OutputFilter"))
        if media != "text/csv" and not json_records and not (plain and not _joins(data)):
            raise RecordError(
                f"DataProcessing works on CSV and JSON records only, not {content_type!r}"
            )
        return cls(
            input_filter=compile_path(data.get("InputFilter")),
            output_filter=compile_path(data.get("OutputFilter")),
            join_input=_joins(data),
            json_records=json_records,
            input_path=data.get("InputFilter") or "$",
            output_path=data.get("OutputFilter") or "$",
        )

    @property
    def identity(self) -> bool:
        return (
            self.input_filter.kind == "all"
            and self.output_filter.kind == "all"
            and not self.join_input
        )

    def model_input(self, record: bytes) -> bytes:
        """What the model sees of one record (InputFilter)."""
        if self.input_filter.kind == "all":
            return record
        if self._drops_first_csv_column and b'"' not in record:
            return record.partition(b",")[2]  # `$[1:]` on a plain CSV row (the usual ID column)
        value = self._parse(record)
        selected = self.input_filter.apply(value, self.input_path)
        return self._dump(selected).encode()

    def output(self, record: bytes, answer: bytes) -> bytes:
        """What is written for one record: its answer, joined to the input and filtered."""
        if not self.join_input and self.output_filter.kind == "all":
            return answer
        if not self.json_records and self.output_filter.kind == "all":
            return record + b"," + answer  # CSV join: the answer's columns after the input's
        if self.json_records:
            result: Any = _json(answer)
            if self.join_input:
                source = _json(record)
                result = (
                    {**source, "SageMakerOutput": result}
                    if isinstance(source, dict)
                    else {"SageMakerInput": source, "SageMakerOutput": result}
                )
        else:
            result = _csv_fields(answer.decode())
            if self.join_input:
                result = _csv_fields(record.decode()) + result
        return self._dump(self.output_filter.apply(result, self.output_path)).encode()

    @property
    def _drops_first_csv_column(self) -> bool:
        return not self.json_records and self.input_filter == Selector("slice", (1, None))

    def _parse(self, record: bytes) -> Any:
        return _json(record) if self.json_records else _csv_fields(record.decode())

    def _dump(self, value: Any) -> str:
        if self.json_records:
            return json.dumps(value, separators=(",", ":"))
        return _csv_line(value)


def _joins(data: dict[str, Any]) -> bool:
    join = data.get("JoinSource") or "None"
    if join not in ("None", "Input"):
        raise RecordError(f"JoinSource must be None or Input, got {join!r}")
    return join == "Input"


def _json(text: bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise RecordError(f"record is not valid JSON: {error}") from None
