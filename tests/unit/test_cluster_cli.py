"""`hallq serve --workers N` refuses what cannot work, and `hallq nginx-config` renders the
shipped template (the e2e tests run it under a real nginx: tests/e2e/test_nginx_cluster.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import paths
from server.cli import main
from server.cli.nginx import render, session_tag
from server.cli.supervise import MAX_BACKOFF_S, backoff


def test_several_workers_without_a_message_queue_are_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HALLQ_MESSAGE_QUEUE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--workers 2 needs HALLQ_MESSAGE_QUEUE=redis://" in err
    assert not (tmp_path / "hallq.db").exists(), "nothing was migrated or started"


def test_a_worker_dying_at_once_again_and_again_is_restarted_ever_more_slowly() -> None:
    assert [backoff(n) for n in range(1, 8)] == [0, 1, 2, 4, 8, 16, 30]
    assert backoff(50) == MAX_BACKOFF_S


def test_the_nginx_site_routes_each_session_to_its_worker_and_serves_static_from_disk() -> None:
    site = render(
        [("", "127.0.0.1", 5001), ("", "127.0.0.1", 5002), ("b", "10.0.0.12", 5001)],
        "443",
        "hall.example.gov.cn",
        "/etc/ssl/hall.pem",
        "/etc/ssl/hall.key",
        "/var/log/nginx/hallq-access.log",
    )
    assert "{{" not in site
    assert "    server 127.0.0.1:5002 max_fails=1 fail_timeout=2s;" in site
    # new sockets never mark a worker down: a websocket that probed a worker marked down would
    # hold it down until it closes, and nginx answered 502 to everything meanwhile
    sockets = site[site.index("upstream hallq_sockets {") :].split("}", 1)[0]
    assert "    server 127.0.0.1:5002 max_fails=0;" in sockets and "fail_timeout" not in sockets
    assert "default hallq_sockets;" in site
    assert '    "~^5001\\." 127.0.0.1:5001;' in site
    assert '    "~^b5001\\." 10.0.0.12:5001;' in site
    assert f"alias {Path(paths.STATIC).resolve()}/;" in site
    assert "listen 443 ssl;" in site and "ssl_certificate     /etc/ssl/hall.pem;" in site
    assert session_tag("a.b", 5001) == "ab5001"


def test_workers_of_two_machines_need_their_own_node_names(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["nginx-config", "--certificate", "c.pem", "--certificate-key", "k.pem"]
    assert main([*args, "--workers", "1", "--port", "5001", "--backend", "10.0.0.12:5001"]) == 2
    assert "HALLQ_NODE" in capsys.readouterr().err
    assert main([*args, "--workers", "0", "--backend", "10.0.0.12"]) == 2
    assert "[NODE@]HOST:PORT" in capsys.readouterr().err
    assert main([*args, "--workers", "1", "--backend", "b@10.0.0.12:5001"]) == 0
    assert '"~^b5001\\." 10.0.0.12:5001;' in capsys.readouterr().out


def test_a_standalone_nginx_keeps_to_its_own_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "nginx"
    args = ["--certificate", "c.pem", "--certificate-key", "k.pem", "--listen", "127.0.0.1:8443"]
    assert main(["nginx-config", *args, "--standalone", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"nginx -p {folder} -c {folder}/nginx.conf")
    conf = (folder / "nginx.conf").read_text()
    assert f"pid {folder}/nginx.pid;" in conf and f"include {folder}/hallq.conf;" in conf
    assert f"access_log {folder}/logs/access.log hallq;" in (folder / "hallq.conf").read_text()
