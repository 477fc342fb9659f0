import pytest
from django.db import connection


def test_healthz_reports_database_and_broker(client, db, tmp_path, settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    settings.CELERY_BROKER_URL = "filesystem://"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_healthz_names_an_unreachable_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # discard port: nothing listens

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_names_a_missing_embedded_broker_folder(client, db, tmp_path, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}

    assert client.get("/healthz").json()["down"] == ["broker"]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory test database cannot be made unreachable"
)
@pytest.mark.django_db(transaction=True)
def test_healthz_names_an_unreachable_database(client, tmp_path, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "9")
    try:
        response = client.get("/healthz")
    finally:
        connection.close()

    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
