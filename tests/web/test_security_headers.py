"""Headers on every response (security.md, "Input and output")."""

import pytest

from portal.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("method, path", [("get", "/en/"), ("post", "/en/status"),
                                          ("get", "/api/v1/openapi.json"), ("get", "/nowhere"),
                                          ("post", "/api/v1/case-events")])
def test_every_response_carries_the_security_headers(client, method, path):
    response = getattr(client, method)(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client):
    body = client.get("/en/").get_data(as_text=True)
    assert "<script>" not in body and "style=" not in body
    assert 'name="htmx-config"' in body and '"allowEval":false' in body
    assert '"selfRequestsOnly":true' in body and '"historyCacheSize":0' in body


def test_unknown_methods_on_the_api_are_405_with_allow(client):
    response = client.put("/api/v1/case-events")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.is_json


def test_internal_errors_show_a_generic_page(app, client):
    @app.get("/en/explode")
    def explode():
        raise RuntimeError("secret detail")

    response = client.get("/en/explode")
    assert response.status_code == 500
    assert "secret detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
