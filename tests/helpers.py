"""Helpers for driving the account pages with the Flask test client."""

import re

PASSWORD = "correct horse battery staple"


def csrf(client, path):
    """The CSRF token of the first form on the page at `path`."""
    body = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)


def link_in(message):
    return re.search(r"http://\S+", message.get_content()).group(0)


def sign_in(client, email="ana@example.org", password=PASSWORD, **environ):
    return client.post("/en/account/login", data={
        "csrf_token": csrf(client, "/en/account/login"), "email": email, "password": password},
        environ_base=environ or {})


def second_step(client, code):
    return client.post("/en/account/login/code", data={"csrf_token": csrf(client, "/en/account/login/code"),
                                                       "code": code})


def link(client, receipt, code):
    return client.post("/en/cases/link", data={"csrf_token": csrf(client, "/en/cases/link"),
                                               "receipt_number": receipt, "access_code": code})
