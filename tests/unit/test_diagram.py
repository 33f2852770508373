"""The deployment diagrams: drawn from the template, valid Mermaid, and never stale in the docs."""

from __future__ import annotations

from typing import Any

import pytest

from docs_tools.diagram import DIAGRAMS, REPO, block, committed, render_all, replace, stale
from docs_tools.mermaid import render, template_graph, template_to_mermaid
from docs_tools.mermaid_syntax import syntax_errors

ASSET = "0" * 63 + "a.gz"


def _join(*parts: Any) -> dict[str, Any]:
    return {"Fn::Join": ["", list(parts)]}


# A hand-made template with the shapes CDK writes: an attached policy, an asset, a name reference.
TEMPLATE: dict[str, Any] = {
    "Resources": {
        "RoleAB12CD34": {"Type": "AWS::IAM::Role", "Properties": {}},
        "PolicyEF56AB78": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "RoleAB12CD34"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Sid": "ReadModelArtifact",
                            "Action": "s3:GetObject",
                            "Resource": _join("arn:aws:s3:::bucket/", ASSET),
                        },
                        {"Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    ]
                },
            },
        },
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ExecutionRoleArn": {"Fn::GetAtt": ["RoleAB12CD34", "Arn"]},
                "PrimaryContainer": {
                    "Image": _join("123.dkr.ecr.", {"Ref": "AWS::Region"}, ".x/repo-a:1.0"),
                    "ModelDataUrl": {"Fn::Sub": f"s3://cdk-x-assets-${{AWS::AccountId}}/{ASSET}"},
                },
            },
            "DependsOn": ["PolicyEF56AB78"],
        },
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                        "InstanceType": "ml.m5.large",
                        "InitialInstanceCount": 2,
                    }
                ]
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                "EndpointName": "MyEndpoint",
            },
            "DependsOn": "Logs",
        },
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "/aws/sagemaker/Endpoints/MyEndpoint"},
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "mentions Logs and MyEndpoint: free text, not a reference",
                "Dimensions": [{"Name": "EndpointName", "Value": "MyEndpoint"}],
                "AlarmActions": [{"Ref": "Topic"}],
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
    }
}


def test_template_to_nodes_and_edges() -> None:
    graph = template_graph(TEMPLATE)
    labels = {node.id: node.label for node in graph.nodes}
    assert labels == {
        "ModelArtefact": "S3 asset<br/>model artefact",
        "ImageRepoA": "ECR image<br/>repo-a:1.0",
        "Role": "IAM role + policy",  # the attached policy is drawn inside its role
        "Model": "SageMaker Model",
        "Config": "SageMaker EndpointConfig<br/>ml.m5.large \N{MULTIPLICATION SIGN} 2",
        "Endpoint": "SageMaker Endpoint<br/>MyEndpoint",
        "Logs": "CloudWatch log group<br/>/aws/sagemaker/Endpoints/MyEndpoint",
        "Alarm": "CloudWatch alarm",
        "Topic": "SNS topic",
    }
    edges = {(e.source, e.target, e.label, e.both_ways) for e in graph.edges}
    assert edges == {
        ("ModelArtefact", "Role", "Read model artifact", False),  # the statement's Sid
        ("ModelArtefact", "Model", None, False),
        ("ImageRepoA", "Model", None, False),
        ("Role", "Model", None, False),  # GetAtt, and DependsOn on the folded policy
        ("Model", "Config", None, False),
        ("Config", "Endpoint", None, False),
        ("Endpoint", "Logs", None, False),  # DependsOn, drawn into the sink
        ("Endpoint", "Alarm", None, False),  # by the literal name in its dimension
        ("Alarm", "Topic", None, False),  # Ref, drawn into the sink
    }


def test_two_way_references_are_one_edge_with_both_arrows() -> None:
    template = {
        "Resources": {
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {"EndpointName": "Ep12345"},
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "Ep12345-errors",
                    "Dimensions": [{"Name": "EndpointName", "Value": "Ep12345"}],
                },
            },
        }
    }
    template["Resources"]["Endpoint"]["DependsOn"] = ["Alarm"]
    (edge,) = template_graph(template).edges
    assert edge.both_ways
    assert "<-->" in render(template_graph(template))


def test_rendered_mermaid_is_valid_and_grouped_by_construct() -> None:
    template = {
        "Resources": {
            name: {**res, "Metadata": {"aws:cdk:path": f"Stack/Part/{name}/Resource"}}
            for name, res in TEMPLATE["Resources"].items()
        }
    }
    source = template_to_mermaid(template)
    assert syntax_errors(source) == []
    assert '  subgraph grpPart["Part"]' in source
    assert '  ModelArtefact -->|"Read model artifact"| Role' in source


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('graph LR\n  A["a"]', "line 1"),
        ('flowchart LR\n  A["a"]\n  A --> B', "undeclared node 'B'"),
        ("flowchart LR\n  A[a]", "not a node"),
        ('flowchart LR\n  end["a"]', "Mermaid keyword"),
        ('flowchart LR\n  End["a"]', "Mermaid keyword"),
        ('flowchart LR\n  A["a"]\n  A["b"]', "declared twice"),
        ('flowchart LR\n  subgraph G["g"]\n  A["<b>a</b>"]', "markup other than <br/>"),
        ('flowchart LR\n  subgraph G["g"]\n  A["a"]', "not closed"),
    ],
)
def test_syntax_check_finds_each_problem(source: str, problem: str) -> None:
    assert any(problem in error for error in syntax_errors(source)), syntax_errors(source)


def test_markers_are_replaced_in_place() -> None:
    text = "intro\n" + block("x", "flowchart LR\n") + "\noutro\n"
    updated = replace(text, "x", 'flowchart LR\n  A["a"]\n')
    assert committed(updated, "x") == 'flowchart LR\n  A["a"]\n'
    assert updated.startswith("intro\n") and updated.endswith("\noutro\n")
    with pytest.raises(ValueError, match="diagram:y"):
        replace(text, "y", "flowchart LR\n")


def test_committed_diagrams_match_the_templates(built_model: Any) -> None:
    rendered = render_all(built_model.tarball)
    assert stale(rendered) == [], "a diagram is stale: run `make diagram` and commit"
    for diagram in DIAGRAMS:
        source = committed((REPO / diagram.document).read_text(), diagram.name)
        assert source is not None and syntax_errors(source) == [], diagram.name
    # The README's picture shows the whole default path, asset to log group.
    default = rendered["default"]
    for edge in (
        "ModelArtefact -->",
        "XgboostEndpointExecutionRole --> XgboostEndpointModel",
        "XgboostEndpointModel --> XgboostEndpointEndpointConfig",
        "XgboostEndpointEndpointConfig --> XgboostEndpoint\n",
        "XgboostEndpoint --> XgboostEndpointLogGroup",
    ):
        assert edge in default
