"""Who is asking: Flask-Login sessions for people, bearer tokens for devices and scripts."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import UserMixin, current_user, login_user, logout_user, user_logged_in
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..extensions import csrf, login_manager
from ..services.accounts import Account, authenticate, end_sessions, load_account, principal_for_token
from ..services.core.context import Context
from ..services.core.principal import ANONYMOUS, Principal, Unauthenticated
from ..web.errors import error_response


class LoginUser(UserMixin):
    """The logged-in person as Flask-Login and the templates see them."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.id = account.id
        self.username = account.username
        self.name = account.name
        self.badge = account.badge
        self.role = account.role
        self.hall_id = account.hall_id
        self.hall = _HallRef(account.hall_code, account.hall_name) if account.hall_code else None

    def get_id(self) -> str:
        return str(self.id)


class _HallRef:
    def __init__(self, code: str | None, name: str | None) -> None:
        self.code = code
        self.name = name


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


#: where a login keeps the person's `session_epoch`; a different epoch in the database ends it
EPOCH_KEY = "_epoch"


def ctx() -> Context:
    context: Context = current_app.extensions["hallq"]
    return context


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def current_principal(check_csrf: bool = True) -> Principal:
    """The principal of this request: bearer token, else logged-in person, else anonymous.

    A browser session that changes something must carry the CSRF token; bearer calls need none.
    """
    token = bearer_token()
    if token is not None:
        principal = principal_for_token(ctx(), token)
        if principal is None:
            raise Unauthenticated("unauthenticated", "令牌无效或已吊销", "unknown or revoked token")
        return principal
    if current_user.is_authenticated:
        if check_csrf and request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()
        user: LoginUser = current_user  # a proxy to the LoginUser that _load returned
        return user.account.principal()
    return ANONYMOUS


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _home_for(role: str) -> str:
    if role == "supervisor":  # 纪检监察: the follow-ups are their page
        return url_for("manage.complaints_page")
    return url_for("manage.console") if role in ("manager", "admin") else url_for("clerk.console")


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth_login"
    login_manager.login_message = ""
    csrf.init_app(app)

    @login_manager.user_loader
    def _load(user_id: str) -> LoginUser | None:
        """The session's person, unless their sessions ended since it was made: the cookie lives
        in the browser (and in any copy of it), so the epoch it carries is checked every time."""
        try:
            account = load_account(ctx(), int(user_id))
        except ValueError:
            return None
        if account is None or session.get(EPOCH_KEY) != account.session_epoch:
            return None
        return LoginUser(account)

    @user_logged_in.connect_via(app)
    def _remember_epoch(_sender: Any, user: LoginUser, **_extra: Any) -> None:
        session[EPOCH_KEY] = user.account.session_epoch

    @app.route("/login", methods=["GET", "POST"], endpoint="auth_login")
    def login() -> Response | tuple[str, int]:
        from ..i18n import is_english
        from ..web.throttle import too_many_message
        from . import login_throttle

        form = LoginForm()
        if request.method == "GET":
            form.next.data = request.args.get("next", "")
        error, status = None, 200
        if form.validate_on_submit():
            username = form.username.data or ""
            # checked before the password: a locked name answers the same, right or wrong
            wait = login_throttle.wait(username)
            if not wait:
                account = authenticate(ctx(), username, form.password.data or "")
                if account is not None:
                    login_throttle.succeeded(username)
                    login_user(LoginUser(account))
                    return redirect(_safe_next(form.next.data) or _home_for(account.role))
                wait = login_throttle.failed(username)
            if wait:
                zh, en = too_many_message(wait)
                error, status = (en if is_english() else zh), 429
            else:
                error, status = "用户名或密码错误", 401
        elif request.method == "POST":
            error, status = "请填写用户名和密码", 401
        return render_template("auth/login.html", form=form, error=error), status

    @app.post("/logout", endpoint="auth_logout")
    def logout() -> Response:
        """POST with the CSRF token (CSRFProtect checks every form POST), so another site cannot log
        anyone out. Ends every session of the person (bumps their epoch): a copy of this cookie
        taken before must not outlive the logout, and client-side sessions cannot be recalled
        one by one. Their other browsers log in again; their open console sockets close."""
        if current_user.is_authenticated:
            end_sessions(ctx(), int(current_user.id))
        logout_user()
        session.pop(EPOCH_KEY, None)
        return redirect(url_for("auth_login"))

    @app.errorhandler(CSRFError)
    def _csrf_error(e: CSRFError) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return error_response(
                "csrf", "表单已过期，请刷新页面后重试", "missing or invalid CSRF token", 400
            )
        return f"表单已过期，请返回刷新后重试 / {e.description}", 400
