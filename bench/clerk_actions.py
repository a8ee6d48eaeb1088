"""Clicks and keystrokes a clerk needs per citizen at the clerk console (issue 14, item 4).

Starts `python -m server demo` from a checkout (--root: this one by default; point it at a
checkout of an older commit to measure "before"), signs clerk08 in at window 8 (service F),
issues citizens, and drives the console with Playwright (/usr/bin/chromium):

* mouse: one click per step;
* keyboard (Tab + Enter): from wherever the page leaves the focus after a step, Tab until the
  next button has the focus (pressed for real), then Enter;
* shortcuts (when the console has them): one key per step (the page's own bindings).

One cycle is "citizen N called → citizen N+1 called": 开始办理 → 办结 → 叫号 on a console without
办结并叫号, 开始办理 → 办结并叫号 with it. Prints a markdown table (docs/performance.md).

    .venv/bin/python bench/clerk_actions.py [--root PATH] [--citizens 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hallq-demo"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, root: Path, python: str, workdir: Path) -> None:
        self.root, self.python = root, python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HALLQ_DATABASE_URL": f"sqlite:///{workdir / 'hallq.db'}",
            "HALLQ_ASYNC_MODE": "threading",
            "HALLQ_SECRET_KEY": "bench-clerk",
            "HALLQ_RATE_LIMITS": "false",
        }
        self.env.pop("PYTHONPATH", None)
        self.log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        # cwd=root: `python -m server` imports the checkout being measured
        self.proc = subprocess.Popen(
            [python, "-m", "server", "demo", "--history-days", "0"]
            + ["--host", "127.0.0.1", "--port", str(self.port)],
            cwd=root,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError(f"server exited: see {workdir / 'server.log'}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz: see {workdir / 'server.log'}")

    def token(self, role: str) -> str:
        out = subprocess.run(
            [self.python, "-m", "server", "token", "create", "--role", role, "--hall", "demo"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        return [ln.strip() for ln in out.splitlines() if ln.strip()][-1].split()[-1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


class Console:
    def __init__(self, browser: Any, server: Server) -> None:
        self.ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(15_000)
        p = self.page
        p.goto(server.url + "/clerk/")
        p.fill("input[name='username']", "clerk08")
        p.fill("input[name='password']", PASSWORD)
        p.click("form.login-card button[type='submit']")
        p.wait_for_selector("#window-grid [data-window-id='8']")
        p.click("#window-grid [data-window-id='8']")
        p.wait_for_selector("#workspace:not([hidden])")
        self.has_combined = p.locator("#btn-complete-next").count() == 1

    def steps(self) -> list[str]:
        if self.has_combined:
            return ["btn-start", "btn-complete-next"]
        return ["btn-start", "btn-complete", "btn-call"]

    def settle(self, number_before: str, step: str) -> None:
        """Wait for the step's effect (the busy flag off, the number or status changed)."""
        p = self.page
        p.wait_for_function("() => !document.getElementById('console').classList.contains('busy')")
        if step in ("btn-call", "btn-complete-next"):
            p.wait_for_function(
                "n => document.getElementById('cur-number').textContent.trim() !== n", arg=number_before
            )
        elif step == "btn-start":
            p.wait_for_selector("#cur-status.serving")
        elif step == "btn-complete":
            p.wait_for_function("() => document.getElementById('cur-number').textContent.trim() === '—'")

    def number(self) -> str:
        return str(self.page.inner_text("#cur-number")).strip()

    def wait_enabled(self, step: str) -> None:
        self.page.wait_for_selector(f"#{step}:not([disabled])")

    def click(self, step: str) -> int:
        n = self.number()
        self.wait_enabled(step)
        self.page.click(f"#{step}")
        self.settle(n, step)
        return 1

    def keyboard(self, step: str) -> int:
        """Tabs from wherever the page left the focus to the button (pressed for real), then Enter."""
        p = self.page
        n = self.number()
        self.wait_enabled(step)
        tabs = 0
        while p.evaluate("() => document.activeElement && document.activeElement.id") != step:
            if tabs > 150:
                raise AssertionError(f"{step} not reached with {tabs} Tabs")
            p.keyboard.press("Tab")
            tabs += 1
        p.keyboard.press("Enter")
        self.settle(n, step)
        return tabs + 1

    def shortcut(self, step: str) -> int | None:
        hint = self.page.locator(f"#{step} kbd.key-hint")
        if hint.count() == 0:
            return None
        n = self.number()
        self.wait_enabled(step)
        self.page.keyboard.press(hint.inner_text().strip())
        self.settle(n, step)
        return 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--citizens", type=int, default=3, help="cycles per input method")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = Server(args.root.resolve(), args.python, Path(tmp))
        try:
            kiosk = server.token("kiosk")
            results: dict[str, list[int]] = {}
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                con = Console(browser, server)
                for method in ("mouse", "keyboard", "shortcuts"):
                    for _ in range(args.citizens + 1):
                        r = requests.post(
                            server.url + "/api/v1/tickets",
                            json={"service": "F"},
                            headers={"Authorization": f"Bearer {kiosk}"},
                            timeout=10,
                        )
                        r.raise_for_status()
                    # the first citizen of the round is called by mouse: the cycles start there
                    if con.number() in ("—", ""):
                        con.click("btn-call")
                    counts = []
                    for _ in range(args.citizens):
                        total = 0
                        for step in con.steps():
                            act = {"mouse": con.click, "keyboard": con.keyboard, "shortcuts": con.shortcut}
                            n = act[method](step)
                            if n is None:
                                break
                            total += n
                        else:
                            counts.append(total)
                    results[method] = counts
                    # leave the window empty for the next round
                    if con.number() not in ("—", ""):
                        if con.page.locator("#btn-no-show:not([disabled])").count():
                            con.click("btn-no-show")
                browser.close()
        finally:
            server.stop()

    commit = subprocess.run(
        ["git", "-C", str(args.root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print("| checkout | method | actions per citizen (each cycle) | steps per cycle |")
    print("|---|---|---|---|")
    steps = "开始办理 → 办结并叫号" if con.has_combined else "开始办理 → 办结 → 叫号"
    for method, counts in results.items():
        shown = ", ".join(map(str, counts)) if counts else "— (no shortcuts)"
        print(f"| {commit} | {method} | {shown} | {steps} |")


if __name__ == "__main__":
    main()
