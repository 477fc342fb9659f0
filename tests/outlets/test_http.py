"""Outbound HTTP refuses every address that is not global and connects to the address it checked.

Nothing here sends a packet beyond loopback: refused addresses are refused before any connection, and
the "rebinding" DNS answer points at a second loopback address where a second server listens.
"""

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from outlets import http
from outlets.adapters import Recorder
from outlets.models import Delivery, Outlet
from tests.outlets.conftest import SECRET


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/hook",
        "http://100.100.100.200/latest/meta-data/",  # shared address space (100.64.0.0/10), cloud metadata
        "http://100.64.0.1/",
        "http://169.254.169.254/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[2002:a00:1::1]/",  # 6to4 wrapping 10.0.0.1
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:10.0.0.1]/",
        "http://[64:ff9b::a00:1]/",  # NAT64 wrapping 10.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping 169.254.169.254
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
        "http://[::10.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:0:a00:1]/",  # IPv4-translated
        "http://[64:ff9b:1::a00:1]/",  # NAT64 for local use
        "http://[fd00::1/",  # not a valid address at all
    ],
)
def test_addresses_that_are_not_global_are_refused(url, settings):
    settings.OUTLETS_ALLOW_LOOPBACK = True  # even then, only plain loopback passes
    with pytest.raises(http.DestinationRefused):
        http.check_destination(url)


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "http://[2606:4700::1111]/", "http://[2002:808:808::1]/"])
def test_global_addresses_pass(url):
    assert http.check_destination(url)


def test_loopback_passes_only_where_allowed(settings):
    settings.OUTLETS_ALLOW_LOOPBACK = False
    with pytest.raises(http.DestinationRefused):
        http.check_destination("http://127.0.0.1:8000/")
    settings.OUTLETS_ALLOW_LOOPBACK = True
    assert http.check_destination("http://127.0.0.1:8000/") == "127.0.0.1"
    assert http.check_destination("http://[::1]:8000/") == "::1"


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["http://[fd00::1]/hook", "http://[fd00::1/hook"])
def test_a_private_ipv6_literal_fails_the_delivery_at_once(endpoint, article, sign_off):
    from outlets.credentials import encrypt

    Outlet.objects.create(
        name="Intranet",
        kind=Outlet.Kind.WEBHOOK,
        endpoint=endpoint,
        secret_encrypted=encrypt(SECRET),
        preselected=True,
    )
    sign_off(article)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 1
    assert "ValueError" not in delivery.last_error


# --- Pinning: the connection goes to the address that was checked -------------------------------


class Server:
    """An HTTP(S) server on one loopback address that remembers the Host header of each request."""

    def __init__(self, address, port=0, tls=None):
        self.hosts = []
        self.server = ThreadingHTTPServer((address, port), self._handler())
        self.server.daemon_threads = True
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        hosts = self.hosts

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hosts.append(self.headers["Host"])
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """`outlet.test` resolves to 127.0.0.1 the first time it is asked and to 127.0.0.2 afterwards
    (standing in for an internal address: a DNS answer that changes between check and connect)."""
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "outlet.test":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = "127.0.0.1" if len(asked) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture
def checked_and_other():
    checked = Server("127.0.0.1")
    other = Server("127.0.0.2", checked.port)
    yield checked, other
    checked.stop()
    other.stop()


def test_the_connection_goes_to_the_address_that_was_checked(rebinding_dns, checked_and_other, settings):
    settings.OUTLETS_ALLOW_LOOPBACK = True
    checked, other = checked_and_other

    response = http.request(Recorder(None), "GET", f"http://outlet.test:{checked.port}/hook")

    assert response.status_code == 200
    assert checked.hosts == [f"outlet.test:{checked.port}"] and other.hosts == []
    assert len(rebinding_dns) == 1  # resolved once


def _certificate(name, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.mark.parametrize(("served_name", "accepted"), [("outlet.test", True), ("other.test", False)])
def test_tls_to_the_pinned_address_still_verifies_the_name(
    served_name, accepted, rebinding_dns, tmp_path, monkeypatch, settings
):
    settings.OUTLETS_ALLOW_LOOPBACK = True
    cert_file, key_file = _certificate(served_name, tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # trust this self-signed certificate only
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    server = Server("127.0.0.1", tls=tls)
    try:
        url = f"https://outlet.test:{server.port}/hook"
        if accepted:
            assert http.request(Recorder(None), "GET", url).status_code == 200
            assert server.hosts == [f"outlet.test:{server.port}"]
        else:
            with pytest.raises(httpx.ConnectError, match="certificate"):
                http.request(Recorder(None), "GET", url)
            assert server.hosts == []
    finally:
        server.stop()


# --- Reuse: one client per outlet, its connections kept; each new connection checked again ------


class KeepAliveServer(Server):
    """Keeps connections open between requests (HTTP/1.1) and remembers the client port of each."""

    def __init__(self, address):
        self.ports = []
        super().__init__(address)

    def _handler(self):
        ports, handler = self.ports, super()._handler()

        class Handler(handler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                ports.append(self.client_address[1])
                super().do_GET()

        return Handler


def test_requests_to_one_outlet_reuse_the_connection(settings):
    settings.OUTLETS_ALLOW_LOOPBACK = True
    server = KeepAliveServer("127.0.0.1")
    try:
        for _ in range(3):
            assert http.request(Recorder(None), "GET", f"http://127.0.0.1:{server.port}/").status_code == 200
    finally:
        server.stop()
    assert len(server.ports) == 3 and len(set(server.ports)) == 1


def test_a_new_connection_is_checked_again(monkeypatch, settings):
    settings.OUTLETS_ALLOW_LOOPBACK = True
    server = Server("127.0.0.1")  # HTTP/1.0: closes the connection after each answer
    answers = iter(["127.0.0.1", "10.0.0.1"])
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebound.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = f"http://rebound.test:{server.port}/"
    try:
        assert http.request(Recorder(None), "GET", url).status_code == 200
        with pytest.raises(http.DestinationRefused, match=r"10\.0\.0\.1"):
            http.request(Recorder(None), "GET", url)
    finally:
        server.stop()
    assert server.hosts == [f"rebound.test:{server.port}"]
