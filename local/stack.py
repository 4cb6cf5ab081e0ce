"""The whole local stack: backend (moto or a given endpoint), resolved functions, and their worker pools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from local import aws
from local.pool import FunctionPool
from local.snapshot import Snapshots
from local.template import FunctionSpec, Resolver, Route, function_specs, load_template, resources_of_type

LOCAL_PARAMETERS = {"PublicBaseUrl": "PUBLIC_BASE_URL", "AllowedOrigins": "ALLOWED_ORIGINS", "LogLevel": "LOG_LEVEL"}
_API_GATEWAY_DEFAULT_BODY = '{"message":"$context.error.messageString"}'


class LocalStack:
    def __init__(
        self,
        *,
        moto_port: int | None = None,
        parameter_overrides: dict[str, str] | None = None,
        data_dir: Path | None = None,
    ):
        """`data_dir`: keep the embedded backend's data there across restarts (None: start empty, keep nothing)."""
        aws.use_fake_credentials()
        self.template = load_template()
        self.moto = None
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("DYNAMODB_ENDPOINT_URL")
        if not endpoint:
            self.moto, endpoint = aws.start_moto(moto_port)
        self.endpoint_url = endpoint
        self.physical = aws.provision(endpoint, self.template)
        self.snapshots: Snapshots | None = None
        if self.moto is not None and data_dir is not None:
            self.snapshots = Snapshots(data_dir / "state.json", endpoint, self.physical)
            self.snapshots.load()
            self.snapshots.start()
        # The template's parameters a local run sets from its environment, as `sam deploy --parameter-overrides`
        # would: PUBLIC_BASE_URL (`make run` sets http://HOST:PORT), ALLOWED_ORIGINS, LOG_LEVEL (DEBUG as in dev).
        from_environment = {
            name: os.environ[variable]
            for name, variable in LOCAL_PARAMETERS.items()
            if os.environ.get(variable) and name in (self.template.get("Parameters") or {})
        }
        self.resolver = Resolver(self.template, self.physical, {**from_environment, **(parameter_overrides or {})})
        self.functions: dict[str, FunctionSpec] = function_specs(self.template, self.resolver)
        self.base_environment = self._base_environment()
        self.pools: dict[str, FunctionPool] = {}
        # Most specific first, as API Gateway matches: static segments before path parameters.
        self.routes: list[Route] = sorted(
            (route for spec in self.functions.values() for route in spec.routes),
            key=lambda r: (r.path.count("{"), -len(r.path)),
        )

    def _base_environment(self) -> dict[str, str]:
        env = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
            "AWS_DEFAULT_REGION": aws.REGION,
            "AWS_REGION": aws.REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
            "LOCAL_STACK": "true",
        }
        for passthrough in (
            "WEBHOOK_ALLOW_LOOPBACK",
            "POWERTOOLS_LOG_LEVEL",
            "RATE_LIMITS_JSON",
            "REGISTRATIONS_PER_IP_PER_HOUR",
            "LOGIN_ATTEMPTS_PER_IP_PER_MINUTE",
            "LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE",
            "LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE",
            "ANONYMOUS_REQUESTS_PER_IP_PER_MINUTE",
            "ANONYMOUS_REQUESTS_PER_IP_PER_HOUR",
        ):
            if os.environ.get(passthrough):
                env[passthrough] = os.environ[passthrough]
        return env

    def pool(self, logical_id: str) -> FunctionPool:
        if logical_id not in self.pools:
            self.pools[logical_id] = FunctionPool(self.functions[logical_id], self.base_environment)
        return self.pools[logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any], answer_within: float | None = None) -> dict[str, Any]:
        return self.pool(logical_id).invoke(event, answer_within)

    def preflight_headers(self) -> dict[str, str] | None:
        """The headers API Gateway's CORS mock answers an OPTIONS with (the Api's `Cors`, resolved as deployed);
        None when the template has no Cors. A value resolved to AWS::NoValue is absent, as deployed."""
        api = next(iter(resources_of_type(self.template, "AWS::Serverless::Api").values()), {})
        cors = (api.get("Properties") or {}).get("Cors")
        if not cors:
            return None
        names = {
            "AllowOrigin": "Access-Control-Allow-Origin",
            "AllowMethods": "Access-Control-Allow-Methods",
            "AllowHeaders": "Access-Control-Allow-Headers",
            "MaxAge": "Access-Control-Max-Age",
        }
        headers = {}
        for key, header in names.items():
            value = self.resolver.resolve(cors.get(key)) if key in cors else None
            if value is not None and value != "AWS::NoValue":
                headers[header] = str(value).strip("'")
        return headers

    def gateway_response(self, kind: str, status: int, request_id: str, message: str = "") -> tuple[int, dict, bytes]:
        """An answer API Gateway gives itself, from template.yaml's GatewayResponses (DEFAULT_4XX/5XX otherwise)."""
        api = next(iter(resources_of_type(self.template, "AWS::Serverless::Api").values()), {})
        responses = (api.get("Properties") or {}).get("GatewayResponses") or {}
        fallback = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        response = responses.get(kind) or responses.get(fallback) or {}
        body = (response.get("ResponseTemplates") or {}).get(
            "application/json"
        ) or '{"message":"$context.error.messageString"}'
        body = body.replace("$context.requestId", request_id).replace("$context.error.messageString", message)
        headers = {"Content-Type": "application/json"}
        for name, value in ((response.get("ResponseParameters") or {}).get("Headers") or {}).items():
            headers[name] = str(value).strip("'")
        return int(response.get("StatusCode", status)), headers, body.encode()

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path parameters, methods allowed on the path) for an incoming request."""
        allowed: list[str] = []
        for route in self.routes:
            params = route.match(path)
            if params is None:
                continue
            if route.method == method or route.method == "ANY":
                return route, params, allowed
            allowed.append(route.method)
        return None, {}, sorted(set(allowed))

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        if self.snapshots is not None:
            self.snapshots.stop()
        if self.moto is not None:
            self.moto.stop()
