"""The console's cookie session (auth/browser.py) against the real origin: HttpOnly SameSite=Strict
cookies, the CSRF token every cookie write needs, renewal, logout; bearer callers unaffected."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import OriginProcess
from tests.helpers import assert_problem
from tests.integration.people.support import PASSWORD, bearer, make_user, tokens

SESSION = "/api/v1/auth/session"


@pytest.fixture
def browser(origin: OriginProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        yield http


def sign_in(http: httpx.Client, login: str, **headers: str) -> httpx.Response:
    response = http.post(SESSION, json={"login": login, "password": PASSWORD}, headers=headers)
    assert response.status_code == 201, response.text
    return response


def url_of(http: httpx.Client) -> str:
    return str(http.base_url).rstrip("/")


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_login_sets_httponly_strict_cookies_and_no_token_in_the_body(
    origin_db: str, browser: httpx.Client
) -> None:
    user = make_user(origin_db, "developer")
    response = sign_in(browser, user["username"])
    body = response.json()["data"]
    assert set(body) == {"user_id", "csrf_token", "expires_in"}
    assert body["user_id"] == user["id"] and response.headers["cache-control"] == "no-store"
    cookies = set_cookies(response)
    for name, path in (("tm_session", "/"), ("tm_refresh", SESSION)):
        attributes = cookies[name].lower()
        assert "httponly" in attributes and "samesite=strict" in attributes, attributes
        assert f"path={path}" in attributes and "secure" not in attributes  # plain http here
    assert browser.cookies["tm_session"] not in response.text


def test_cookies_are_secure_behind_https(origin_db: str, browser: httpx.Client) -> None:
    user = make_user(origin_db, "viewer")
    response = sign_in(browser, user["username"], **{"X-Forwarded-Proto": "https"})
    assert all("; secure" in c.lower() for c in set_cookies(response).values())


def test_reads_need_the_cookie_and_writes_the_csrf_token(
    origin_db: str, browser: httpx.Client
) -> None:
    user = make_user(origin_db, "developer")
    csrf = sign_in(browser, user["username"]).json()["data"]["csrf_token"]
    me = browser.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["data"]["user"]["id"] == user["id"]
    assert me.headers["x-csrf-token"] == csrf
    task = {"title": "made in the console"}
    assert_problem(browser.post("/api/v1/tasks", json=task), 403, "csrf-token-invalid")
    wrong = {"X-CSRF-Token": "0" * 64}
    assert_problem(
        browser.post("/api/v1/tasks", json=task, headers=wrong), 403, "csrf-token-invalid"
    )
    other = make_user(origin_db, "developer")  # another session's token is no good either
    with httpx.Client(base_url=url_of(browser), timeout=10) as second:
        foreign = {"X-CSRF-Token": sign_in(second, other["username"]).json()["data"]["csrf_token"]}
    assert_problem(browser.post("/api/v1/tasks", json=task, headers=foreign), 403)
    created = browser.post("/api/v1/tasks", json=task, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    # The token only counts with the cookie: with no cookie the caller is anonymous.
    anonymous = httpx.post(
        f"{url_of(browser)}/api/v1/tasks", json=task, headers={"X-CSRF-Token": csrf}
    )
    assert_problem(anonymous, 401, "missing-api-key")


def test_bearer_callers_need_no_csrf_token(origin_db: str, browser: httpx.Client) -> None:
    user = make_user(origin_db, "developer")
    pair = tokens(browser, user["username"])
    browser.cookies.clear()
    created = browser.post(
        "/api/v1/tasks", json={"title": "x"}, headers=bearer(pair["access_token"])
    )
    assert created.status_code == 201, created.text


def test_renewal_rotates_the_cookies_and_needs_the_csrf_token(
    origin_db: str, browser: httpx.Client
) -> None:
    user = make_user(origin_db, "developer")
    csrf = sign_in(browser, user["username"]).json()["data"]["csrf_token"]
    old_refresh = browser.cookies.get("tm_refresh", path=SESSION)
    assert_problem(browser.post(f"{SESSION}/refresh"), 403, "csrf-token-invalid")
    renewed = browser.post(f"{SESSION}/refresh", headers={"X-CSRF-Token": csrf})
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["data"]["csrf_token"] == csrf  # the same login session
    assert browser.cookies.get("tm_refresh", path=SESSION) != old_refresh
    assert browser.get("/api/v1/me").status_code == 200


def test_logout_ends_the_session_and_clears_the_cookies(
    origin_db: str, browser: httpx.Client
) -> None:
    user = make_user(origin_db, "developer")
    csrf = sign_in(browser, user["username"]).json()["data"]["csrf_token"]
    session_cookie = browser.cookies["tm_session"]
    assert_problem(browser.delete(SESSION), 403, "csrf-token-invalid")
    ended = browser.delete(SESSION, headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 204, ended.text
    assert all("max-age=0" in c.lower() for c in set_cookies(ended).values())
    assert "tm_session" not in browser.cookies
    # The old cookie, replayed, is refused: its session ended.
    replayed = httpx.get(
        f"{url_of(browser)}/api/v1/me", headers={"Cookie": f"tm_session={session_cookie}"}
    )
    assert_problem(replayed, 401, "inactive-user")
