"""Each example spec builds, deploys to the local cloud and serves what its booster predicts.

One local account for the module; each test builds a spec and deploys it (an update: the
endpoint moves to the new model), then calls both clients with the card's sample rows by name
and compares with the booster's own in-process predictions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from clients import call_raw, predict
from clients.payload import predicted_labels, predictions_of
from clients.target import Target
from local_cloud.cdk import CdkCli
from model_build import build_from_spec
from model_build.train import predict as booster_predict
from tests.support.cdk import REPO, synth
from tests.support.local_aws import aws_environ, local_account

pytestmark = pytest.mark.e2e

STACK = "SagemakerXgbEndpoint"


@dataclass
class Account:
    app_dir: Path
    cdk: CdkCli
    session: boto3.session.Session

    def deploy_spec(self, spec: str) -> dict[str, Any]:
        """Build the spec into the app's build/, synthesize in process and deploy that assembly
        with the CLI, as `make deploy` deploys what it synthesized. The CLI running the build
        step and app.py for a spec is what `make demo MODEL=...` and the your-model page test."""
        build = self.app_dir / "build"
        tarball = build_from_spec(REPO / "examples" / "models" / spec, build, log=lambda _: None)
        synthesized = synth(artifact=tarball, outdir=self.app_dir / f"cdk.out.{spec}")
        self.cdk.deploy(assembly=synthesized.outdir)
        return json.loads((build / "model-card.json").read_text())

    def target(self, card: dict[str, Any], payload_format: str = "json") -> Target:
        outputs = json.loads(self.cdk.outputs_file.read_text())[STACK]
        return Target(
            endpoint_name=outputs["EndpointName"],
            rows=card["sample"]["rows"],
            region=self.session.region_name,
            payload_format=payload_format,
            card=card,
        )

    def booster_predictions(self, card: dict[str, Any]) -> list[Any]:
        booster = xgb.Booster()
        booster.load_model(
            bytearray((self.app_dir / "build" / "model" / "xgboost-model").read_bytes())
        )
        frame = pd.DataFrame(card["sample"]["rows"])[card["feature_names"]]
        for feature in card["features"]:
            if feature["type"] == "categorical":
                frame[feature["name"]] = pd.Categorical(
                    frame[feature["name"]], categories=feature["categories"]
                )
            else:
                frame[feature["name"]] = frame[feature["name"]].astype(np.float64)
        return booster_predict(booster, frame).tolist()


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    with local_account(tmp_path_factory.mktemp("e2e-examples")) as local:
        local.cdk.bootstrap(region=local.control_plane.region)
        with aws_environ(local.env):
            yield Account(app_dir=local.app_dir, cdk=local.cdk, session=local.session)
            local.cdk.destroy()


@pytest.mark.parametrize("spec", ["iris.toml", "diabetes.json", "loans.toml"])
def test_example_serves_its_boosters_predictions_through_both_clients(
    account: Account, spec: str
) -> None:
    card = account.deploy_spec(spec)
    expected = account.booster_predictions(card)
    for client in (predict, call_raw):
        served = predictions_of(client.invoke(account.target(card)).text)
        if card["kind"] == "multiclass":
            probabilities = [list(p["probabilities"].values()) for p in served]
            assert probabilities == expected  # float32 values through JSON: exact
            best = [card["labels"][int(np.argmax(p))] for p in expected]
            assert [p["predicted_label"] for p in served] == best
            assert [p["predicted_label"] for p in card["sample"]["predictions"]] == best
        else:
            assert served == expected == card["sample"]["predictions"]
    if all(feature["type"] == "numeric" for feature in card["features"]):
        as_npy = predict.invoke(account.target(card, payload_format="npy")).text
        as_json = predict.invoke(account.target(card)).text
        assert predicted_labels(as_npy, card) == predicted_labels(as_json, card)
