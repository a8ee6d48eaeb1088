"""`hallq nginx-config`: the nginx configuration for several `hallq serve` workers.

It fills in server/cli/nginx.conf.template (TLS, static files from this installation, round-robin
for pages and the API, Socket.IO sessions kept on their worker) for the workers of this machine
(`--workers N --port P`, as given to `hallq serve`) and those of others (`--backend`). With
`--standalone DIR` it writes a whole private nginx instance into DIR (its own pid, logs and temp
folders, nothing of the system's nginx touched): what the tests and deploy/one-machine.sh run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import click

from .. import paths
from .base import UserError, examples

TEMPLATE = Path(__file__).with_name("nginx.conf.template")

_BACKEND = re.compile(r"^(?:(?P<node>[A-Za-z0-9_-]+)@)?(?P<host>[A-Za-z0-9.:\[\]-]+):(?P<port>\d{1,5})$")


def session_tag(node: str | None, port: int) -> str:
    """The prefix a worker gives its Socket.IO session ids (server/realtime: `tag_sessions`)."""
    return "".join(c for c in f"{node or ''}{port}" if c.isascii() and (c.isalnum() or c in "-_"))


def render(
    backends: list[tuple[str, str, int]],
    listen: str,
    server_name: str,
    certificate: str,
    certificate_key: str,
    access_log: str,
    static: str | None = None,
) -> str:
    """The site configuration for `backends` as (node, host, port)."""
    servers = "\n".join(
        f"    server {host}:{port} max_fails=1 fail_timeout=2s;" for _, host, port in backends
    )
    sockets = "\n".join(f"    server {host}:{port} max_fails=0;" for _, host, port in backends)
    routes = "\n".join(
        f'    "~^{re.escape(session_tag(node, port))}\\." {host}:{port};' for node, host, port in backends
    )
    values = {
        "upstream_servers": servers,
        "socket_servers": sockets,
        "session_routes": routes,
        "listen": listen,
        "server_name": server_name,
        "certificate": certificate,
        "certificate_key": certificate_key,
        "access_log": access_log,
        "static": str(Path(static or paths.STATIC).resolve()),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def write_standalone(folder: Path, site: str) -> Path:
    """A private nginx instance in `folder` around `site`; returns its nginx.conf."""
    for sub in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "hallq.conf").write_text(site)
    # run as root (CI, a container), the workers would drop to `nobody`, who may not read the
    # static files: a private instance keeps the user that started it
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""# a private nginx for hallq: nginx -p {folder} -c {conf}
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
# every proxied websocket holds two connections (the client's and the worker's): 16384 carries
# 8,000 boards; nginx raises its own open-file limit to match (as root, or up to the hard limit)
worker_rlimit_nofile 40000;
events {{ worker_connections 16384; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {folder}/hallq.conf;
}}
"""
    )
    return conf


def _backends(host: str, port: int, workers: int, node: str | None, more: tuple[str, ...]) -> list[Any]:
    out = [(node or "", host, p) for p in range(port, port + workers)] if workers else []
    for spec in more:
        m = _BACKEND.match(spec)
        if m is None:
            raise UserError(f"--backend {spec!r}: give [NODE@]HOST:PORT, e.g. b@10.0.0.12:5001")
        out.append((m["node"] or "", m["host"], int(m["port"])))
    if not out:
        raise UserError("no workers: give --workers N --port P, or --backend [NODE@]HOST:PORT")
    tags = [session_tag(n, p) for n, _, p in out]
    if len(set(tags)) != len(tags):
        raise UserError(
            "two workers would share a session tag: give each machine its own HALLQ_NODE (--backend NODE@…)"
        )
    return out


@click.command(
    "nginx-config",
    short_help="Print (or set up) the nginx configuration for several workers.",
    epilog=examples(
        "hallq nginx-config --workers 2 --port 5001 --server-name hall.example.gov.cn \\",
        "    --certificate /etc/ssl/hall.pem --certificate-key /etc/ssl/hall.key \\",
        "    > /etc/nginx/conf.d/hallq.conf",
        "hallq nginx-config --workers 0 --backend a@10.0.0.11:5001 --backend b@10.0.0.12:5001 ...",
        "hallq nginx-config --listen 127.0.0.1:8443 --standalone /var/lib/hallq/nginx \\",
        "    --certificate cert.pem --certificate-key key.pem   # prints: nginx -p DIR -c DIR/nginx.conf",
    ),
)
@click.option(
    "--workers", type=click.IntRange(0, 64), default=2, show_default=True, help="Workers on this machine."
)
@click.option(
    "--port", type=int, default=5001, show_default=True, help="The first worker's port (hallq serve --port)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Where this machine's workers listen.")
@click.option("--node", envvar="HALLQ_NODE", help="This machine's HALLQ_NODE, if set for its workers.")
@click.option(
    "--backend", "more", multiple=True, metavar="[NODE@]HOST:PORT", help="A worker on another machine."
)
@click.option(
    "--listen", default="443", show_default=True, help="nginx's TLS address (port, or address:port)."
)
@click.option("--server-name", default="_", show_default=True)
@click.option("--certificate", required=True, type=click.Path(dir_okay=False), help="TLS certificate (PEM).")
@click.option("--certificate-key", required=True, type=click.Path(dir_okay=False), help="Its private key.")
@click.option(
    "--access-log", help="[default: /var/log/nginx/hallq-access.log; DIR/logs/access.log standalone]"
)
@click.option(
    "--standalone",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a private nginx instance into this folder instead of printing the site.",
)
def nginx_config(
    workers: int,
    port: int,
    host: str,
    node: str | None,
    more: tuple[str, ...],
    listen: str,
    server_name: str,
    certificate: str,
    certificate_key: str,
    access_log: str | None,
    standalone: Path | None,
) -> None:
    """The nginx configuration for hallq workers: TLS, static files, round-robin, websockets."""
    backends = _backends(host, port, workers, node, more)
    folder = standalone.resolve() if standalone else None
    log = access_log or (f"{folder}/logs/access.log" if folder else "/var/log/nginx/hallq-access.log")
    site = render(
        backends,
        listen,
        server_name,
        str(Path(certificate).resolve()),
        str(Path(certificate_key).resolve()),
        log,
    )
    if folder is None:
        click.echo(site, nl=False)
        return
    conf = write_standalone(folder, site)
    click.echo(f"nginx -p {folder} -c {conf} -e {folder}/logs/error.log")


COMMANDS = [nginx_config]
