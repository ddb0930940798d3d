"""API robustness: schemathesis generates requests from the OpenAPI schema; none may get a server error.

Runs in-process against the ASGI app, as an administrator (the widest access),
with a bounded number of examples per operation so the suite stays quick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import negative_data_rejection, not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from .conftest import SAMPLE, Svc, light_screening, seed_accounts  # noqa: E402


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    from fastapi.testclient import TestClient

    from interdictor.service.app import create_app
    from interdictor.settings import Settings
    from interdictor.store import open_store

    tmp = tmp_path_factory.mktemp("openapi")
    s = Settings(data_dir=tmp, secret_key="schemathesis-" + "y" * 40)
    store = open_store(s.resolved_database_url())
    app = create_app(s, store=store, screening=light_screening(s))
    with store.begin() as conn:
        keys = seed_accounts(conn, s.secret_key or "")
    with TestClient(app) as client:
        svc = Svc(client, app, keys)
        assert svc.submit("acme", SAMPLE.read_bytes()).status_code == 200
        yield app, keys
    store.close()


@pytest.fixture(scope="module")
def api_schema(api: tuple[Any, dict[str, str]]) -> Any:
    app, _ = api
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_no_server_errors(api: tuple[Any, dict[str, str]], api_schema: Any) -> None:
    """Every operation, 20 generated requests each (the pytest plugin of schemathesis predates pytest 9)."""
    _, keys = api
    headers = {"Authorization": f"Bearer {keys['admin']}"}
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        op = result.ok()
        operations += 1

        @given(case=op.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  phases=[Phase.explicit, Phase.generate])
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:800]}")
    assert operations > 20
    assert not failures, "\n\n".join(failures)


def test_reads_refuse_parameters_outside_their_schema(api: tuple[Any, dict[str, str]], api_schema: Any) -> None:
    """Every read, 10 requests each with parameters that break the schema (a day of '0', a limit of -1, …):
    each must be refused with a 4xx, never taken as if it meant something."""
    _, keys = api
    headers = {"Authorization": f"Bearer {keys['admin']}"}
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        op = result.ok()
        if op.method.upper() != "GET" or not op.query or any("array" in json.dumps(q.definition) for q in op.query):
            continue  # a query string cannot tell a list of one from a string: "wrong type" means nothing there

        @given(case=op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  phases=[Phase.explicit, Phase.generate])
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, negative_data_rejection])

        try:
            run()
        except Exception as exc:
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)


def test_openapi_documents_the_error_shape(api: tuple[Any, dict[str, str]]) -> None:
    from fastapi.testclient import TestClient

    app, _ = api
    doc = TestClient(app).get("/api/openapi.json").json()
    assert "/api/v1/manifests" in doc["paths"] and "/api/v1/queue" in doc["paths"]
    responses = doc["paths"]["/api/v1/shipments/{partner}/{shipment_id}"]["get"]["responses"]
    assert responses["404"]["content"]["application/json"]["schema"]["required"] == ["error"]
