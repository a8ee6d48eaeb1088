"""Voice calls (issue 12): every call and recall carries what the hall speaks and a content-hashed
audio URL holding no ticket id; the audio is rendered on its first GET (speech-length, not
silence), cached for every process; a hall's own clips are WAVs checked by their bytes and are
stitched once all a call needs exist; one speaker board per zone; no engine → degraded."""

from __future__ import annotations

import array
import base64
import io
import shutil
import wave

import pytest

from server.domain import announce
from server.domain.disclosure import PUBLIC, shape_event
from server.services.core import voice as core_voice
from server.storage.models import Event, VoiceAudio
from tests.helpers import bearer, gen_hall, gen_token

needs_engine = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture
def kiosk(ctx):
    return bearer(gen_token(ctx, "kiosk"))


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


@pytest.fixture
def clerk2(ctx, client):
    h = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert client.post("/api/v1/windows/2/sign-in", headers=h).status_code == 200
    return h


def _wav(seconds: float = 0.3, rate: int = 22050, channels: int = 1, tone: bool = True) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        frame = (3000).to_bytes(2, "little", signed=True) * channels
        silent = b"\x00\x00" * channels
        w.writeframes(b"".join(frame if tone and (i // 20) % 2 else silent for i in range(n)))
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _last(ctx, type_):
    with ctx.db.read() as s:
        return s.query(Event).filter_by(type=type_).order_by(Event.id.desc()).first()


def _duration_rms(data: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(data)) as r:
        frames = r.readframes(r.getnframes())
        seconds = r.getnframes() / r.getframerate()
    samples = array.array("h", frames)
    return seconds, int((sum(x * x for x in samples) / max(1, len(samples))) ** 0.5)


def _call(client, kiosk, clerk2):
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    called = client.post("/api/v1/windows/2/call-next", headers=clerk2)
    assert called.status_code == 200
    return t


@needs_engine
def test_a_call_carries_its_announcement_and_an_audio_url_without_the_ticket_id(client, ctx, kiosk, clerk2):
    t = _call(client, kiosk, clerk2)
    ev = _last(ctx, "ticket.called")
    ann = ev.data["announcement"]
    assert ann["text"] == "请 A 零零一 号到 2 号窗口办理"
    assert ann["times"] == 2 and ann["text_en"] is None
    url = ann["audio_url"]
    assert url.startswith("/voice/") and url.endswith(".wav")
    assert t["id"] not in url and t["number"] not in url and str(ev.ticket_id) not in url.split("/")[-1][:8]
    # public: boards and phones hear it as the hall does
    assert shape_event("ticket.called", ev.data, PUBLIC)["announcement"] == ann

    # a recall is announced again, with the same audio
    r = client.post(f"/api/v1/tickets/{t['id']}/recall", headers=clerk2)
    assert r.status_code == 200
    assert _last(ctx, "ticket.recalled").data["announcement"]["audio_url"] == url


@needs_engine
def test_the_audio_is_speech_length_rendered_on_first_get_and_cached(client, ctx, kiosk, clerk2):
    _call(client, kiosk, clerk2)
    url = _last(ctx, "ticket.called").data["announcement"]["audio_url"]
    with ctx.db.read() as s:
        assert s.query(VoiceAudio).count() == 0  # nothing rendered on the call path
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    assert "immutable" in r.headers["Cache-Control"]
    seconds, rms = _duration_rms(r.data)
    assert 1.5 < seconds < 15  # a sentence, not a click and not a minute
    assert rms > 500  # speech, not silence
    with ctx.db.read() as s:
        assert s.query(VoiceAudio).count() == 1
    # the second GET is served from the shared cache: the engine is not asked again
    core_voice.engine_path, real = (lambda: None), core_voice.engine_path  # type: ignore[assignment]
    try:
        again = client.get(url)
    finally:
        core_voice.engine_path = real  # type: ignore[assignment]
    assert again.status_code == 200 and again.data == r.data


def test_unknown_or_malformed_audio_is_404(client):
    assert client.get("/voice/" + "0" * 64 + ".wav").status_code == 404
    assert client.get("/voice/not-a-hash.wav").status_code == 404


def test_without_an_engine_the_event_has_no_audio_and_voice_is_degraded(
    client, ctx, kiosk, clerk2, monkeypatch
):
    monkeypatch.setattr(core_voice, "engine_path", lambda: None)
    _call(client, kiosk, clerk2)
    ann = _last(ctx, "ticket.called").data["announcement"]
    assert ann["audio_url"] is None and ann["text"].startswith("请 A 零零一 号")
    st = client.get("/api/v1/halls/demo/voice").get_json()
    assert st["degraded"] is True and st["engine"] is None and st["speaker"] is False


def test_voice_settings_times_and_english(client, ctx, kiosk, clerk2, manager):
    r = client.patch(
        "/api/v1/halls/demo/voice", json={"announce_times": 3, "announce_english": True}, headers=manager
    )
    assert r.status_code == 200 and (r.get_json()["times"], r.get_json()["english"]) == (3, True)
    bad = client.patch("/api/v1/halls/demo/voice", json={"announce_times": 9}, headers=manager)
    assert bad.status_code == 400
    clerk = bearer(gen_token(ctx, "clerk", "clerk01"))
    assert (
        client.patch("/api/v1/halls/demo/voice", json={"announce_times": 1}, headers=clerk).status_code == 403
    )
    _call(client, kiosk, clerk2)
    ann = _last(ctx, "ticket.called").data["announcement"]
    assert ann["times"] == 3 and ann["text_en"] == "Number A001, please go to window 2"


def test_clips_are_wav_checked_by_their_bytes_and_size(client, manager, ctx):
    url = "/api/v1/halls/demo/voice/clips/"
    ok = client.put(url + "5", json={"audio": _b64(_wav())}, headers=manager)
    assert ok.status_code == 200 and "5" in ok.get_json()["clips"]
    # another format is converted (sox) or refused, never stored as sent
    other = client.put(url + "6", json={"audio": _b64(_wav(rate=44100, channels=2))}, headers=manager)
    assert other.status_code in (200, 400)
    if other.status_code == 200 and shutil.which("sox"):
        got = client.get(url + "6", headers=manager)
        with wave.open(io.BytesIO(got.data)) as r:
            assert (r.getframerate(), r.getnchannels()) == (22050, 1)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )
    for body, field in (
        ({"audio": _b64(png)}, "audio"),  # not a WAV, whatever it is called
        ({"audio": "!!not base64"}, "audio"),
        ({"audio": _b64(b"RIFF\x00\x00\x00\x00WAVEjunk")}, "audio"),
        ({"audio": _b64(_wav(seconds=4.5))}, "audio"),  # too long to be a clip
    ):
        r = client.put(url + "7", json=body, headers=manager)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, r.get_json()
    assert client.put(url + "no", json={"audio": _b64(_wav())}, headers=manager).status_code == 400
    assert "7" not in client.get("/api/v1/halls/demo/voice").get_json()["clips"]
    assert client.delete(url + "5", headers=manager).status_code == 200
    assert client.delete(url + "5", headers=manager).status_code == 404
    # another hall's manager touches none of it
    gen_hall(ctx, people=(("boss2", "manager", "别处经理"),))
    other_manager = bearer(gen_token(ctx, "manager", "boss2", hall="other"))
    assert client.put(url + "5", json={"audio": _b64(_wav())}, headers=other_manager).status_code == 403


def test_a_hall_with_every_clip_gets_its_calls_stitched_from_them(client, ctx, kiosk, clerk2, manager):
    keys = announce.announcement("A001", 2).clips
    for key in set(keys):
        r = client.put(
            f"/api/v1/halls/demo/voice/clips/{key}", json={"audio": _b64(_wav(0.25))}, headers=manager
        )
        assert r.status_code == 200, r.get_json()
    t = _call(client, kiosk, clerk2)
    url = _last(ctx, "ticket.called").data["announcement"]["audio_url"]
    assert url is not None
    r = client.get(url)
    assert r.status_code == 200
    seconds, rms = _duration_rms(r.data)
    assert seconds == pytest.approx(len(keys) * (0.25 + 0.04), abs=0.05) and rms > 500
    # a new version of a clip: the recall of the same ticket gets a new URL, the old one is not made
    client.put("/api/v1/halls/demo/voice/clips/2", json={"audio": _b64(_wav(0.3))}, headers=manager)
    assert client.post(f"/api/v1/tickets/{t['id']}/recall", headers=clerk2).status_code == 200
    assert _last(ctx, "ticket.recalled").data["announcement"]["audio_url"] not in (None, url)


def test_one_speaker_per_zone(client, ctx, manager):
    devices = "/api/v1/halls/demo/devices"
    first = client.post(devices, json={"role": "board", "speaker": True, "zone": "一楼"}, headers=manager)
    assert first.status_code == 201 and (first.get_json()["speaker"], first.get_json()["zone"]) == (
        True,
        "一楼",
    )
    second = client.post(devices, json={"role": "board", "speaker": True, "zone": "一楼"}, headers=manager)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "speaker_taken"
    upstairs = client.post(devices, json={"role": "board", "speaker": True, "zone": "二楼"}, headers=manager)
    assert upstairs.status_code == 201
    kiosk = client.post(devices, json={"role": "kiosk", "speaker": True}, headers=manager)
    assert kiosk.status_code == 400
    listed = client.get(devices, headers=manager).get_json()["devices"]
    speakers = sorted((d["zone"], d["speaker"]) for d in listed if d["speaker"])
    assert speakers == [("一楼", True), ("二楼", True)]

    # the board learns it is the speaker; an anonymous board never is
    me = client.get("/api/v1/halls/demo/voice", headers=bearer(first.get_json()["token"])).get_json()
    assert (me["speaker"], me["zone"]) == (True, "一楼")
    assert client.get("/api/v1/halls/demo/voice").get_json()["speaker"] is False

    # moving the speaker: the second board waits until the first is turned off
    assert client.post(devices, json={"role": "board", "label": "门口屏"}, headers=manager).status_code == 201
    rows = client.get(devices, headers=manager).get_json()["devices"]
    plain_id = next(d["id"] for d in rows if d["label"] == "门口屏")
    first_id = next(d["id"] for d in rows if d["zone"] == "一楼")
    move = {"speaker": True, "zone": "一楼"}
    assert client.put(f"/api/v1/devices/{plain_id}/speaker", json=move, headers=manager).status_code == 409
    off = client.put(f"/api/v1/devices/{first_id}/speaker", json={"speaker": False}, headers=manager)
    assert off.status_code == 200 and off.get_json()["speaker"] is False
    r = client.put(f"/api/v1/devices/{plain_id}/speaker", json=move, headers=manager)
    assert r.status_code == 200 and (r.get_json()["speaker"], r.get_json()["zone"]) == (True, "一楼")


def test_the_manager_console_says_when_voice_is_degraded(client, monkeypatch):
    from tests.web.test_manage_pages import _login

    _login(client, "manager")
    monkeypatch.setattr(core_voice, "engine_path", lambda: None)
    html = client.get("/manage/").get_data(as_text=True)
    assert 'id="voice-status" data-degraded="true"' in html and "语音降级" in html
    monkeypatch.setattr(core_voice, "engine_path", lambda: "/usr/bin/espeak-ng")
    monkeypatch.setattr(core_voice, "_engine_version", lambda _path: "eSpeak NG 1.51")
    html = client.get("/manage/").get_data(as_text=True)
    assert 'data-degraded="false"' in html and "语音降级" not in html


def test_admin_pages_carry_the_voice_settings_and_speakers(client):
    from tests.web.test_manage_pages import _login

    _login(client, "manager")
    assert 'id="voice-card"' in client.get("/admin/").get_data(as_text=True)
    assert 'id="speakers-card"' in client.get("/admin/devices").get_data(as_text=True)


@needs_engine
def test_rendered_audio_is_kept_a_day_and_made_again_when_asked_later(client, ctx, clock, kiosk, clerk2):
    t = _call(client, kiosk, clerk2)
    url = _last(ctx, "ticket.called").data["announcement"]["audio_url"]
    first = client.get(url).data
    clock.advance(days=1, seconds=1)
    assert client.post(f"/api/v1/tickets/{t['id']}/recall", headers=clerk2).status_code == 200
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert client.post(f"/api/v1/tickets/{t['id']}/start", headers=clerk2).status_code == 200
    assert client.post(f"/api/v1/tickets/{t['id']}/complete", headers=clerk2).status_code == 200
    assert client.post("/api/v1/windows/2/call-next", headers=clerk2).status_code == 200
    other = _last(ctx, "ticket.called").data["announcement"]["audio_url"]
    assert client.get(other).status_code == 200  # storing it drops what is older than a day
    with ctx.db.read() as s:
        assert [a.hash for a in s.query(VoiceAudio)] == [other.split("/")[-1][:-4]]
    again = client.get(url)  # still announced recently (the recall): rendered again, same bytes
    assert again.status_code == 200 and again.data == first


def test_every_change_to_the_halls_voice_is_in_the_audit_log_and_the_public_gets_no_data(
    client, ctx, manager
):
    from server.domain.disclosure import PUBLIC, shape_event

    client.patch("/api/v1/halls/demo/voice", json={"announce_times": 3}, headers=manager)
    client.put("/api/v1/halls/demo/voice/clips/5", json={"audio": _b64(_wav())}, headers=manager)
    client.delete("/api/v1/halls/demo/voice/clips/5", headers=manager)
    client.post("/api/v1/halls/demo/devices", json={"role": "board", "label": "门口屏"}, headers=manager)
    devices = client.get("/api/v1/halls/demo/devices", headers=manager).get_json()["devices"]
    board = next(d["id"] for d in devices if d["label"] == "门口屏")
    speaker = {"speaker": True, "zone": "一楼"}
    assert client.put(f"/api/v1/devices/{board}/speaker", json=speaker, headers=manager).status_code == 200
    rows = client.get("/api/v1/halls/demo/audit", headers=manager).get_json()
    rows = rows["events"]
    said = [r["summary"] for r in rows if r["type"] == "voice.updated"]
    assert said[::-1] == [
        "每次叫号播报 3 遍",
        "上传录音片段 5",
        "删除录音片段 5",
        "门口屏 设为语音播报大屏（区域 一楼）",
    ]
    assert all(
        r["actor_role"] == "manager" and r["action"] == "修改语音播报"
        for r in rows
        if r["type"] == "voice.updated"
    )
    assert shape_event("voice.updated", _last(ctx, "voice.updated").data, PUBLIC) == {}
