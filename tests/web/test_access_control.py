"""Deny by default (security.md 8.2.1): every route not on the public allow-list refuses anonymous
users, so a new route cannot be forgotten."""

import re

PUBLIC = {
    "static", "root.entry", "public.home", "public.lookup", "api.openapi",
    "api.case_events",  # bearer token, tested in tests/api
    "account.register", "account.check_email", "account.confirm", "account.login",
    "account.logout", "account.reset_request", "account.reset", "account.deleted",
    "settings.confirm_email",  # the e-mailed token is the proof
    "account.second_factor",  # only after a right password (a signed, 5-minute marker)
    # Aggregate statistics with small cells suppressed: for the public and oversight bodies.
    "statistics.index", "statistics.chart", "statistics.download", "statistics.cases_like_mine",
    # Anyone holding a printed document may check it: by its code, or by the file (never stored).
    "verify.verify", "verify.verify_code", "verify.verify_file",
}


def _sample_path(rule) -> str:
    path = rule.rule.replace("<any(en,es,ar):lang_code>", "en")
    return re.sub(r"<[^>]+>", "0" * 32, path)


def test_every_non_public_route_refuses_anonymous_users(app, client):
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_path(rule), method=method)
            assert response.status_code in (302, 400, 401, 403, 404), (rule.rule, method)
            if response.status_code == 302:
                assert "/account/login" in response.headers["Location"]
            checked.append(rule.endpoint)
    assert {"cases.index", "cases.link", "cases.detail"} <= set(checked)


def test_the_public_allow_list_names_only_real_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC <= endpoints
