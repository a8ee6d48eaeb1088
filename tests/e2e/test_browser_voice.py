"""Voice calls in headless Chromium (issue 12): three windows call within one second and the
speaker board plays every announcement fully and in order, twice each (media `ended` events,
counted through the page's test hook `window.hallq.voice`), shows how many wait to be spoken,
and a recall is announced again. An anonymous board on the same hall stays silent. A board whose
browser refuses to play without a tap shows "开启语音" and plays the waiting call after it."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.e2e.test_browser_live_hall import CHROMIUM, CHROMIUM_ARGS, PageErrors, live

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="the voice test needs espeak-ng"),
]

#: each announcement is a chime and ~4 s of speech, twice: three of them and a recall take a while
VOICE_WAIT_MS = 180_000


#: HTMLMediaElement.play() rejected with NotAllowedError until someone taps the page
BLOCK_AUTOPLAY = """
(() => {
  let tapped = false;
  document.addEventListener("click", () => { tapped = true; }, true);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (tapped) return play.call(this);
    return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
  };
})();
"""


#: the announcements play at this speed in the tests: every one still plays to its `ended` event, in
#: order, but the test does not sit through ~40 s of real-time speech
FAST_PLAYBACK = """
(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    this.playbackRate = 4;
    return play.call(this);
  };
})();
"""


def spoken(number: str) -> str:
    """B001 → "B 零零一" (as tests/unit/test_announce_rules.py pins it down)."""
    return number[0] + " " + "".join("零一二三四五六七八九"[int(d)] for d in number[1:])


@pytest.fixture
def speaker_browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        try:
            yield b
        finally:
            b.close()


def test_three_calls_at_once_are_all_played_in_order_twice_and_a_recall_again(
    live_hall: Any, speaker_browser: Any
) -> None:
    hall = live_hall
    manager = hall.token("manager", "manager")
    made = hall.api(
        "POST",
        f"/halls/{hall.hall}/devices",
        manager,
        json={"role": "board", "speaker": True, "zone": "一楼"},
    )
    assert made.status_code == 201, made.text
    speaker_token = made.json()["token"]

    errors = PageErrors()
    board = errors.watch(speaker_browser.new_page(viewport={"width": 1920, "height": 1080}), "speaker board")
    board.add_init_script(FAST_PLAYBACK)
    board.goto(f"{hall.url}/board/{hall.hall}?token={speaker_token}")
    live(board)
    board.wait_for_function("() => window.hallq && window.hallq.voice && window.hallq.voice.enabled")
    silent = errors.watch(speaker_browser.new_page(), "anonymous board")
    silent.goto(f"{hall.url}/board/{hall.hall}")
    live(silent)

    clerks = (("clerk04", 4, "B"), ("clerk06", 6, "C"), ("clerk09", 9, "D"))
    tokens = {}
    for username, window, service in clerks:
        assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service}).status_code == 201
        tokens[window] = hall.clerk_token(username)
        assert hall.api("POST", f"/windows/{window}/sign-in", tokens[window]).status_code == 200
    called = []
    for _username, window, _service in clerks:  # three windows, back to back (well within a second)
        r = hall.api("POST", f"/windows/{window}/call-next", tokens[window])
        assert r.status_code == 200, r.text
        called.append(r.json())
    texts = [
        f"请 {spoken(t['number'])} 号到 {w} 号窗口办理" for t, (_u, w, _s) in zip(called, clerks, strict=True)
    ]

    # the board shows how many wait to be spoken
    board.wait_for_function("() => Number(document.getElementById('voice-queue').dataset.count || 0) >= 2")
    board.wait_for_function("() => window.hallq.voice.played.length >= 6", timeout=VOICE_WAIT_MS)
    played = board.evaluate("window.hallq.voice.played.slice()")
    assert played == [{"text": text, "n": n} for text in texts for n in (1, 2)]
    assert board.evaluate("window.hallq.voice.spoken.length") == 0  # the server's audio, not the fallback

    # a recall is announced again, twice
    r = hall.api("POST", f"/tickets/{called[1]['id']}/recall", tokens[6])
    assert r.status_code == 200, r.text
    board.wait_for_function("() => window.hallq.voice.played.length >= 8", timeout=VOICE_WAIT_MS)
    assert board.evaluate("window.hallq.voice.played.slice(6)") == [
        {"text": texts[1], "n": 1},
        {"text": texts[1], "n": 2},
    ]
    board.wait_for_function("() => document.getElementById('voice-queue').hidden")

    # the anonymous board saw every call but never played a sound
    assert silent.evaluate("window.hallq.voice.enabled") is False
    assert silent.evaluate("window.hallq.voice.played.length + window.hallq.voice.spoken.length") == 0
    assert errors.errors == []


def test_a_board_whose_browser_blocks_autoplay_asks_once_and_then_plays_the_call(live_hall: Any) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    hall = live_hall
    manager = hall.token("manager", "manager")
    made = hall.api("POST", f"/halls/{hall.hall}/devices", manager, json={"role": "board", "speaker": True})
    assert made.status_code == 201, made.text
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--autoplay-policy=document-user-activation-required"],
        )
        try:
            errors = PageErrors()
            board = errors.watch(b.new_page(), "board")
            # headless Chromium plays whatever the policy says: refuse media the way a TV browser
            # does, until the page has had a tap
            board.add_init_script(BLOCK_AUTOPLAY)
            board.add_init_script(FAST_PLAYBACK)
            board.goto(f"{hall.url}/board/{hall.hall}?token={made.json()['token']}")
            live(board)
            board.wait_for_function("() => window.hallq && window.hallq.voice && window.hallq.voice.enabled")
            token = hall.clerk_token("clerk04")
            assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "B"}).status_code == 201
            assert hall.api("POST", "/windows/4/sign-in", token).status_code == 200
            assert hall.api("POST", "/windows/4/call-next", token).status_code == 200
            button = board.locator("#voice-on")
            button.wait_for(state="visible")
            assert button.inner_text() == "开启语音"
            assert board.evaluate("window.hallq.voice.played.length") == 0  # nothing skipped meanwhile
            button.click()
            button.wait_for(state="hidden")
            board.wait_for_function("() => window.hallq.voice.played.length >= 2", timeout=VOICE_WAIT_MS)
            assert [x["n"] for x in board.evaluate("window.hallq.voice.played.slice()")] == [1, 2]
            assert errors.errors == []
        finally:
            b.close()
