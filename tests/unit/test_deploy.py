"""What a real deploy gets, read from SAM's own transform of template.yaml (issue 20): moto never sees it."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from local import sam_transform
from local.template import ROOT, load_template, resources_of_type


@pytest.fixture(scope="module")
def cfn():
    return sam_transform.transformed()


def _of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_the_api_has_exactly_one_stage_and_no_deployment_makes_another(cfn):
    (stage,) = _of_type(cfn, "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["StageName"] == {"Ref": "StageName"}
    for deployment in _of_type(cfn, "AWS::ApiGateway::Deployment").values():
        assert "StageName" not in deployment["Properties"]  # SAM's `Stage` stage, without OpenApiVersion


def test_every_lambda_permission_is_for_this_api_and_only_its_stage_can_invoke(cfn):
    every = _of_type(cfn, "AWS::Lambda::Permission")
    # the others: EventBridge's schedule (the plan sweeper) and Secrets Manager (the rotation function)
    assert {p["Properties"]["Principal"] for p in every.values()} == {
        "apigateway.amazonaws.com",
        "events.amazonaws.com",
        "secretsmanager.amazonaws.com",
    }
    permissions = {k: p for k, p in every.items() if p["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    assert len(permissions) == len(load_template_routes())
    for permission in permissions.values():
        props = permission["Properties"]
        text, variables = props["SourceArn"]["Fn::Sub"]
        assert variables["__ApiId__"] == {"Ref": "Api"}
        assert text.startswith("arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/")
        # SAM writes `*` for the stage of every Api event's permission and offers no way to narrow it; the API's
        # resource policy is what names the stage, so a stage added by hand serves nothing
        assert variables["__Stage__"] in ("*", {"Ref": "StageName"}, "api")
    api = cfn["Resources"]["Api"]["Properties"]
    policy = api["Body"]["x-amazon-apigateway-policy"]
    # SAM resolves the StageName parameter here (to its default offline, to the deployed value in CloudFormation)
    only_the_stage = {"Fn::Join": ["", ["execute-api:/", cfn["Parameters"]["StageName"]["Default"], "/*"]]}
    assert policy["Statement"] == [
        {"Action": "execute-api:Invoke", "Resource": only_the_stage, "Effect": "Allow", "Principal": "*"}
    ]


def load_template_routes():
    from local.template import api_routes

    return api_routes(load_template())


def test_answers_are_compressed(cfn):
    assert cfn["Resources"]["Api"]["Properties"]["MinimumCompressionSize"] == 1024


def test_every_queue_consumer_has_a_bounded_concurrency_from_a_parameter(cfn):
    template = load_template()
    mappings = _of_type(cfn, "AWS::Lambda::EventSourceMapping")
    sqs = {k: v["Properties"] for k, v in mappings.items() if "Stream" not in json.dumps(v["Properties"])}
    assert len(sqs) == 3
    for props in sqs.values():
        parameter = props["ScalingConfig"]["MaximumConcurrency"]["Ref"]
        spec = template["Parameters"][parameter]
        assert 2 <= int(spec["Default"]) <= 1000
        assert (spec["MinValue"], spec["MaxValue"]) == (2, 1000)  # what Lambda accepts


def test_names_shared_in_an_account_are_scoped_by_stack(cfn):
    for layer in _of_type(cfn, "AWS::Lambda::LayerVersion").values():
        assert "${AWS::StackName}" in layer["Properties"]["LayerName"]["Fn::Sub"]
    namespace = load_template()["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    assert "${AWS::StackName}" in namespace["Fn::Sub"]


def test_outputs_name_every_queue_and_the_secret_and_no_partition_suffix_is_hard_coded():
    template = load_template()
    outputs = template["Outputs"]
    referenced = {json.dumps(o["Value"]) for o in outputs.values()}
    for queue in resources_of_type(template, "AWS::SQS::Queue"):
        assert json.dumps({"Ref": queue}) in referenced, queue
    assert json.dumps({"Ref": "JwtSigningSecret"}) in referenced
    assert "${AWS::URLSuffix}" in outputs["ApiUrl"]["Value"]["Fn::Sub"]
    # URLs carry the partition's suffix (amazonaws.com.cn in China); service principals keep their own names
    urls = re.findall(r"https://\S+", (ROOT / "template.yaml").read_text())
    assert urls
    assert not [url for url in urls if "amazonaws.com" in url]


def test_the_api_gateway_account_role_is_optional_and_the_api_waits_for_it(cfn):
    resources = cfn["Resources"]
    assert cfn["Parameters"]["CreateApiGatewayAccountRole"]["Default"] == "false"
    account, role = resources["ApiGatewayAccount"], resources["ApiGatewayCloudWatchRole"]
    assert account["Condition"] == role["Condition"] == "CreateApiGatewayAccount"
    assert account["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]}
    assert "AmazonAPIGatewayPushToCloudWatchLogs" in json.dumps(role["Properties"]["ManagedPolicyArns"])
    ready = resources["ApiGatewayAccountReady"]
    assert ready["Metadata"]["AccountSet"]["Fn::If"][1] == {"Ref": "ApiGatewayAccount"}
    assert resources["Api"]["DependsOn"] == "ApiGatewayAccountReady"  # the stage needs the account's role


def test_samconfig_environments_have_their_own_region_and_stack():
    with (ROOT / "samconfig.toml").open("rb") as handle:
        config = tomllib.load(handle)
    assert "deploy" not in config.get("default", {})  # a bare `sam deploy` names no stack: no accidental target
    stacks = set()
    for name in ("dev", "prod"):
        environment = config[name]
        assert environment["global"]["parameters"]["region"]
        stacks.add(environment["global"]["parameters"]["stack_name"])
        deploy = environment["deploy"]["parameters"]
        assert f"Environment={name}" in deploy["parameter_overrides"].split()
        assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert len(stacks) == 2
