"""People (hashed passwords) and device tokens (only their hash is stored)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Integer, String, literal, or_, select, union_all, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..storage.models import ApiToken, User
from .core.context import Context
from .core.credentials import add_token, hash_token
from .core.principal import Principal


@dataclass(frozen=True)
class Account:
    """A logged-in person, detached from the database (what Flask-Login keeps)."""

    id: int
    username: str
    name: str
    badge: str | None
    role: str
    hall_id: int | None
    hall_code: str | None
    hall_name: str | None
    #: `users.session_epoch`: a session made at another epoch has ended
    session_epoch: int = 0

    def principal(self) -> Principal:
        return Principal(
            role=self.role,
            hall_id=self.hall_id,
            hall_code=self.hall_code,
            user_id=self.id,
            username=self.username,
            via="session",
            epoch=self.session_epoch,
        )


def _account(u: User) -> Account:
    return Account(
        id=u.id,
        username=u.username,
        name=u.name,
        badge=u.badge,
        role=u.role,
        hall_id=u.hall_id,
        hall_code=u.hall.code if u.hall else None,
        hall_name=u.hall.name if u.hall else None,
        session_epoch=u.session_epoch,
    )


def authenticate(ctx: Context, username: str, password: str) -> Account | None:
    """The account for a correct username and password, else None (same answer for both)."""
    with ctx.db.read() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None or not u.active:
            # spend the same time as a real check, so usernames cannot be probed by timing
            check_password_hash(_dummy_hash(), password)
            return None
        if not check_password_hash(u.password_hash, password):
            return None
        return _account(u)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check unknown usernames against (made on the first failed sign-in, not when a
    server process starts: hashing takes a tenth of a second)."""
    return generate_password_hash("not a password")


def load_account(ctx: Context, user_id: int) -> Account | None:
    with ctx.db.read() as s:
        u = s.get(User, user_id)
        return _account(u) if u is not None and u.active else None


def end_sessions(ctx: Context, user_id: int) -> None:
    """End every session of this person (logout: a copied cookie must not outlive it)."""
    with ctx.db.transaction() as s:
        s.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))


@dataclass(frozen=True)
class LiveCredentials:
    """Which of the asked-for credentials still hold: tokens not revoked (and their person still
    active), and the current epoch of each active person."""

    tokens: frozenset[int]
    epochs: dict[int, int]


def live_credentials(ctx: Context, token_ids: set[int], user_ids: set[int]) -> LiveCredentials:
    """One query for a process's open sockets: which tokens and people still have access."""
    if not token_ids and not user_ids:
        return LiveCredentials(frozenset(), {})
    tokens = (
        select(
            literal("t", String).label("kind"),
            ApiToken.id.label("id"),
            literal(0, Integer).label("epoch"),
        )
        .outerjoin(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.id.in_(sorted(token_ids)),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.user_id.is_(None), User.active.is_(True)),
        )
    )
    people = select(
        literal("u", String).label("kind"), User.id.label("id"), User.session_epoch.label("epoch")
    ).where(User.id.in_(sorted(user_ids)), User.active.is_(True))
    with ctx.db.read() as s:
        rows = s.execute(union_all(tokens, people)).all()
    return LiveCredentials(
        frozenset(int(r.id) for r in rows if r.kind == "t"),
        {int(r.id): int(r.epoch) for r in rows if r.kind == "u"},
    )


def still_valid(p: Principal, live: LiveCredentials) -> bool:
    """Whether the credential a principal was built from still holds (anonymous: always)."""
    if p.via == "token":
        return p.token_id in live.tokens
    if p.via == "session":
        return p.user_id is not None and live.epochs.get(p.user_id) == p.epoch
    return True


def forget_tokens(ctx: Context, keep: frozenset[int]) -> int:
    """Drop cached token principals whose token is not in `keep` (revoked in another process)."""
    dropped = 0
    for key, value in list(ctx.cache.items()):
        if key.startswith("tok:") and value[1] is not None and value[1].token_id not in keep:
            ctx.cache.pop(key, None)
            dropped += 1
    return dropped


def cached_token_ids(ctx: Context) -> set[int]:
    """Token ids of the principals cached by `principal_for_token` in this process."""
    out = set()
    for key, value in list(ctx.cache.items()):
        if key.startswith("tok:") and value[1] is not None and value[1].token_id is not None:
            out.add(int(value[1].token_id))
    return out


def create_token(
    ctx: Context,
    role: str,
    hall_code: str | None,
    username: str | None = None,
    label: str = "",
    window_id: int | None = None,
) -> str:
    """Issue a bearer token; the clear token is returned once and never stored (a pad's names its
    window)."""
    with ctx.db.transaction() as s:
        return add_token(s, ctx.clock(), role, hall_code, username, label, window_id)


def principal_for_token(ctx: Context, token: str) -> Principal | None:
    """The principal a bearer token stands for; None for an unknown or revoked token (known for
    10 s per process; the sockets of a reconnect storm that ask at once share one read)."""
    token_hash = hash_token(token)
    key = "tok:" + token_hash
    cached = ctx.cache.get(key)
    now = ctx.clock()
    if cached is not None and (now - cached[0]).total_seconds() < 10:
        return cached[1]  # type: ignore[no-any-return]
    principal = ctx.reads.read(key, lambda: _token_principal(ctx, token_hash))
    ctx.cache[key] = (now, principal)
    return principal


def _token_principal(ctx: Context, token_hash: str) -> Principal | None:
    with ctx.db.read() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
        if row is None or row.revoked_at is not None:
            return None
        if row.user is not None and not row.user.active:
            return None
        return Principal(
            role=row.role,
            hall_id=row.hall_id,
            hall_code=row.hall.code if row.hall else None,
            user_id=row.user_id,
            username=row.user.username if row.user else None,
            via="token",
            token_id=row.id,
            window_id=row.window_id,
        )
