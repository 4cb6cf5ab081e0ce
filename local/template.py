"""Read template.yaml: the functions, their routes and event sources, with intrinsics resolved locally."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation short-form tags (!Ref, !GetAtt, ...) into their long form."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix in ("Ref", "Condition"):  # their long forms have no Fn:: prefix
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    pattern: re.Pattern[str]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


@dataclass
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    layer_dirs: list[Path]
    timeout: int
    memory: int
    routes: list[Route] = field(default_factory=list)
    event_sources: list[dict[str, Any]] = field(default_factory=list)


def route_pattern(path: str) -> re.Pattern[str]:
    """`/v1/resources/{resource_id}` -> a regex with named groups; `{proxy+}` is greedy."""
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            regex += f"(?P<{name[:-1]}>.+)" if name.endswith("+") else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(regex)


class Resolver:
    """Resolves the intrinsics the template uses to local physical names and values."""

    def __init__(self, template: dict[str, Any], physical: dict[str, dict[str, str]], overrides: dict[str, str]):
        self.template = template
        self.physical = physical  # logical id -> {"Ref": ..., "Arn": ..., ...}
        self.parameters = {
            name: str(overrides.get(name, spec.get("Default", "")))
            for name, spec in (template.get("Parameters") or {}).items()
        }
        self.parameters.update({"AWS::Region": overrides.get("AWS::Region", "us-east-1"), "AWS::StackName": "local"})
        # In template order, each after the ones it names (`!Condition`), as CloudFormation allows.
        self.conditions: dict[str, Any] = {}
        for name, cond in (template.get("Conditions") or {}).items():
            self.conditions[name] = self.resolve(cond)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if arg in self.parameters:
                    return self.parameters[arg]
                return self.physical.get(arg, {}).get("Ref", arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg
                return self.physical.get(logical, {}).get(attribute, f"{logical}.{attribute}")
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                extra = {} if isinstance(arg, str) else self.resolve(arg[1])
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(extra.get(m.group(1)) or self._sub(m.group(1))), text)
            if key == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.conditions.get(name) else no)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if key == "Fn::Equals":
                left, right = self.resolve(arg)
                return str(left) == str(right)
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(i) for i in self.resolve(items))
            if key == "Condition":
                return self.conditions.get(arg)
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, name: str) -> str:
        if "." in name:
            logical, attribute = name.split(".", 1)
            return str(self.resolve({"Fn::GetAtt": [logical, attribute]}))
        return str(self.resolve({"Ref": name}))


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in (template.get("Resources") or {}).items() if v.get("Type") == kind}


def api_routes(template: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(METHOD, path, function logical id) for every Api event in the template."""
    routes = []
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            if event.get("Type") == "Api":
                props = event["Properties"]
                routes.append((props["Method"].upper(), props["Path"], logical_id))
    return routes


def function_specs(template: dict[str, Any], resolver: Resolver) -> dict[str, FunctionSpec]:
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    layers = resources_of_type(template, "AWS::Serverless::LayerVersion")
    specs: dict[str, FunctionSpec] = {}
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        props = resource.get("Properties") or {}
        env = {
            **(globals_fn.get("Environment") or {}).get("Variables", {}),
            **(props.get("Environment") or {}).get("Variables", {}),
        }
        layer_refs = props.get("Layers", globals_fn.get("Layers", []))
        layer_dirs = []
        for ref in layer_refs:
            name = ref.get("Ref") if isinstance(ref, dict) else None
            if name in layers:
                content = ROOT / layers[name]["Properties"]["ContentUri"]
                # A layer built by SAM (BuildMethod) installs its requirements; locally they are in the venv.
                if (content / "python").is_dir():
                    layer_dirs.append(content / "python")
        spec = FunctionSpec(
            logical_id=logical_id,
            code_dir=ROOT / props["CodeUri"],
            handler=props.get("Handler", globals_fn.get("Handler", "app.handler")),
            environment={k: str(resolver.resolve(v)) for k, v in env.items()},
            layer_dirs=layer_dirs,
            timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
        )
        for event_name, event in (props.get("Events") or {}).items():
            event_props = event.get("Properties") or {}
            if event.get("Type") == "Api":
                path = event_props["Path"]
                spec.routes.append(Route(event_props["Method"].upper(), path, logical_id, route_pattern(path)))
            else:
                spec.event_sources.append(
                    {
                        "name": event_name,
                        "type": event.get("Type"),
                        "raw": event_props,
                        "properties": resolver.resolve(event_props),
                    }
                )
        specs[logical_id] = spec
    return specs
