"""Running the service on uvicorn: one process, or ``workers`` processes
sharing one listening socket (uvicorn's supervisor), each building the
service (and loading its tokenizers) from the config it is handed."""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from .config import CONFIG_ENV, ServeConfig


def check_address(host: str, port: int) -> None:
    """OSError, saying what to do, when ``host:port`` cannot be listened on
    (before any model loads); ValueError for a port that is not one."""
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be 0-65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            hint = (
                "; another server listens there: choose another --port"
                if exc.errno == errno.EADDRINUSE
                else ""
            )
            raise OSError(
                exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}{hint}"
            ) from None


def run(
    config: ServeConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    access_log: bool = False,
) -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    check_address(host, port)
    options: dict[str, Any] = dict(
        host=host,
        port=port,
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
        log_level="info",
    )
    if workers <= 1:
        from .app import create_app

        uvicorn.run(create_app(config), **options)
        return
    from .catalog import check

    # a bad option (an unknown standard, a malformed user dictionary) is
    # reported here, once, rather than by every worker as it starts; the
    # learned model is not loaded for that (each worker loads it)
    check(config)
    os.environ[CONFIG_ENV] = config.to_json()  # the workers' config
    uvicorn.run(
        "qieci.serve.app:app_from_env",
        factory=True,
        workers=workers,
        **options,
    )
