"""All outbound HTTP to outlets: one client, timeouts always set, no private addresses unless allowed."""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings


class DestinationRefused(Exception):
    """The endpoint resolves to an address outlets may not reach (private, loopback, link-local)."""


def check_destination(url):
    host = urlsplit(url).hostname
    if not host:
        raise DestinationRefused(f"No host in {url!r}")
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise DestinationRefused(f"{host} does not resolve: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        private = address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
        if address.is_loopback and settings.OUTLETS_ALLOW_LOOPBACK:
            continue
        if private or address.is_multicast or address.is_unspecified:
            raise DestinationRefused(f"{host} resolves to {address}, which outlets may not reach")


def client(**kwargs):
    timeout = httpx.Timeout(settings.OUTLETS_HTTP_TIMEOUT, connect=min(5.0, settings.OUTLETS_HTTP_TIMEOUT))
    return httpx.Client(timeout=timeout, follow_redirects=False, **kwargs)


def request(recorder, method, url, *, redacted=None, **kwargs):
    """Send one request through the shared client and log it in the attempt (secrets redacted)."""
    check_destination(url)
    started = time.monotonic()
    entry = {"method": method, "url": url, "sent": redacted if redacted is not None else _summary(kwargs)}
    try:
        with client() as http:
            response = http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        entry |= {"error": f"{exc.__class__.__name__}: {exc}", "ms": _ms(started)}
        recorder.log(entry)
        raise
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
