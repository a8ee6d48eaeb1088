"""Clerk photos (挂牌上岗): a manager uploads a clerk's photo; the window board's clerk carries it
(to public listeners too: it is what the clerk wears); it is served only as the image it was
checked to be, under an unguessable key that changes with each upload."""

from __future__ import annotations

import base64

import pytest

from server.domain.disclosure import PUBLIC, shape_event
from server.storage.models import Event, User, UserPhoto
from tests.helpers import bearer, gen_hall, gen_token

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


def test_a_photo_is_served_under_its_key_and_shown_with_the_clerk_on_duty(client, ctx, manager):
    clerk = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert client.post("/api/v1/windows/2/sign-in", headers=clerk).status_code == 200
    r = client.put(
        "/api/v1/users/clerk02/photo", json={"image": base64.b64encode(PNG).decode()}, headers=manager
    )
    assert r.status_code == 200, r.get_json()
    url = r.get_json()["photo_url"]
    assert url.startswith("/photos/") and len(url) >= len("/photos/") + 16
    img = client.get(url)
    assert img.status_code == 200 and img.data == PNG and img.mimetype == "image/png"
    assert img.headers["X-Content-Type-Options"] == "nosniff" and "immutable" in img.headers["Cache-Control"]

    # the window board hears it at once, and its public shape keeps the photo but no login name
    with ctx.db.read() as s:
        ev = s.query(Event).filter_by(type="window.updated").order_by(Event.id.desc()).first()
    assert ev.data["window"]["clerk"]["photo_url"] == url
    public = shape_event("window.updated", ev.data, PUBLIC)["window"]["clerk"]
    assert public == {
        "name": ev.data["window"]["clerk"]["name"],
        "badge": ev.data["window"]["clerk"]["badge"],
        "photo_url": url,
    }
    snap = client.get("/api/v1/halls/demo/snapshot").get_json()
    [w2] = [w for w in snap["windows"] if w["number"] == 2]
    assert w2["clerk"]["photo_url"] == url and "username" not in w2["clerk"]

    # a new upload: a new key, the old one is gone; null removes the photo
    again = client.put(
        "/api/v1/users/clerk02/photo",
        json={"image": "data:image/png;base64," + base64.b64encode(PNG).decode()},
        headers=manager,
    )
    assert again.get_json()["photo_url"] != url and client.get(url).status_code == 404
    gone = client.put("/api/v1/users/clerk02/photo", json={"image": None}, headers=manager)
    assert gone.status_code == 200 and gone.get_json()["photo_url"] is None
    with ctx.db.read() as s:
        assert s.query(UserPhoto).count() == 0


@pytest.mark.parametrize(
    "image",
    [
        base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>").decode(),
        base64.b64encode(b"GIF89a....").decode(),
        "not base64 at all!",
        "",
    ],
)
def test_anything_but_a_raster_photo_is_refused_and_changes_nothing(client, ctx, manager, image):
    r = client.put("/api/v1/users/clerk02/photo", json={"image": image}, headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "image"
    with ctx.db.read() as s:
        assert s.query(UserPhoto).count() == 0
        assert s.query(User).filter_by(username="clerk02").one().photo_key is None


def test_only_managers_of_the_hall_set_photos(client, ctx):
    body = {"image": base64.b64encode(PNG).decode()}
    clerk = bearer(gen_token(ctx, "clerk", "clerk03"))
    assert client.put("/api/v1/users/clerk02/photo", json=body, headers=clerk).status_code == 403
    assert client.put("/api/v1/users/clerk02/photo", json=body).status_code == 401
    gen_hall(ctx, people=(("othermgr", "manager", "别处经理"),))
    other = bearer(gen_token(ctx, "manager", "othermgr", "other"))
    assert client.put("/api/v1/users/clerk02/photo", json=body, headers=other).status_code == 403
    assert client.get("/photos/nosuchkey").status_code == 404
