"""Server-side request forgery guard for customer-supplied webhook URLs (OWASP API7:2023).

A webhook URL makes our functions send requests wherever a customer points them, from inside our network. Without
a guard that reaches the instance metadata service (169.254.169.254), VPC-internal services and loopback listeners.

The guard is applied twice: when a URL is registered (:func:`validate_url`, for a helpful 422) and when a delivery
is sent (:func:`post`). At send time the host is resolved once, every address is checked, and the connection goes
to the checked address itself, so a DNS answer that changes between the check and the connect (DNS rebinding)
cannot redirect the request. Redirects are never followed, since a 3xx could point anywhere. :func:`post` also
bounds the whole exchange, so one slow receiver cannot hold its caller past a known time.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# ipaddress's is_global already excludes CGNAT on current Pythons; it is listed explicitly because the meaning of
# is_global has shifted between releases and carrier-grade NAT space is internal to whoever runs it.
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
# NAT64 well-known prefix: the low 32 bits are an IPv4 address a NAT64 gateway would connect to.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeUrl(ValueError):
    """A webhook URL the guard refuses; the message is written for the customer who supplied the URL."""


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    request_path: str
    host_header: str


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that an IPv4-mapped, 6to4, Teredo or NAT64 address would end up reaching."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _problem(ip: _IPAddress, *, allow_loopback: bool) -> str | None:
    """Why connecting to ``ip`` is unsafe, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            problem = _problem(embedded, allow_loopback=allow_loopback)
            if problem is not None:
                return problem
            if ip.ipv4_mapped is not None:
                # ::ffff:a.b.c.d is the IPv4 address itself; is_global would wrongly judge the ::ffff:0:0/96 block.
                return None
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address (this includes the cloud metadata service)"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_private:
        return "a private network address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return None


