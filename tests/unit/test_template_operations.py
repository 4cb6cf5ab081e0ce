"""template.yaml can be operated (issue 15, docs/operations.md): every function logs JSON to a log group of its own
with a retention, every function, queue, DLQ and stream consumer has an alarm, every alarm notifies the alarm topic,
the metrics alarms read are ones the code emits, every checkov suppression says why, and the options stay off
unless asked for."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from typing import Any

import pytest

from local.template import ROOT, Resolver, function_specs, load_template, resources_of_type
from platform_api.observability import MetricName

TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
QUEUES = resources_of_type(TEMPLATE, "AWS::SQS::Queue")
ALARMS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")
LOG_GROUPS = resources_of_type(TEMPLATE, "AWS::Logs::LogGroup")
PLATFORM_NAMESPACE = {"Fn::Sub": "PlatformApi/${AWS::StackName}"}
EMITTED = {value for name, value in vars(MetricName).items() if name.isupper()}
LAMBDA_LOG_LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads, whether it names one or a metric math expression: {namespace, name, dims}."""
    props = alarm["Properties"]
    if "MetricName" in props:
        return [{"namespace": props["Namespace"], "name": props["MetricName"], "dims": props.get("Dimensions", [])}]
    found = []
    for query in props["Metrics"]:
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            found.append({"namespace": metric["Namespace"], "name": metric["MetricName"], "dims": metric["Dimensions"]})
        elif "SELECT" in str(query.get("Expression")):  # Metrics Insights: SELECT SUM(Name) FROM SCHEMA("ns", ...)
            text = query["Expression"]["Fn::Sub"]
            name = re.search(r"SELECT \w+\((\w+)\)", text).group(1)
            found.append({"namespace": PLATFORM_NAMESPACE, "name": name, "dims": [], "query": text})
    return found


def _alarms_on(namespace: str, metric_name: str, dimension: str, value: Any) -> list[str]:
    return [
        logical_id
        for logical_id, alarm in ALARMS.items()
        for metric in _metrics(alarm)
        if metric["namespace"] == namespace
        and metric["name"] == metric_name
        and {"Name": dimension, "Value": value} in metric["dims"]
    ]


def _dead_letter_queues() -> set[str]:
    """Queues something dead-letters into: a redrive policy's target or an event source's OnFailure destination."""
    redrives = [q["Properties"]["RedrivePolicy"] for q in QUEUES.values() if "RedrivePolicy" in q["Properties"]]
    targets = {redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] for redrive in redrives}
    for function in FUNCTIONS.values():
        for event in (function["Properties"].get("Events") or {}).values():
            destination = (event["Properties"].get("DestinationConfig") or {}).get("OnFailure", {})
            if destination:
                targets.add(destination["Destination"]["Fn::GetAtt"][0])
    return targets


# ------------------------------------------------------------------------------------------------------ logs
@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_a_log_group_of_its_own_with_a_retention(logical_id):
    group = FUNCTIONS[logical_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    others = [f for f, r in FUNCTIONS.items() if f != logical_id and r["Properties"]["LoggingConfig"]["LogGroup"]]
    assert all(FUNCTIONS[f]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] != group for f in others)


def test_every_log_group_is_kept_only_for_its_retention():
    assert len(LOG_GROUPS) >= len(FUNCTIONS) + 1  # each function's, and the API's access log
    for logical_id, group in LOG_GROUPS.items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id


@pytest.mark.parametrize("level", TEMPLATE["Parameters"]["LogLevel"]["AllowedValues"])
def test_lambda_json_logging_filters_at_the_level_powertools_logs_at(level):
    logging_config = TEMPLATE["Globals"]["Function"]["LoggingConfig"]
    assert logging_config["LogFormat"] == "JSON"
    resolver = Resolver(TEMPLATE, {}, {"LogLevel": level})
    lambda_level = resolver.resolve(logging_config["ApplicationLogLevel"])
    powertools_level = function_specs(TEMPLATE, resolver)["HealthFunction"].environment["POWERTOOLS_LOG_LEVEL"]
    assert lambda_level in LAMBDA_LOG_LEVELS
    assert logging.getLevelName(lambda_level) == logging.getLevelName(powertools_level)  # WARN is WARNING
    assert set(TEMPLATE["Parameters"]["SystemLogLevel"]["AllowedValues"]) <= LAMBDA_LOG_LEVELS


