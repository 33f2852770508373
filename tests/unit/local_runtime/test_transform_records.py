"""Splitting, batching and the DataProcessing filters of a local transform job."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local_runtime.transform_records import (
    MB,
    DataProcessing,
    RecordError,
    batches,
    byte_batches,
    compile_path,
    iter_records,
)

lines_st = st.lists(st.text(alphabet="0123456789.,abc", min_size=1, max_size=40), max_size=60)


@given(lines=lines_st, cut=st.integers(min_value=1, max_value=17))
def test_records_are_the_non_blank_lines_whatever_the_chunk_boundaries(
    lines: list[str], cut: int
) -> None:
    data = "\n".join(lines).encode() + b"\n\n"
    chunks = [data[i : i + cut] for i in range(0, len(data), cut)]
    assert list(iter_records(chunks)) == [line.encode() for line in lines if line.strip()]


def test_crlf_and_a_last_line_without_newline_are_records() -> None:
    assert list(iter_records([b"1,2\r\n\r\n3,", b"4"])) == [b"1,2", b"3,4"]


@given(sizes=st.lists(st.integers(min_value=1, max_value=MB // 3), max_size=30))
def test_multirecord_packs_whole_records_under_the_payload_limit(sizes: list[int]) -> None:
    records = [b"x" * n for n in sizes]
    groups = list(batches(records, max_payload_mb=1))
    assert [r for g in groups for r in g] == records  # order kept, none split or lost
    for group in groups:
        assert sum(len(r) + 1 for r in group) <= MB
    for group, following in itertools.pairwise(groups):
        assert sum(len(r) + 1 for r in group) + len(following[0]) + 1 > MB  # packed full


def test_a_record_over_the_limit_fails_naming_the_limit() -> None:
    with pytest.raises(RecordError, match="exceeds MaxPayloadInMB"):
        list(batches([b"x" * (MB + 1)], max_payload_mb=1))


def test_single_record_sends_one_record_per_request() -> None:
    assert list(batches([b"a", b"b"], max_payload_mb=6, strategy="SingleRecord")) == [
        [b"a"],
        [b"b"],
    ]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("$", [1, 2, 3], [1, 2, 3]),
        ("$[1:]", [1, 2, 3], [2, 3]),
        ("$[:-1]", [1, 2, 3], [1, 2]),
        ("$[0,-1]", [1, 2, 3], [1, 3]),
        ("$[1]", [1, 2, 3], 2),
        ("$.features", {"id": 1, "features": [4]}, [4]),
        (
            "$['id','SageMakerOutput']",
            {"id": 1, "x": 2, "SageMakerOutput": 3},
            {"id": 1, "SageMakerOutput": 3},
        ),
    ],
)
def test_jsonpath_subset(path: str, value: object, expected: object) -> None:
    assert compile_path(path).apply(value, path) == expected


def test_unsupported_paths_and_missing_keys_are_named() -> None:
    with pytest.raises(RecordError, match=r"\$\.\.x.*not supported"):
        compile_path("$..x")
    with pytest.raises(RecordError, match="no 'id'"):
        compile_path("$.id").apply({"x": 1}, "$.id")


def test_csv_id_column_dropped_for_the_model_and_joined_back() -> None:
    processing = DataProcessing.from_request(
        {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}, "text/csv"
    )
    assert processing.model_input(b"id-7,1.5,2") == b"1.5,2"
    assert processing.model_input(b'"a,b",1.5,2') == b"1.5,2"
    assert processing.output(b"id-7,1.5,2", b"0.25") == b"id-7,0.25"
    assert processing.output(b'"a,b",1.5,2', b"0.25") == b'"a,b",0.25'


def test_json_join_adds_sagemaker_output_or_wraps_a_non_object() -> None:
    keyed = DataProcessing.from_request(
        {
            "InputFilter": "$.features",
            "JoinSource": "Input",
            "OutputFilter": "$['id','SageMakerOutput']",
        },
        "application/jsonlines",
    )
    record = json.dumps({"id": "a", "features": [1, 2]}).encode()
    assert keyed.model_input(record) == b"[1,2]"
    assert json.loads(keyed.output(record, b"0.5")) == {"id": "a", "SageMakerOutput": 0.5}
    wrapped = DataProcessing.from_request({"JoinSource": "Input"}, "application/jsonlines")
    assert json.loads(wrapped.output(b"[1,2]", b"0.5")) == {
        "SageMakerInput": [1, 2],
        "SageMakerOutput": 0.5,
    }


def test_filters_on_other_content_types_and_bad_join_are_refused() -> None:
    with pytest.raises(RecordError, match="CSV and JSON records only"):
        DataProcessing.from_request({"InputFilter": "$[1:]"}, "application/x-npy")
    with pytest.raises(RecordError, match="JoinSource must be None or Input"):
        DataProcessing.from_request({"JoinSource": "Output"}, "text/csv")
    assert DataProcessing.from_request(None, "application/x-npy").identity


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=MB // 3), max_size=20),
    cut=st.integers(min_value=1, max_value=MB),
)
@settings(deadline=None)  # 1-byte chunks of a few hundred KB: slow, not wrong
def test_byte_batches_cut_whole_records_like_batches(sizes: list[int], cut: int) -> None:
    records = [b"x" * n for n in sizes]
    data = b"".join(r + b"\n" for r in records)
    chunks = [data[i : i + cut] for i in range(0, len(data), cut)]
    payloads = list(byte_batches(chunks, max_payload_mb=1))
    assert [r for p in payloads for r in p.rstrip(b"\n").split(b"\n")] == records
    assert all(len(p) <= MB and p.endswith(b"\n") for p in payloads)
    assert payloads == [b"".join(r + b"\n" for r in g) for g in batches(records, max_payload_mb=1)]
