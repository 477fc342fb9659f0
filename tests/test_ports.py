"""`make run` does not die on a taken port: the demo receiver takes a free one and the demo outlet
follows it; a taken port is named plainly; links follow PORT when SITE_URL is not set."""

import socket

import pytest
from django.core.management import CommandError, call_command

from outlets import demo
from outlets.models import Outlet
from tests.test_settings import run_django


@pytest.fixture
def taken_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_site_url_follows_port_when_it_is_not_set():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = run_django(["-c", code], {"DEBUG": "true", "PORT": "8123", "SITE_URL": ""})
    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr


def test_a_taken_web_port_is_named(taken_port):
    result = run_django(["-m", "publicity.ports", str(taken_port)], {"DEBUG": "true"})
    assert result.returncode == 1
    assert f"Port {taken_port} (the web server) is taken" in result.stderr
    assert "PORT=" in result.stderr


def test_a_free_web_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    result = run_django(["-m", "publicity.ports", str(free)], {"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_demo_receiver_takes_a_free_port_and_the_demo_outlet_follows(settings):
    demo.seed()
    settings.DEMO_RECEIVER_PORT = 0
    receiver = demo.start_receiver()
    try:
        outlet = Outlet.objects.get(kind=Outlet.Kind.WEBHOOK)
        assert outlet.endpoint == receiver.url
        assert receiver.server.server_address[1] != 8099
    finally:
        receiver.server.server_close()


@pytest.mark.django_db
def test_a_taken_receiver_port_is_named(settings, taken_port):
    settings.DEMO_RECEIVER_PORT = taken_port
    with pytest.raises(CommandError, match=f"Port {taken_port} .* is taken.*DEMO_RECEIVER_PORT"):
        call_command("demo_receiver")