# ------------------------------------------------------------------------------------------------------ alarms
@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_an_errors_and_a_throttles_alarm(logical_id):
    function = {"Ref": logical_id}
    assert _alarms_on("AWS/Lambda", "Errors", "FunctionName", function)
    assert _alarms_on("AWS/Lambda", "Throttles", "FunctionName", function)


@pytest.mark.parametrize(
    "logical_id",
    sorted(
        f for f, r in FUNCTIONS.items() if any(e["Type"] == "Api" for e in r["Properties"].get("Events", {}).values())
    ),
)
def test_every_api_function_alarms_on_the_500s_it_answers_itself(logical_id):
    service = FUNCTIONS[logical_id]["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    errors = _alarms_on("AWS/Lambda", "Errors", "FunctionName", {"Ref": logical_id})
    assert set(errors) & set(_alarms_on(PLATFORM_NAMESPACE, MetricName.UNHANDLED_ERRORS, "service", service))


@pytest.mark.parametrize("queue", sorted(QUEUES))
def test_every_queue_and_dead_letter_queue_has_an_alarm(queue):
    queue_name = {"Fn::GetAtt": [queue, "QueueName"]}
    if queue in _dead_letter_queues():  # anything in it is a failure someone has to look at
        alarms = _alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue_name)
        assert alarms, f"{queue} is a DLQ without a depth alarm"
        props = ALARMS[alarms[0]]["Properties"]
        assert (props["Threshold"], props["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    else:  # a queue that stops draining
        assert _alarms_on("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue_name), queue


def test_the_four_dead_letter_queues_are_known():
    assert _dead_letter_queues() == {"WebhookFanoutDLQ", "WebhookDeliveryDLQ", "SearchIndexDLQ", "MeteringDLQ"}


@pytest.mark.parametrize(
    "logical_id",
    sorted(
        f
        for f, r in FUNCTIONS.items()
        if any(e["Type"] == "DynamoDB" for e in r["Properties"].get("Events", {}).values())
    ),
)
def test_every_stream_consumer_alarms_when_it_falls_behind(logical_id):
    assert _alarms_on("AWS/Lambda", "IteratorAge", "FunctionName", {"Ref": logical_id})


def test_the_api_table_and_surges_have_alarms():
    stage = [
        {"Name": "ApiName", "Value": {"Fn::Sub": "${AWS::StackName}-api"}},
        {"Name": "Stage", "Value": {"Ref": "StageName"}},
    ]
    read = {(str(m["namespace"]), m["name"]) for alarm in ALARMS.values() for m in _metrics(alarm)}
    assert {
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
    } <= read
    assert _alarms_on("AWS/ApiGateway", "5XXError", "Stage", stage[1]["Value"])
    latency = ALARMS["ApiLatencyP99Alarm"]["Properties"]
    assert latency["ExtendedStatistic"] == "p99"
    assert latency["Dimensions"] == stage  # the API's name is SAM's Name: "${AWS::StackName}-api"
    assert RESOURCES["Api"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-api"}
    assert _alarms_on(PLATFORM_NAMESPACE, MetricName.LOGIN_FAILURES, "service", "auth")
    assert MetricName.RATE_LIMITED in {m["name"] for m in _metrics(ALARMS["RateLimitedSurgeAlarm"])}


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_notifies_the_alarm_topic(logical_id):
    props = ALARMS[logical_id]["Properties"]
    assert {"Ref": "AlarmTopic"} in props["AlarmActions"]
    assert {"Ref": "AlarmTopic"} in props["OKActions"]
    assert props["TreatMissingData"] == "notBreaching"  # an idle stage is not an outage
    assert "docs/operations.md" in props["AlarmDescription"]


def test_the_runbook_explains_every_alarm():
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for logical_id, alarm in ALARMS.items():
        section = re.search(r'docs/operations\.md, "([^"]+)"', alarm["Properties"]["AlarmDescription"])
        assert section, logical_id
        assert f"### {section.group(1)}" in runbook, f"{logical_id}: no section {section.group(1)!r}"


def test_alarms_read_only_metrics_the_code_emits():
    platform_metrics = {m["name"] for a in ALARMS.values() for m in _metrics(a) if m["namespace"] == PLATFORM_NAMESPACE}
    assert platform_metrics
    assert platform_metrics <= EMITTED
    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    assert namespace == PLATFORM_NAMESPACE


def test_the_alarm_topic_takes_an_optional_email():
    topic_policy = RESOURCES["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert topic_policy["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert Resolver(TEMPLATE, {}, {}).conditions["HasAlarmEmail"] is False
    assert Resolver(TEMPLATE, {}, {"AlarmEmail": "ops@example.com"}).conditions["HasAlarmEmail"] is True


# ------------------------------------------------------------------------------------------------------ dashboard
def test_the_dashboard_is_json_and_shows_every_queue_function_and_metric():
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    text = json.dumps(widgets)
    for queue in QUEUES:
        assert "${" + queue + ".QueueName}" in text, queue
    for name in FUNCTIONS:
        assert "${" + name + "}" in text, name
    for metric in ("ColdStart", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "Latency", "4XXError"):
        assert metric in text, metric
    for metric in EMITTED:
        assert metric in text, metric
    referenced = set(re.findall(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}", body))
    assert referenced <= set(RESOURCES) | set(TEMPLATE["Parameters"])  # !Sub names only what exists


# ------------------------------------------------------------------------------------------------------ checkov
def test_every_checkov_suppression_says_why():
    skipped = 0
    for logical_id, resource in RESOURCES.items():
        for entry in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", entry["id"]), logical_id
            assert len(entry.get("comment", "").split()) >= 8, f"{logical_id} {entry['id']}: say why"
            skipped += 1
    assert skipped >= len(FUNCTIONS)


# ------------------------------------------------------------------------------------------------------ options
def test_the_options_are_off_by_default():
    conditions = Resolver(TEMPLATE, {}, {}).conditions
    assert not conditions["WafEnabled"]
    assert not conditions["HasCustomDomain"]
    assert not conditions["HasProvisionedConcurrency"]
    for logical_id in ("WebAcl", "WebAclAssociation", "WafLogGroup", "WafLogging"):
        assert RESOURCES[logical_id]["Condition"] == "WafEnabled"
    for logical_id in ("ApiDomainName", "ApiBasePathMapping"):
        assert RESOURCES[logical_id]["Condition"] == "HasCustomDomain"


def test_the_web_acl_has_the_managed_rules_and_a_rate_rule_on_the_stage():
    acl = RESOURCES["WebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL"
    statements = [rule["Statement"] for rule in acl["Rules"]]
    groups = {s["ManagedRuleGroupStatement"]["Name"] for s in statements if "ManagedRuleGroupStatement" in s}
    assert groups == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    body = acl["CustomResponseBodies"][rate["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"]]
    assert json.loads(body["Content"])["error"]["code"] == "rate_limit_exceeded"  # the error envelope
    arn = RESOURCES["WebAclAssociation"]["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.endswith("/restapis/${Api}/stages/${Api.Stage}")
    redacted = RESOURCES["WafLogging"]["Properties"]["RedactedFields"]
    assert {"SingleHeader": {"Name": "authorization"}} in redacted  # credentials never reach the WAF's log


def test_a_custom_domain_serves_v1_at_an_empty_base_path_and_becomes_the_links_origin():
    mapping = RESOURCES["ApiBasePathMapping"]["Properties"]
    assert mapping.get("BasePath", "") == ""  # https://api.example.com/v1/... (document 000)
    assert mapping["RestApiId"] == {"Ref": "Api"}
    domain = {"DomainName": "api.example.com", "CertificateArn": "arn:aws:acm:eu-west-1:1:certificate/x"}

    def public_base_url(overrides: dict[str, str]) -> str:
        resolver = Resolver(TEMPLATE, {}, overrides)
        return function_specs(TEMPLATE, resolver)["ResourcesFunction"].environment["PUBLIC_BASE_URL"]

    assert public_base_url({}) == ""
    assert public_base_url(domain) == "https://api.example.com"
    assert public_base_url({**domain, "PublicBaseUrl": "https://edge.example.com"}) == "https://edge.example.com"
    assert public_base_url({"DomainName": "api.example.com"}) == ""  # no certificate, no domain
    assert Resolver(TEMPLATE, {}, {**domain, "HostedZoneId": "Z1"}).conditions["HasCustomDomainDns"] is True
    assert Resolver(TEMPLATE, {}, domain).conditions["HasCustomDomainDns"] is False


def test_provisioned_concurrency_keeps_the_hottest_functions_live_alias_warm():
    for logical_id in ("ResourcesFunction", "AuthFunction"):
        props = FUNCTIONS[logical_id]["Properties"]
        assert props["AutoPublishAlias"] == "live"
        condition, on, off = props["ProvisionedConcurrencyConfig"]["Fn::If"]
        assert condition == "HasProvisionedConcurrency"
        assert on == {"ProvisionedConcurrentExecutions": {"Ref": "ProvisionedConcurrency"}}
        assert off == {"Ref": "AWS::NoValue"}
    assert Resolver(TEMPLATE, {}, {"ProvisionedConcurrency": "2"}).conditions["HasProvisionedConcurrency"] is True


def test_snapstart_is_an_option_on_every_api_function_off_by_default_and_on_in_prod():
    api_functions = [
        logical_id
        for logical_id, resource in FUNCTIONS.items()
        if any(event.get("Type") == "Api" for event in (resource["Properties"].get("Events") or {}).values())
    ]
    assert len(api_functions) >= 11
    for logical_id in api_functions:
        props = FUNCTIONS[logical_id]["Properties"]
        assert props["AutoPublishAlias"] == "live", logical_id  # SnapStart applies to published versions only
        assert props["SnapStart"] == {
            "Fn::If": ["SnapStartOn", {"ApplyOn": "PublishedVersions"}, {"Ref": "AWS::NoValue"}]
        }, logical_id
    assert TEMPLATE["Parameters"]["SnapStart"]["Default"] == "false"
    assert Resolver(TEMPLATE, {}, {}).conditions["SnapStartOn"] is False
    assert Resolver(TEMPLATE, {}, {"SnapStart": "true"}).conditions["SnapStartOn"] is True
    rule = TEMPLATE["Rules"]["SnapStartExcludesProvisionedConcurrency"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::Equals": [{"Ref": "ProvisionedConcurrency"}, "0"]}
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert "SnapStart=true" in config["prod"]["deploy"]["parameters"]["parameter_overrides"].split()
    assert "SnapStart" not in config["dev"]["deploy"]["parameters"]["parameter_overrides"]


def test_samconfig_overrides_only_parameters_the_template_declares():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    declared = set(TEMPLATE["Parameters"])
    seen = 0
    for environment, commands in config.items():
        if not isinstance(commands, dict):
            continue
        overrides = (commands.get("deploy") or {}).get("parameters", {}).get("parameter_overrides", "")
        for pair in overrides.split():
            name, _, _value = pair.partition("=")
            assert name in declared, f"{environment}: {name}"
            seen += 1
    assert seen
