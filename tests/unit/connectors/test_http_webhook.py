"""The http and webhook connectors with in-memory transports."""

from __future__ import annotations

import json

import pytest

from civicflow.connectors import (
    Call,
    ConnectorError,
    ConnectorOptionsError,
    HttpPlugin,
    PluginRegistry,
    WebhookPlugin,
    idempotency_key,
)
from civicflow.connectors._plugin import BasePlugin
from civicflow.connectors.fakes import FakeHttpTransport
from civicflow.connectors.ports import HttpRequest, HttpResponse
from civicflow.connectors.signing import verify


def call(options: dict[str, str], variables: dict[str, object] | None = None, **kw: object) -> Call:
    base: dict[str, object] = {
        "instance_id": "3f0c",
        "element_id": "lookup",
        "element_instance": 7,
        "attempt": 1,
        "retries": 3,
    }
    base.update(kw)
    return Call(options=options, variables=variables or {}, **base)  # type: ignore[arg-type]


def json_response(status: int, body: object) -> HttpResponse:
    return HttpResponse(status=status, headers={"content-type": "application/json"}, body=json.dumps(body).encode())


def test_http_evaluates_feel_options_and_maps_the_response() -> None:
    transport = FakeHttpTransport(lambda r: json_response(200, {"owner": "Ada", "parcel": r.url[-3:]}))
    plugin = HttpPlugin(transport)
    result = plugin(
        call(
            {
                "url": '="https://registry.example/parcels/" + parcel',
                "headers": '={"Accept": "application/json", "X-Case": caseId}',
                "resultExpression": "={owner: response.body.owner, status: response.status}",
            },
            {"parcel": "A12", "caseId": "C-9"},
        )
    )
    assert result == {"owner": "Ada", "status": 200}
    [sent] = transport.requests
    assert sent.method == "GET"
    assert sent.url == "https://registry.example/parcels/A12"
    assert sent.headers["X-Case"] == "C-9"
    assert sent.headers["Idempotency-Key"] == idempotency_key("3f0c", 7, 1)


def test_http_body_is_json_and_method_defaults_to_post() -> None:
    transport = FakeHttpTransport(lambda _r: HttpResponse(status=201, body=b"created"))
    result = HttpPlugin(transport)(
        call(
            {"url": "https://x.example/a", "body": "={amount: 12.5, who: name}", "resultVariable": "reply"},
            {"name": "Bo"},
        )
    )
    [sent] = transport.requests
    assert sent.method == "POST"
    assert json.loads(sent.body or b"") == {"amount": 12.5, "who": "Bo"}
    assert sent.headers["Content-Type"] == "application/json"
    assert result == {"reply": {"status": 201, "headers": {}, "body": "created"}}


def test_http_options_from_input_mappings_when_headers_do_not_set_them() -> None:
    transport = FakeHttpTransport()
    HttpPlugin(transport)(
        Call(
            instance_id="i",
            element_id="e",
            element_instance=1,
            attempt=2,
            retries=3,
            inputs={"url": "https://in.example/", "method": "put", "timeout": 2},
        )
    )
    [sent] = transport.requests
    assert (sent.method, sent.url, sent.timeout) == ("PUT", "https://in.example/", 2.0)


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (404, False)])
def test_http_error_status_fails_the_call(status: int, retryable: bool) -> None:
    plugin = HttpPlugin(FakeHttpTransport(lambda _r: HttpResponse(status=status)))
    with pytest.raises(ConnectorError, match=str(status)) as info:
        plugin(call({"url": "https://x.example/"}))
    assert info.value.retryable is retryable


def test_http_missing_url_or_bad_feel_is_an_options_error() -> None:
    plugin = HttpPlugin(FakeHttpTransport())
    with pytest.raises(ConnectorOptionsError, match="'url'"):
        plugin(call({}))
    with pytest.raises(ConnectorOptionsError, match="option 'url'"):
        plugin(call({"url": "=missing.field + 1"}))
    with pytest.raises(ConnectorOptionsError, match="method"):
        plugin(call({"url": "https://x.example/", "method": "BREW"}))


def test_idempotency_key_is_stable_per_instance_element_instance_and_attempt() -> None:
    assert idempotency_key("i", 1, 1) == idempotency_key("i", 1, 1)
    assert len({idempotency_key("i", 1, 1), idempotency_key("i", 1, 2), idempotency_key("i", 2, 1)}) == 3


def test_webhook_signs_timestamp_dot_body_and_receiver_verifies() -> None:
    transport = FakeHttpTransport(lambda _r: HttpResponse(status=204))
    plugin = WebhookPlugin(transport, clock=lambda: 1_700_000_000.0)
    plugin(call({"url": "https://hook.example/", "secret": "s3cret", "data": "={case: caseId}"}, {"caseId": "C-1"}))
    [sent] = transport.requests
    assert sent.headers["X-CivicFlow-Timestamp"] == "1700000000"
    assert verify("s3cret", sent.headers, sent.body or b"", now=1_700_000_100)
    assert not verify("other", sent.headers, sent.body or b"", now=1_700_000_100)
    assert not verify("s3cret", sent.headers, (sent.body or b"") + b" ", now=1_700_000_100)
    assert not verify("s3cret", sent.headers, sent.body or b"", now=1_700_000_000 + 301)  # replay too old
    event = json.loads(sent.body or b"")
    assert event["specversion"] == "1.0"
    assert event["id"] == sent.headers["Idempotency-Key"]
    assert event["data"] == {"case": "C-1"}


def test_webhook_last_failed_attempt_becomes_a_dead_letter() -> None:
    letters = []
    plugin = WebhookPlugin(FakeHttpTransport(lambda _r: HttpResponse(status=500)), dead_letters=letters.append)
    options = {"url": "https://hook.example/", "secret": "k"}
    with pytest.raises(ConnectorError):
        plugin(call(options, retries=2))
    assert letters == []
    with pytest.raises(ConnectorError):
        plugin(call(options, retries=1, attempt=2))
    [letter] = letters
    assert letter.url == "https://hook.example/"
    assert "500" in letter.error


def test_webhook_subscription_name_resolves_url_and_secret() -> None:
    transport = FakeHttpTransport()
    plugin = WebhookPlugin(transport, secrets=lambda name: (f"https://{name}.example/", "k"), clock=lambda: 5.0)
    plugin(call({"subscription": "permits"}))
    assert transport.requests[0].url == "https://permits.example/"
    assert verify("k", transport.requests[0].headers, transport.requests[0].body or b"", now=5)


def test_a_registry_of_its_own() -> None:
    registry = PluginRegistry()

    @registry.register("echo")
    class Echo(BasePlugin[str]):
        def options(self, call: Call) -> str:
            return str(call.options.get("text", ""))

        def run(self, call: Call, options: str) -> dict[str, str]:
            return {"echo": options}

    assert list(registry) == ["echo"]
    assert registry.get("echo")()(call({"text": "hi"})) == {"echo": "hi"}
    with pytest.raises(ValueError, match="twice"):
        registry.register("echo")(HttpPlugin)


def test_fake_transport_records_requests() -> None:
    transport = FakeHttpTransport()
    transport.send(HttpRequest(method="GET", url="https://x.example/"))
    assert len(transport.requests) == 1
