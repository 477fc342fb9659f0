"""All outbound HTTP to outlets: one client per outlet and origin in each process (connections are
reused), timeouts always set, only global addresses (loopback where OUTLETS_ALLOW_LOOPBACK), and every
new connection goes to the very address that was checked for it."""

import ipaddress
import os
import socket
import time
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

# IPv6 prefixes that carry an IPv4 address in their last 32 bits: IPv4-compatible (deprecated),
# IPv4-translated (SIIT) and NAT64's well-known prefix (RFC 6052).
EMBEDS_IPV4 = [ipaddress.ip_network(prefix) for prefix in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96")]
# Not global, whatever Python's table says: NAT64 for local use (RFC 8215).
LOCAL_USE = [ipaddress.ip_network("64:ff9b:1::/48")]


class DestinationRefused(Exception):
    """The endpoint resolves to an address outlets may not reach (not a global address)."""


def embedded_ipv4(address):
    """The IPv4 address an IPv6 address wraps (mapped, compatible, translated, 6to4, Teredo, NAT64),
    or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if any(address in network for network in EMBEDS_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def may_reach(address):
    if address.is_loopback and settings.OUTLETS_ALLOW_LOOPBACK:
        return True
    if address.is_multicast or any(address in network for network in LOCAL_USE):
        return False
    inner = embedded_ipv4(address)
    return address.is_global and (inner is None or inner.is_global)


def check_destination(url):
    """The address to connect to for `url`'s host. Every address the name resolves to must be one
    outlets may reach (a name that also points inside is refused); the first one is used."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or None
    except ValueError as exc:  # "http://[fd00::1/", a port that is not a number
        raise DestinationRefused(f"{url!r} is not a valid address: {exc}") from None
    if not host:
        raise DestinationRefused(f"No host in {url!r}")
    return check_host(host, port)


def check_host(host, port):
    """The checked address to connect to for `host` (see check_destination)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationRefused(f"{host} does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not may_reach(address):
            raise DestinationRefused(f"{host} resolves to {address}, which outlets may not reach")
    return str(addresses[0])


class PinnedBackend(httpcore.SyncBackend):
    """Resolves and checks the host each time a connection is opened, then connects to that very
    address: a DNS answer that changes between the check and the connection cannot lead elsewhere.
    The URL keeps the name, so the Host header, the TLS server name and the certificate check stay
    those of the name, and a pooled connection only ever serves the name it was opened for."""

    def connect_tcp(self, host, port, *args, **kwargs):
        return super().connect_tcp(check_host(host, port), port, *args, **kwargs)


class PinnedTransport(httpx.HTTPTransport):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pool._network_backend = PinnedBackend()  # httpx does not pass a backend through


MAX_CLIENTS = 64
_clients = {}


def client(**kwargs):
    timeout = httpx.Timeout(settings.OUTLETS_HTTP_TIMEOUT, connect=min(5.0, settings.OUTLETS_HTTP_TIMEOUT))
    # trust_env=False: a proxy from the environment would connect by name and undo the pinning.
    return httpx.Client(
        timeout=timeout, follow_redirects=False, transport=PinnedTransport(), trust_env=False, **kwargs
    )


def shared_client(outlet_id, url):
    """The process's client for this outlet and origin: its connections (and TLS sessions) are reused
    from one delivery to the next, and the CA bundle is loaded once, not per request. Keyed by the
    process too (a forked worker opens its own) and by the trusted certificates of the environment."""
    try:
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname, parts.port)
    except ValueError as exc:
        raise DestinationRefused(f"{url!r} is not a valid address: {exc}") from None
    trust = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    key = (os.getpid(), outlet_id, *origin, settings.OUTLETS_HTTP_TIMEOUT, trust)
    found = _clients.get(key)
    if found is None:
        if len(_clients) >= MAX_CLIENTS:
            close_clients()
        found = _clients[key] = client()
    return found


def close_clients():
    for http in _clients.values():
        http.close()
    _clients.clear()


def request(recorder, method, url, *, redacted=None, **kwargs):
    """Send one request through the outlet's shared client and log it in the attempt (secrets
    redacted). Raises DestinationRefused before anything is sent to an address outlets may not reach."""
    started = time.monotonic()
    entry = {"method": method, "url": url, "sent": redacted if redacted is not None else _summary(kwargs)}
    delivery = recorder.delivery
    http = shared_client(delivery.outlet_id if delivery is not None else None, url)
    try:
        response = http.request(method, url, **kwargs)
    except httpx.InvalidURL as exc:
        raise DestinationRefused(f"{url!r} is not a valid address: {exc}") from None
    except httpx.HTTPError as exc:
        entry |= {"error": f"{exc.__class__.__name__}: {exc}", "ms": _ms(started)}
        recorder.log(entry)
        raise
    finally:
        http.cookies.clear()  # as with a new client: no cookie carries over to the next request
    entry |= {"status": response.status_code, "ms": _ms(started), "received": response.text[:500]}
    recorder.log(entry)
    return response


def _ms(started):
    return round((time.monotonic() - started) * 1000)


def _summary(kwargs):
    if "json" in kwargs:
        return {"json": _truncate(kwargs["json"])}
    if "files" in kwargs:
        return {"files": [name for name in kwargs["files"]]}
    return {key: str(value)[:200] for key, value in kwargs.items() if key not in ("headers", "auth")}


def _truncate(value):
    text = str(value)
    return text if len(text) < 2000 else text[:2000] + "…"
