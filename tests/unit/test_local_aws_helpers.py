"""The pure helpers behind local_aws's patches and the public API client's local URL."""

from __future__ import annotations

import pytest

from clients.call_api import local_invoke_url
from local_aws.cloudformation_changesets import _dependency_order
from local_aws.patches import PATCHES, apply_all
from local_aws.sagemaker_shapes import without_empty_objects


def test_empty_objects_are_dropped_at_any_depth_and_lists_kept() -> None:
    given = {"A": {}, "B": {"C": {}, "D": 1}, "E": [{"F": None, "G": "x"}], "H": [], "I": 0}
    assert without_empty_objects(given) == {"B": {"D": 1}, "E": [{"G": "x"}], "H": [], "I": 0}


def test_dependency_order_puts_depends_on_first_and_keeps_the_rest_in_template_order() -> None:
    resources = {
        "Api": {},
        "Deployment": {"DependsOn": ["Method", "Missing"]},
        "Method": {"DependsOn": "Api"},
        "Other": {},
    }
    assert _dependency_order(resources) == ["Api", "Method", "Deployment", "Other"]


@pytest.mark.parametrize(
    ("url", "endpoint", "expected"),
    [
        (
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
            "http://localhost:5000",
            "http://localhost:5000/restapis/abc123/v1/_user_request_/predict",
        ),
        (
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
            None,
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
        ),
        ("http://127.0.0.1:9/restapis/a/v1/_user_request_/predict", "http://x", None),
    ],
)
def test_execute_api_urls_map_to_the_local_form_only_under_an_endpoint_override(
    url: str, endpoint: str | None, expected: str | None
) -> None:
    assert local_invoke_url(url, endpoint) == (expected or url)


def test_every_patch_is_named_and_says_what_it_restores() -> None:
    assert apply_all() == [patch.__name__ for patch in PATCHES]
    assert apply_all() == [patch.__name__ for patch in PATCHES]  # once only
    for patch in PATCHES:
        assert patch.__doc__ and "AWS" in patch.__doc__, patch.__name__
