"""The webhook SSRF guard: what it refuses, what it allows, and a real POST through it (no external network)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from platform_api import ssrf
from platform_api.ssrf import UnsafeUrl

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


def _fake_getaddrinfo(table: dict[str, list[str]]):
    """A getaddrinfo that answers from ``table``, passes literal addresses through, and fails for other names."""

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            addresses = table[host]
        answers = []
        for address in addresses:
            if ":" in address:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers

    return getaddrinfo


@pytest.fixture(autouse=True)
def resolver(monkeypatch) -> dict[str, list[str]]:
    """Every test resolves from this table, so nothing here ever depends on real DNS."""
    table = {
        "example.com": [PUBLIC_V4, PUBLIC_V6],
        "localhost": ["127.0.0.1", "::1"],
        "mixed.example": [PUBLIC_V4, "10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
        "127.1": ["127.0.0.1"],
    }
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo(table))
    return table


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://localhost./hook", "loopback"),
        ("https://127.1/hook", "loopback"),
        ("https://10.0.0.1/hook", "private"),
        ("https://172.16.5.4/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://metadata.example/", "link-local"),
        ("https://100.64.0.1/hook", "carrier-grade NAT"),
        ("https://[::1]/hook", "loopback"),
        ("https://[fc00::1]/hook", "private"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://[::ffff:169.254.169.254]/hook", "link-local"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://[::]/hook", "unspecified"),
        ("https://224.0.1.1/hook", "multicast"),
        ("https://[ff02::1]/hook", "multicast"),
        ("https://240.0.0.1/hook", "address"),
        ("https://mixed.example/hook", "10.1.2.3"),
        ("https://nowhere.invalid/hook", "does not resolve"),
        ("http://example.com/hook", "scheme must be https"),
        ("https://user:pass@example.com/hook", "credentials"),
        ("https://user@example.com/hook", "credentials"),
        ("ftp://example.com/hook", "scheme must be https"),
        ("example.com/hook", "scheme must be https"),
        ("https:///hook", "no host"),
        ("https://example.com:99999/hook", "not a valid URL"),
        ("https://example.com/ hook", "whitespace"),
        ("https://example.com/" + "a" * 2048, "longer than 2048"),
    ],
)
def test_deployed_guard_refuses(url, message):
    with pytest.raises(UnsafeUrl, match=message):
        ssrf.validate_url(url, allow_http=False, allow_loopback=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hook",
        "https://EXAMPLE.com:8443/hooks?tenant=1",
        f"https://{PUBLIC_V4}/hook",
        f"https://[{PUBLIC_V6}]/hook",
        "https://[::ffff:93.184.216.34]/hook",
    ],
)
def test_deployed_guard_allows_public_destinations(url):
    ssrf.validate_url(url, allow_http=False, allow_loopback=False)


def test_any_private_address_in_the_answer_refuses_the_name():
    with pytest.raises(UnsafeUrl, match="private") as caught:
        ssrf.resolve_safe("mixed.example", 443, allow_loopback=False)
    assert "mixed.example" in str(caught.value)


def test_resolve_safe_returns_a_checked_address():
    assert ssrf.resolve_safe("example.com", 443, allow_loopback=False) == PUBLIC_V4
    assert ssrf.resolve_safe(PUBLIC_V6, 443, allow_loopback=False) == PUBLIC_V6


def test_local_mode_allows_loopback_over_http():
    ssrf.validate_url("http://127.0.0.1:8080/hook", allow_http=True, allow_loopback=True)
    ssrf.validate_url("http://localhost:8080/hook", allow_http=True, allow_loopback=True)
    ssrf.validate_url("http://[::1]:8080/hook", allow_http=True, allow_loopback=True)


def test_local_mode_still_refuses_private_and_metadata_addresses():
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://0.0.0.0:8080/"):
        with pytest.raises(UnsafeUrl):
            ssrf.validate_url(url, allow_http=True, allow_loopback=True)


def test_http_alone_does_not_allow_loopback():
    with pytest.raises(UnsafeUrl, match="loopback"):
        ssrf.validate_url("http://127.0.0.1:8080/hook", allow_http=True, allow_loopback=False)


def test_post_refuses_before_connecting(monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("the guard must refuse before any connection")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(UnsafeUrl, match="link-local"):
        ssrf.post(
            "http://169.254.169.254/latest/meta-data/",
            b"{}",
            {},
            timeout=1,
            allow_http=True,
            allow_loopback=True,
        )


class _Recorder(BaseHTTPRequestHandler):
    """Answers POST /ok with a long body and POST /redirect with a 302 to /ok; records what it received."""

    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = b"x" * 10_000
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1; being a literal address, it is reached without any name resolution."""
    _Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_post_round_trip_truncates_the_response_excerpt(local_server):
    status, excerpt, elapsed_ms = ssrf.post(
        local_server + "/ok?attempt=1",
        b'{"hello":"world"}',
        {"Content-Type": "application/json", "Host": "evil.example", "X-Webhook-Signature": "sha256=abc"},
        timeout=5,
        allow_http=True,
        allow_loopback=True,
        max_response_bytes=100,
    )
    assert status == 200
    assert excerpt == b"x" * 100
    assert elapsed_ms >= 0
    [(path, headers, body)] = _Recorder.received
    assert path == "/ok?attempt=1"
    assert body == b'{"hello":"world"}'
    assert headers["host"] == local_server.removeprefix("http://")
    assert headers["x-webhook-signature"] == "sha256=abc"
    assert headers["content-type"] == "application/json"


