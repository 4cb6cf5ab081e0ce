"""`sam local start-api` without Docker: HTTP -> API Gateway REST proxy event -> function -> HTTP."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.stack import LocalStack

log = logging.getLogger("local")
RECORD_PLACEHOLDER_TOKEN = "Bearer ${LOCAL_DEMO_API_KEY}"  # noqa: S105 - a placeholder, replaced at replay
RECORD_PLACEHOLDER_OPERATOR = "Bearer ${LOCAL_DEMO_OPERATOR_KEY}"  # the same, for an operator key


_RECORDED_OK: set[str] = set()
RECORDED: dict[str, int] = {}  # events/ file -> the status its request was answered with, in recording order
INTEGRATION_TIMEOUT_SECONDS = 29  # API Gateway's REST integration limit
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
RECORDED_API_ID = "a1b2c3d4e5"
RECORDED_DOMAIN = f"{RECORDED_API_ID}.execute-api.us-east-1.amazonaws.com"
RECORDED_SOURCE_IP = "203.0.113.10"  # documentation range (RFC 5737)


def as_api_gateway_sends(event: dict[str, Any], stage: str) -> dict[str, Any]:
    """The event as API Gateway sends it for a request on the default execute-api endpoint: the stage in
    requestContext.path, its own domain (no port), the identity fields, and the headers it adds."""
    clean = json.loads(json.dumps(event))
    context = clean["requestContext"]
    user_agent = (context.get("identity") or {}).get("userAgent")
    context.update(
        {
            "apiId": RECORDED_API_ID,
            "domainName": RECORDED_DOMAIN,
            "domainPrefix": RECORDED_API_ID,
            "path": f"/{stage}{clean['path']}",
            "protocol": "HTTP/1.1",
            "resourceId": "abc123",
            "extendedRequestId": "AbCdEfGhIjKlMnO=",
            "identity": {
                "accessKey": None,
                "accountId": None,
                "apiKey": None,
                "apiKeyId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": RECORDED_SOURCE_IP,
                "user": None,
                "userAgent": user_agent,
                "userArn": None,
            },
        }
    )
    added = {
        "Host": RECORDED_DOMAIN,
        "X-Amzn-Trace-Id": "Root=1-6740f000-0123456789abcdef01234567",
        "X-Forwarded-For": RECORDED_SOURCE_IP,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    for key in ("headers", "multiValueHeaders"):
        headers = {k: v for k, v in (clean.get(key) or {}).items() if k.lower() not in {n.lower() for n in added}}
        for name, value in added.items():
            headers[name] = value if key == "headers" else [value]
        if key == "headers":
            headers = {k: v for k, v in headers.items() if k.lower() != "cookie"}
        clean[key] = headers
    return clean


def record_event(directory: str, stack: LocalStack, function: str, event: dict[str, Any], status: int) -> None:
    """Save one event per route as events/<function folder>/<method>_<path>.json: the first 2xx one, or a
    4xx one where the run had no success for that route; RECORDED keeps the status it was answered with.

    The events come from real requests (`make events`: local/record_events.py, against the seeded fixtures);
    credentials are replaced by the seeded demo API key (local/seed.py), so `make invoke` and `sam local invoke
    -e` (after `make sam-events`) replay them on a freshly seeded backend to the same status.
    """
    folder = Path(directory) / stack.functions[function].code_dir.name
    slug = re.sub(r"[^a-z0-9]+", "_", event["resource"].lower()).strip("_")
    target = folder / f"{event['httpMethod'].lower()}_{slug}.json"
    if str(target) in _RECORDED_OK or (status >= 400 and target.exists() and str(target) in RECORDED):
        return
    if status < 400:
        _RECORDED_OK.add(str(target))
    clean = as_api_gateway_sends(event, stack.resolver.parameters.get("StageName", "api"))
    for key in ("headers", "multiValueHeaders"):
        for name in list((clean.get(key) or {}).keys()):
            if name.lower() == "authorization":
                value = clean[key][name] if key == "headers" else clean[key][name][-1]
                operator = value.removeprefix("Bearer ").startswith(("opk_live_", "opk_test_"))
                placeholder = RECORD_PLACEHOLDER_OPERATOR if operator else RECORD_PLACEHOLDER_TOKEN
                clean[key][name] = placeholder if key == "headers" else [placeholder]
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n")
    RECORDED[str(target)] = status


def _envelope(status: int, code: str, message: str, request_id: str, headers: dict[str, str] | None = None):
    body = {"error": {"code": code, "message": message, "details": {}, "request_id": f"req_{request_id}"}}
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def build_event(
    stack: LocalStack,
    handler: BaseHTTPRequestHandler,
    route: Any,
    params: dict[str, str],
    path: str,
    query: str,
    body: bytes,
    request_id: str,
    requested_path: str,
) -> dict[str, Any]:
    """The REST proxy event API Gateway (and `sam local start-api`) would send for this request."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in handler.headers.items():
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    try:
        text, encoded = (body.decode("utf-8"), False) if body else (None, False)
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    now = datetime.now(UTC)
    stage = stack.resolver.parameters.get("StageName", "api")
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": handler.command,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            # API Gateway's own domain, never the caller's Host header (which links must not trust).
            "domainName": str(handler.server.server_address[0]),
            "httpMethod": handler.command,
            "identity": {"sourceIp": handler.client_address[0], "userAgent": handler.headers.get("User-Agent")},
            "path": requested_path,
            "protocol": handler.request_version,
            "requestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourcePath": route.path,
            "stage": stage,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def make_handler(stack: LocalStack) -> type[BaseHTTPRequestHandler]:
    stage_prefix = "/" + stack.resolver.parameters.get("StageName", "api")
    record_dir = os.environ.get("LOCAL_RECORD_EVENTS")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "platform-api-local"

        def log_message(self, format: str, *args: Any) -> None:
            return  # one line per request is written by _handle instead

        def _handle(self) -> None:
            try:
                self._serve_one()
            except Exception:
                log.exception("local server failed on %s %s", self.command, self.path)
                status, _, payload = _envelope(500, "internal_server_error", "Local server error.", "local")
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

        def _serve_one(self) -> None:
            started = time.perf_counter()
            request_id = str(uuid.uuid4())
            split = urlsplit(self.path)
            path = unquote(split.path)
            if path == stage_prefix or path.startswith(stage_prefix + "/"):
                path = path[len(stage_prefix) :] or "/"
            length = int(self.headers.get("Content-Length") or 0)
            too_large = length > MAX_PAYLOAD_BYTES
            body = b"" if too_large or not length else self.rfile.read(length)
            route, params, allowed = stack.match(self.command, path)
            if too_large:
                self.close_connection = True  # the body is not read: answer and hang up, as API Gateway does
                status, headers, payload = stack.gateway_response("REQUEST_TOO_LARGE", 413, request_id)
            elif route is None and allowed and self.command == "OPTIONS" and stack.preflight_headers() is not None:
                # API Gateway's CORS mock (template.yaml, Api Cors): 200, `{}`, the configured headers
                status, headers, payload = 200, {"Content-Type": "application/json", **stack.preflight_headers()}, b"{}"
            elif route is None and allowed:
                status, headers, payload = _envelope(
                    405,
                    "method_not_allowed",
                    f"{self.command} is not allowed on {path}.",
                    request_id,
                    {"Allow": ", ".join(allowed)},
                )
            elif route is None:
                status, headers, payload = _envelope(
                    404, "resource_not_found", f"No route matches {self.command} {path}.", request_id
                )
            else:
                event = build_event(stack, self, route, params, path, split.query, body, request_id, split.path)
                status, headers, payload = self._invoke(route.function, event, request_id)
                if record_dir and status < 500:
                    record_event(record_dir, stack, route.function, event, status)
            headers.setdefault("X-Request-Id", f"req_{request_id}")
            self.send_response(status)
            for name, value in headers.items():
                for item in value if isinstance(value, list) else [value]:
                    self.send_header(name, str(item))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1fms", self.command, self.path, status, elapsed)

        def _invoke(self, function: str, event: dict[str, Any], request_id: str):
            outcome = stack.invoke(function, event, answer_within=INTEGRATION_TIMEOUT_SECONDS)
            if outcome.get("pending"):
                log.error("%s did not answer within API Gateway's %ss", function, INTEGRATION_TIMEOUT_SECONDS)
                return stack.gateway_response("INTEGRATION_TIMEOUT", 504, request_id, "Endpoint request timed out")
            if "error" in outcome:
                log.error("%s failed: %s\n%s", function, outcome["error"], outcome.get("trace", ""))
                return stack.gateway_response("INTEGRATION_FAILURE", 502, request_id, "Internal server error")
            result = outcome["result"]
            headers: dict[str, Any] = {}
            for name, value in (result.get("headers") or {}).items():
                headers[name] = value
            for name, values in (result.get("multiValueHeaders") or {}).items():
                headers[name] = values
            raw = result.get("body") or ""
            payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
            return int(result.get("statusCode", 200)), headers, payload

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    return Handler


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class LocalHttpServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 resets connections when a few dozen clients connect at once;
    # API Gateway never does that.
    request_queue_size = 1024


def serve(host: str, port: int, stack: LocalStack) -> None:
    server = LocalHttpServer((host, port), make_handler(stack))
    server.daemon_threads = True
    sources = None
    try:
        from local import event_sources  # started when the template has SQS or stream consumers
    except ImportError:
        event_sources = None
    if event_sources is not None:
        sources = event_sources.start(stack)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"Platform API ready at http://{host}:{port} (also /api/v1/...); backend {stack.endpoint_url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopping...", file=sys.stderr, flush=True)
    finally:
        server.server_close()
        if sources is not None:
            sources.stop()
        stack.close()