def _parse_ip(text: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _check_address(host: str, address: str, *, allow_loopback: bool) -> None:
    ip = _parse_ip(address)
    if ip is None:
        raise UnsafeUrl(f"The webhook host {host!r} resolves to an address that cannot be checked ({address}).")
    problem = _problem(ip, allow_loopback=allow_loopback)
    if problem is not None:
        shown = host if host == address else f"{host!r} (resolved to {address})"
        raise UnsafeUrl(f"The webhook host {shown} is {problem}; webhook URLs must point to the public internet.")


DNS_TIMEOUT_SECONDS = 3.0


def _getaddrinfo(host: str, port: int, timeout: float = DNS_TIMEOUT_SECONDS) -> list:
    """getaddrinfo with a deadline: the resolver has none of its own, and a slow DNS must not hold a request
    (or a delivery batch) for tens of seconds. A timeout counts as "does not resolve"."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise socket.gaierror(f"resolving {host!r} took longer than {timeout:g} s") from None
    finally:
        pool.shutdown(wait=False)


def resolve_safe(host: str, port: int, *, allow_loopback: bool, dns_timeout: float = DNS_TIMEOUT_SECONDS) -> str:
    """Resolve ``host`` once, refuse it if ANY address is unsafe, and return the address to connect to.

    Checking every address (not just the one we would pick) matters because an attacker controls the answer order
    and clients fall back across addresses. The caller must connect to the returned address, not re-resolve.
    """
    literal = _parse_ip(host)
    if literal is not None:
        _check_address(host, host, allow_loopback=allow_loopback)
        return host
    try:
        infos = _getaddrinfo(host, port, min(dns_timeout, DNS_TIMEOUT_SECONDS))
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"The webhook host {host!r} does not resolve to any address.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeUrl(f"The webhook host {host!r} does not resolve to any address.")
    for address in addresses:
        _check_address(host, address, allow_loopback=allow_loopback)
    return addresses[0]


def _parse(url: str, *, allow_http: bool) -> _Target:
    """Everything that can be checked without DNS: length, characters, scheme, userinfo, host and port."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The webhook URL is longer than {MAX_URL_LENGTH} characters.")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise UnsafeUrl("The webhook URL contains whitespace or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"The webhook URL is not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if allow_http else ("https",)
    if scheme not in allowed:
        got = repr(scheme) if scheme else "none"
        raise UnsafeUrl(f"The webhook URL scheme must be {' or '.join(allowed)} (got {got}).")
    if "@" in parts.netloc:
        raise UnsafeUrl("The webhook URL must not contain credentials (user:password@); use the signing secret.")
    # A trailing dot names the same host; dropping it keeps SNI and certificate matching conventional.
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("The webhook URL has no host.")
    effective_port = port if port is not None else _DEFAULT_PORTS[scheme]
    if not 0 < effective_port < 65536:
        raise UnsafeUrl("The webhook URL has an invalid port.")
    shown_host = f"[{host}]" if ":" in host else host
    host_header = shown_host if port is None or port == _DEFAULT_PORTS[scheme] else f"{shown_host}:{port}"
    request_path = parts.path or "/"
    if parts.query:
        request_path += "?" + parts.query
    return _Target(scheme, host, effective_port, request_path, host_header)


def validate_url(url: str, *, allow_http: bool, allow_loopback: bool, unresolvable_ok: bool = False) -> None:
    """Raise :class:`UnsafeUrl` unless ``url`` is an acceptable webhook destination right now.

    Resolution is part of the check, so a name that only points somewhere internal is refused at registration.
    With ``unresolvable_ok`` a name that does not resolve (yet) is accepted: customers register endpoints before
    their DNS exists, and every delivery is checked again anyway. Passing here does not make later deliveries
    safe by itself: :func:`post` checks again on every send.
    """
    target = _parse(url, allow_http=allow_http)
    if unresolvable_ok and _parse_ip(target.host) is None:
        try:
            _getaddrinfo(target.host, target.port)
        except (socket.gaierror, UnicodeError):
            return
    resolve_safe(target.host, target.port, allow_loopback=allow_loopback)


class DeadlineExceeded(TimeoutError):
    """The whole exchange (resolve, connect, TLS, send, answer) did not finish within its total time."""


class _Deadline:
    """A total time for one exchange. Socket timeouts bound each read, not their sum: a receiver that drips one
    byte every few seconds never trips them. At the deadline a timer shuts the socket down, which wakes whatever
    read or write is blocked on it; the caller then reports DeadlineExceeded instead of what the read saw."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0 or self.expired:
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket = sock
            expired = self.expired
        if expired:
            self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._socket
        if sock is not None:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # socket.socket's own shutdown, also for an SSLSocket: its override drops the TLS state under a thread
        # that may be reading with it; the plain one only ends the connection at the OS level. OSError: closed.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _WatchedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a pre-checked IP, its socket handed to the deadline as soon as it exists."""

    def __init__(self, address: str, port: int, *, deadline: _Deadline):
        super().__init__(address, port, timeout=deadline.remaining())
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self._deadline.remaining())
        self._deadline.watch(sock)
        self.sock = sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a pre-checked IP while SNI and certificate verification use the URL's hostname."""

    def __init__(self, address: str, port: int, *, tls_hostname: str, deadline: _Deadline, context: ssl.SSLContext):
        super().__init__(address, port, timeout=deadline.remaining(), context=context)
        self._tls_hostname = tls_hostname
        self._tls_context = context
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self._deadline.remaining())
        self._deadline.watch(sock)
        try:
            # the handshake after wrapping: wrapping detaches the plain socket, and a handshake can drip too
            tls = self._tls_context.wrap_socket(sock, server_hostname=self._tls_hostname, do_handshake_on_connect=False)
            self._deadline.watch(tls)
            tls.do_handshake()
            self.sock = tls
        except BaseException:
            sock.close()
            raise


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_http: bool,
    allow_loopback: bool,
    max_response_bytes: int = 4096,
) -> tuple[int, bytes, float]:
    """POST ``body`` to a webhook URL through the guard; return (status, body excerpt, elapsed ms).

    Raises :class:`UnsafeUrl` when the guard refuses. Network failures (OSError, TimeoutError, ssl and http.client
    errors) propagate so that the caller can record them as a failed attempt. ``timeout`` is the TOTAL time of the
    exchange — resolving, connecting, the TLS handshake, sending and reading the status, headers and excerpt —
    however the receiver paces its bytes (:class:`DeadlineExceeded`). A 3xx is returned like any other status,
    never followed.
    """
    started = time.perf_counter()
    target = _parse(url, allow_http=allow_http)
    deadline = _Deadline(timeout)
    try:
        address = resolve_safe(
            target.host, target.port, allow_loopback=allow_loopback, dns_timeout=deadline.remaining()
        )
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(
                address,
                target.port,
                tls_hostname=target.host,
                deadline=deadline,
                context=ssl.create_default_context(),
            )
        else:
            connection = _WatchedHTTPConnection(address, target.port, deadline=deadline)
        # Host must name the checked hostname (http.client would otherwise send the IP we connect to); a caller's
        # own Host or Connection header is dropped so the request cannot claim a different virtual host or
        # keep-alive.
        request_headers = {n: v for n, v in headers.items() if n.lower() not in ("host", "connection")}
        request_headers["Host"] = target.host_header
        request_headers["Connection"] = "close"
        try:
            connection.request("POST", target.request_path, body=body, headers=request_headers)
            response = connection.getresponse()
            excerpt = response.read(max_response_bytes) if max_response_bytes > 0 else b""
            status = response.status
        except (OSError, http.client.HTTPException):
            deadline.remaining()  # a read the deadline cut short is a timeout, whatever the read made of it
            raise
        finally:
            connection.close()
        deadline.remaining()  # an answer completed only by the shutdown (a truncated excerpt) is not an answer
    finally:
        deadline.cancel()
    elapsed_ms = (time.perf_counter() - started) * 1000
    return status, excerpt, elapsed_ms