def test_post_does_not_follow_redirects(local_server):
    status, excerpt, _ = ssrf.post(
        local_server + "/redirect",
        b"{}",
        {},
        timeout=5,
        allow_http=True,
        allow_loopback=True,
    )
    assert status == 302
    assert excerpt == b""
    assert [path for path, _, _ in _Recorder.received] == ["/redirect"]


def test_post_surfaces_connection_failures(local_server):
    closed_port = _unused_port()
    with pytest.raises(ConnectionRefusedError):
        ssrf.post(f"http://127.0.0.1:{closed_port}/ok", b"{}", {}, timeout=2, allow_http=True, allow_loopback=True)


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _issue_certificate(directory, hostname: str):
    """A throwaway CA and a server certificate for ``hostname`` signed by it; returns (ca_pem, cert_path, key_path)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject: str, key, issuer: str, issuer_key, *, ca: bool, san: str | None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("test CA", ca_key, "test CA", ca_key, ca=True, san=None)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = build(hostname, server_key, "test CA", ca_key, ca=False, san=hostname)
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_cert.public_bytes(serialization.Encoding.PEM).decode(), cert_path, key_path


@pytest.fixture
def tls_server(tmp_path, monkeypatch, resolver) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 whose certificate names hooks.test, trusted through a test CA."""
    ca_pem, cert_path, key_path = _issue_certificate(tmp_path, "hooks.test")
    resolver["hooks.test"] = ["127.0.0.1"]
    resolver["other.test"] = ["127.0.0.1"]

    def trusting_context() -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=ca_pem)
        return context

    monkeypatch.setattr(ssl, "create_default_context", trusting_context)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    _Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_https_connects_to_the_checked_ip_and_verifies_the_original_hostname(tls_server, monkeypatch):
    connected_to: list[tuple[str, int]] = []
    real_create_connection = socket.create_connection

    def recording_create_connection(address, *args, **kwargs):
        connected_to.append(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording_create_connection)
    status, excerpt, _ = ssrf.post(
        f"https://hooks.test:{tls_server}/ok",
        b"{}",
        {},
        timeout=5,
        allow_http=False,
        allow_loopback=True,
        max_response_bytes=10,
    )
    assert (status, excerpt) == (200, b"x" * 10)
    assert connected_to == [("127.0.0.1", tls_server)]
    [(_, headers, _)] = _Recorder.received
    assert headers["host"] == f"hooks.test:{tls_server}"


def test_https_refuses_a_certificate_for_another_hostname(tls_server):
    with pytest.raises(ssl.SSLCertVerificationError, match=r"(?i)hostname mismatch"):
        ssrf.post(f"https://other.test:{tls_server}/ok", b"{}", {}, timeout=5, allow_http=False, allow_loopback=True)
    assert _Recorder.received == []


def test_post_bounds_the_whole_exchange_however_slowly_the_receiver_drips():
    """One byte every 0.4 s never trips a per-read timeout of 1 s; the total deadline ends it at 1 s."""
    from local.webhook_receiver import WebhookReceiver

    with WebhookReceiver(status=200, drip=0.4) as dripping:
        started = time.monotonic()
        with pytest.raises(ssrf.DeadlineExceeded):
            ssrf.post(dripping.url, b"{}", {}, timeout=1.0, allow_http=True, allow_loopback=True)
        took = time.monotonic() - started
    assert 0.9 < took < 1.8, took


def test_post_bounds_a_receiver_that_never_answers():
    from local.webhook_receiver import WebhookReceiver

    with WebhookReceiver(status=200, hang=30) as hanging:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            ssrf.post(hanging.url, b"{}", {}, timeout=0.5, allow_http=True, allow_loopback=True)
        assert time.monotonic() - started < 1.5
        assert len(hanging.deliveries) == 1  # it got the request: the deadline ended the wait, not the send
