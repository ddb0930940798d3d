"""Request authentication: API keys for machines, sessions for people, CSRF for session writes.

Machines send ``Authorization: Bearer idk_…`` (or ``X-API-Key``).  People sign in
once and carry a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS);
every state-changing request made with a session must also carry the session's
CSRF token, in the ``X-CSRF-Token`` header or the form field ``csrf_token``.  The
sign-in form, which comes before any session, carries a token bound to a
pre-session cookie, so another site cannot sign a browser in to an account of its
choosing (login CSRF).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from interdictor.service import accounts, security
from interdictor.service.errors import ApiError
from interdictor.service.principal import Principal
from interdictor.service.state import ServiceState

SESSION_COOKIE = "interdictor_session"
LOGIN_COOKIE = "interdictor_login"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def state(request: Request) -> ServiceState:
    st: ServiceState = request.app.state.svc
    return st


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def _resolve_key(st: ServiceState, key: str) -> Principal | None:
    digest = security.keyed_hash(st.secret_key, key)
    hit = st.keys.get(digest)
    if hit is not None:
        return hit.principal
    with st.read() as conn:
        p = accounts.principal_for_key(conn, st.secret_key, key)
    st.keys.put(digest, p)
    return p


def _resolve_session(st: ServiceState, token: str) -> Principal | None:
    with st.read() as conn:
        return accounts.principal_for_session(conn, st.secret_key, token)


async def optional_principal(request: Request) -> Principal | None:
    """The caller, or None when the request carries no valid credentials."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    st = state(request)
    p: Principal | None = None
    key = _bearer(request)
    if key:
        p = await run_in_threadpool(_resolve_key, st, key)
        if p is None:
            raise ApiError(401, "the API key is not valid (unknown, malformed or revoked)", "invalid_key",
                           headers={"WWW-Authenticate": "Bearer"})
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            p = await run_in_threadpool(_resolve_session, st, token)
    if p is not None and p.via == "session" and request.method in UNSAFE:
        await _check_csrf(request, p)
    request.state.principal = p
    return p


async def _check_csrf(request: Request, p: Principal) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not p.csrf_token or not hmac.compare_digest(sent, p.csrf_token):
        raise ApiError(403, "missing or wrong CSRF token (send the session's token as X-CSRF-Token or csrf_token)",
                       "csrf_failed")


async def principal(request: Request, p: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if p is None:
        raise ApiError(401, "sign in, or send an API key as 'Authorization: Bearer <key>'", "unauthenticated",
                       headers={"WWW-Authenticate": "Bearer"})
    return p


def require(permission: str) -> Any:
    """A dependency: the caller, who must hold ``permission``."""
    async def check(p: Annotated[Principal, Depends(principal)]) -> Principal:
        if not p.can(permission):
            raise ApiError(403, f"the role '{p.role}' may not do this ({permission})", "forbidden")
        return p

    return check


def set_session_cookie(request: Request, response: Response, token: str, st: ServiceState) -> None:
    secure = st.cookie_secure if st.cookie_secure is not None else request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=secure, samesite="strict",
                        max_age=int(st.policy.session_lifetime.total_seconds()), path="/")


def login_form_token(request: Request, st: ServiceState) -> tuple[str, str | None]:
    """(the sign-in form's CSRF token, a new pre-session nonce to set as a cookie or None when it is set already).

    The token is the nonce keyed with the service secret: a page of another site can
    neither read the cookie nor make the token without it."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    fresh = None
    if not nonce or len(nonce) > 100:
        nonce = fresh = security.new_token()
    return security.keyed_hash(st.secret_key, "login:" + nonce), fresh


def set_login_cookie(request: Request, response: Response, nonce: str, st: ServiceState) -> None:
    secure = st.cookie_secure if st.cookie_secure is not None else request.url.scheme == "https"
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, secure=secure, samesite="strict", max_age=86_400,
                        path="/login")


def check_login_csrf(request: Request, sent: str | None, st: ServiceState) -> None:
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not sent or not hmac.compare_digest(sent, security.keyed_hash(st.secret_key, "login:" + nonce)):
        raise ApiError(403, "the sign-in form has expired or came from another site; reload it and sign in again",
                       "csrf_failed")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def do_login(st: ServiceState, username: str, password: str, client: str) -> tuple[str, Principal]:
    """(token, principal) or an ``ApiError`` (401 wrong, 429 too many failures)."""
    try:
        with st.write() as conn:
            got = accounts.login(conn, st.secret_key, username, password, client, st.policy)
    except accounts.LoginRefused as exc:
        raise ApiError(429, str(exc), "too_many_failures", headers={"Retry-After": str(exc.retry_after)}) from exc
    if got is None:
        raise ApiError(401, "wrong user name or password", "login_failed")
    return got
