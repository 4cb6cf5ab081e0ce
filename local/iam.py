"""Each function's role as SAM's transform writes it, and whether it allows a recorded AWS request (issue 20).

The statements come from the transformed template (local.sam_transform), with the intrinsics resolved to the names
the tests' resources have (local/aws.py: `local-<LogicalId>` in moto's account 123456789012), so that a recorded
request's ARN (local.aws_calls) can be matched against them. Only what this template's roles use is evaluated:
Allow/Deny statements, Action/Resource wildcards and the `ForAllValues:StringLike` dynamodb:LeadingKeys condition;
anything else raises, so that a new kind of statement extends this instead of passing unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from local.aws import LOCAL_PREFIX
from local.aws_calls import ACCOUNT

REGION = "us-east-1"
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}
PSEUDO["AWS::StackName"] = LOCAL_PREFIX

_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
# The AWS managed policies SAM attaches, as AWS publishes them (the transform names only their ARNs). They serve
# Lambda itself (logs, traces, the event source mappings' reads); the code's own calls may rely on them too.
MANAGED_POLICIES: dict[str, list[str]] = {
    "AWSLambdaBasicExecutionRole": _LOGS,
    "AWSXrayWriteOnlyAccess": [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    ],
    "AWSLambdaSQSQueueExecutionRole": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS],
    "AWSLambdaDynamoDBExecutionRole": [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        *_LOGS,
    ],
}


@dataclass
class Statement:
    effect: str
    actions: list[str]
    resources: list[str]
    condition: dict[str, Any]
    policy: str  # the inline policy's name, or "managed:<name>"
    own: bool  # declared by the template's Policies (not an AWS managed policy or one SAM adds for Lambda itself)

    def matches_action(self, action: str) -> bool:
        return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions)

    def matches_resource(self, resource: str) -> bool:
        return resource == "*" or any(fnmatchcase(resource, pattern) for pattern in self.resources)

    def matches_condition(self, leading_key: str) -> bool:
        for operator, tests in self.condition.items():
            for key, patterns in tests.items():
                if (operator, key) != ("ForAllValues:StringLike", "dynamodb:LeadingKeys"):
                    raise NotImplementedError(f"{self.policy}: condition {operator} {key} is not evaluated here")
                patterns = patterns if isinstance(patterns, list) else [patterns]
                # ForAllValues over no value is true, as IAM evaluates it (a request without a partition key)
                if leading_key and not any(fnmatchcase(leading_key, p) for p in patterns):
                    return False
        return True

    def allows(self, action: str, resource: str, leading_key: str) -> bool:
        return self.matches_action(action) and self.matches_resource(resource) and self.matches_condition(leading_key)


@dataclass
class Role:
    function: str
    logical_id: str
    statements: list[Statement] = field(default_factory=list)

    def allows(self, action: str, resource: str, leading_key: str = "") -> bool:
        if any(s.effect == "Deny" and s.allows(action, resource, leading_key) for s in self.statements):
            return False
        return any(s.effect == "Allow" and s.allows(action, resource, leading_key) for s in self.statements)


class Resolver:
    """The transformed template's intrinsics, resolved to the tests' physical names (moto, `local-` prefix)."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str] | None = None):
        self.resources = template.get("Resources") or {}
        self.parameters = {
            name: str((parameters or {}).get(name, spec.get("Default", "")))
            for name, spec in (template.get("Parameters") or {}).items()
        }
        self.conditions: dict[str, bool] = {}
        for name, condition in (template.get("Conditions") or {}).items():
            self.conditions[name] = bool(self.resolve(condition))

    def attribute(self, logical_id: str, attribute: str) -> str:
        kind = self.resources.get(logical_id, {}).get("Type", "")
        name = f"{LOCAL_PREFIX}-{logical_id}"
        if kind == "AWS::DynamoDB::Table":
            arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
            return {"Ref": name, "Arn": arn, "StreamArn": f"{arn}/stream/*"}[attribute]
        if kind == "AWS::SQS::Queue":
            arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
            url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
            return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}[attribute]
        if kind == "AWS::SecretsManager::Secret":
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-*"
        if kind == "AWS::KMS::Key":
            return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"
        return "*"  # what no test can name (a role, a function): any

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        ((key, argument),) = value.items()
        if key == "Ref":
            if argument in PSEUDO:
                return PSEUDO[argument]
            if argument in self.parameters:
                return self.parameters[argument]
            return self.attribute(argument, "Ref")
        if key == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.attribute(logical_id, attribute)
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
            variables = {k: self.resolve(v) for k, v in variables.items()}

            def substitute(found: re.Match[str]) -> str:
                name = found.group(1)
                if name in variables:
                    return str(variables[name])
                if "." in name:
                    return str(self.attribute(*name.split(".", 1)))
                return str(self.resolve({"Ref": name}))

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        if key == "Fn::Join":
            separator, items = argument
            return separator.join(str(i) for i in self.resolve(items))
        if key == "Fn::If":
            name, yes, no = argument
            return self.resolve(yes if self.conditions[name] else no)
        if key == "Fn::Equals":
            left, right = self.resolve(argument)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.resolve(argument[0])
        if key == "Fn::And":
            return all(self.resolve(argument))
        if key == "Fn::Or":
            return any(self.resolve(argument))
        if key == "Condition":
            return self.conditions[argument]
        if key.startswith("Fn::"):
            raise NotImplementedError(f"intrinsic {key} is not resolved here")
        return {key: self.resolve(argument)}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(document: dict[str, Any], policy: str, own: bool, resolver: Resolver) -> list[Statement]:
    found = []
    for raw in _as_list(document.get("Statement") or []):
        statement = resolver.resolve(raw)
        if "NotAction" in statement or "NotResource" in statement:
            raise NotImplementedError(f"{policy}: NotAction/NotResource are not evaluated here")
        found.append(
            Statement(
                effect=statement["Effect"],
                actions=_as_list(statement["Action"]),
                resources=[str(r) for r in _as_list(statement.get("Resource", "*"))],
                condition=statement.get("Condition") or {},
                policy=policy,
                own=own,
            )
        )
    return found


