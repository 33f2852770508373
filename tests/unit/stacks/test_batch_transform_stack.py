"""The batch_transform option in the synthesized template: its bucket, the role's exact rights,
the outputs and cdk-nag (examples/batch.json, plus a retained bucket without a key); cfn-lint
runs on both in test_options_lint.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.assemblies import Assemblies
from tests.support.cdk import Synthesized, acknowledged, assert_every_acknowledgement_is_needed

CONFIGS = ("batch", "batch_retained")  # in tests/support/assemblies.py


@pytest.fixture(scope="module")
def batch(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("batch")


@pytest.fixture(scope="module")
def retained(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("batch_retained")


def _only(synthesized: Synthesized, type_: str) -> tuple[str, dict[str, Any]]:
    found = dict(synthesized.template.find_resources(type_))
    assert len(found) == 1, sorted(found)
    return next(iter(found.items()))


def _statements(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    policies = synthesized.template.find_resources("AWS::IAM::Policy")
    (policy,) = [p for i, p in policies.items() if i.startswith("XgboostEndpointExecutionPolicy")]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_bucket_is_encrypted_with_the_stacks_key_private_tls_only_expiring_and_emptied(
    batch: Synthesized,
) -> None:
    bucket_id, bucket = _only(batch, "AWS::S3::Bucket")
    key_id, _ = _only(batch, "AWS::KMS::Key")
    props = bucket["Properties"]
    default = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert default["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert props["LifecycleConfiguration"]["Rules"] == [
        {"Id": "expire-batch-data", "ExpirationInDays": 7, "Status": "Enabled"}
    ]
    assert bucket["DeletionPolicy"] == "Delete"
    policy = next(iter(batch.template.find_resources("AWS::S3::BucketPolicy").values()))
    denies = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"
    ]
    assert denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    batch.template.has_resource_properties(
        "Custom::S3AutoDeleteObjects", {"BucketName": {"Ref": bucket_id}}
    )


def test_role_reads_only_the_input_prefix_and_writes_only_the_output_prefix(
    batch: Synthesized,
) -> None:
    bucket_id, _ = _only(batch, "AWS::S3::Bucket")
    key_id, _ = _only(batch, "AWS::KMS::Key")
    arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    statements = _statements(batch)
    assert statements["ReadBatchInputs"]["Action"] == "s3:GetObject"
    assert statements["ReadBatchInputs"]["Resource"] == {"Fn::Join": ["", [arn, "/batch-input/*"]]}
    assert statements["WriteBatchOutputs"]["Action"] == "s3:PutObject"
    assert statements["WriteBatchOutputs"]["Resource"] == {
        "Fn::Join": ["", [arn, "/batch-output/*"]]
    }
    assert statements["ListBatchInputs"]["Resource"] == arn
    assert statements["ListBatchInputs"]["Condition"] == {
        "StringLike": {"s3:prefix": ["batch-input/*"]}
    }
    assert statements["UseKeyForBatchData"]["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    s3_grants = {
        (s["Sid"], a)
        for s in statements.values()
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        if a.startswith("s3:")
    }
    assert s3_grants == {
        ("ReadModelArtifact", "s3:GetObject"),
        ("ListBatchInputs", "s3:ListBucket"),
        ("ReadBatchInputs", "s3:GetObject"),
        ("WriteBatchOutputs", "s3:PutObject"),
    }


def test_outputs_name_the_bucket_and_the_model(batch: Synthesized) -> None:
    bucket_id, _ = _only(batch, "AWS::S3::Bucket")
    model_id, _ = _only(batch, "AWS::SageMaker::Model")
    batch.template.has_output("BatchBucketName", {"Value": {"Ref": bucket_id}})
    batch.template.has_output("ModelName", {"Value": {"Fn::GetAtt": [model_id, "ModelName"]}})


def test_retained_bucket_without_a_key_is_sse_s3_and_survives_destroy(
    retained: Synthesized,
) -> None:
    _, bucket = _only(retained, "AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Retain"
    default = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert default["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    retained.template.resource_count_is("Custom::S3AutoDeleteObjects", 0)
    assert "UseKeyForBatchData" not in _statements(retained)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    config: str,
    assemblies: Assemblies,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synthesized = assemblies.get(config)
    assert_every_acknowledgement_is_needed(
        synthesized,
        artifact=built_model.tarball,
        outdir=tmp_path,
        monkeypatch=monkeypatch,
        **assemblies.overrides(config),
    )
    prefixes = [r for r in acknowledged(synthesized) if "/batch-" in r]
    assert len(prefixes) == 2