def roles(template: dict[str, Any], parameters: dict[str, str] | None = None) -> dict[str, Role]:
    """Function logical id -> its role's statements (inline, attached AWS::IAM::Policy, AWS managed)."""
    resolver = Resolver(template, parameters)
    resources = template["Resources"]
    found: dict[str, Role] = {}
    for function, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role_ref = resource["Properties"]["Role"]
        role_id = role_ref["Fn::GetAtt"][0] if isinstance(role_ref, dict) else None
        if role_id is None:
            raise NotImplementedError(f"{function}: a role not declared in the template")
        role = Role(function, role_id)
        properties = resources[role_id]["Properties"]
        for policy in properties.get("Policies") or []:
            name = policy["PolicyName"]
            # `<Role>Policy<n>` are the function's Policies; SAM adds others for Lambda itself (an event source's
            # on-failure destination), which no code of the function calls.
            own = re.fullmatch(rf"{role_id}Policy\d+", name) is not None
            role.statements += _statements(policy["PolicyDocument"], name, own, resolver)
        for arn in properties.get("ManagedPolicyArns") or []:
            name = str(resolver.resolve(arn)).rsplit("/", 1)[-1]
            if name not in MANAGED_POLICIES:
                raise NotImplementedError(f"{function}: managed policy {name} is not known to local.iam")
            role.statements.append(Statement("Allow", MANAGED_POLICIES[name], ["*"], {}, f"managed:{name}", False))
        for policy_id, policy in resources.items():
            if policy["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                attached = policy["Properties"].get("Roles") or []
                if {"Ref": role_id} in attached:
                    document = policy["Properties"]["PolicyDocument"]
                    role.statements += _statements(document, policy_id, True, resolver)
        found[function] = role
    return found


def unused_grants(role: Role, requests: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """What the role's own Allow statements grant that no recorded request of its function needed:
    (policy, action, "*") for an action no request used on any of the statement's resources, and
    (policy, "*", resource) for a resource no request of any of the statement's actions touched."""
    unused = []
    mine = [r for r in requests if r["function"] == role.function]
    for statement in role.statements:
        if not statement.own or statement.effect != "Allow":
            continue
        allowed = [r for r in mine if statement.allows(r["action"], r["resource"], r["leading_key"])]
        for action in statement.actions:
            if not any(fnmatchcase(r["action"].lower(), action.lower()) for r in allowed):
                unused.append((statement.policy, action, "*"))
        for resource in statement.resources:
            if not any(r["resource"] == "*" or fnmatchcase(r["resource"], resource) for r in allowed):
                unused.append((statement.policy, "*", resource))
    return unused
