"""One connection pool to one origin, with a wall-clock deadline on every request.

urllib3's timeouts bound each socket operation, not a request: a server that trickles its
answer (or its TLS handshake, or stalls in DNS) one byte at a time keeps a request alive for
ever. Here each request runs on a worker thread; the caller waits at most ``deadline``
seconds, then shuts the request's sockets down (so the worker ends soon) and gets
``DeadlineExceeded``. Sockets are shut down, never closed, from the waiting thread: closing
a descriptor another thread is reading is unsafe, shutting the connection down is not.

The pool is a single HTTP(S)ConnectionPool (not a PoolManager): it talks to its own host
only (urllib3 refuses an absolute URL to another host) and reads no proxy settings.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Mapping
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.util import parse_url

MAX_RESPONSE = 32 * 1024 * 1024  # an XForm or a JSON answer; more is not a Central


class DeadlineExceeded(Exception):
    """The request did not finish within its deadline."""


class ResponseTooLarge(Exception):
    """The answer was longer than MAX_RESPONSE."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Sockets:
    """The live sockets of one pool, to shut down when a deadline passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []

    def opened(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._open = [s for s in self._open if s.fileno() != -1]
            self._open.append(sock)

    def shut_down(self) -> None:
        with self._lock:
            live, self._open = self._open, []
        for sock in live:
            with contextlib.suppress(OSError):
                # socket.socket's own shutdown: SSLSocket.shutdown would also drop its SSL
                # object under the reading thread's feet
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTP(HTTPConnection):
    def __init__(self, *args: Any, sockets: _Sockets, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._sockets = sockets

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._sockets.opened(sock)
        return sock


class _WatchedHTTPS(HTTPSConnection):
    def __init__(self, *args: Any, sockets: _Sockets, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._sockets = sockets

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._sockets.opened(sock)  # covers the TCP part of the handshake
        return sock

    def connect(self) -> None:
        super().connect()
        self._sockets.opened(self.sock)  # the wrapped socket (the raw one is detached)


class Transport:
    """Requests to one origin (``scheme://host[:port]``), each bounded by ``deadline``."""

    def __init__(self, origin: str, *, ssl_context: ssl.SSLContext, timeout: float,
                 deadline: float) -> None:
        self.deadline = float(deadline)
        self._sockets = _Sockets()
        self._origin, self._https = origin, origin.startswith("https:")
        self._kw: dict[str, Any] = {
            "maxsize": 1, "block": False, "retries": False, "sockets": self._sockets,
            "timeout": urllib3.Timeout(connect=timeout, read=timeout)}
        if self._https:
            self._kw["ssl_context"] = ssl_context
        self._pool = self._new_pool()

    def _new_pool(self) -> urllib3.HTTPConnectionPool:
        pool = urllib3.connection_from_url(self._origin, **self._kw)
        pool.ConnectionCls = _WatchedHTTPS if self._https else _WatchedHTTP
        return pool

    def request(self, method: str, url: str, body: bytes | None,
                headers: Mapping[str, str], *, deadline: float | None = None,
                timeout: float | None = None) -> tuple[int, Mapping[str, str], bytes]:
        """(status, headers, body) of one request, or urllib3's/ssl's exception, or
        DeadlineExceeded, or ResponseTooLarge."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["answer"] = self._exchange(method, url, body, headers, timeout)
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="fieldscreen-http", daemon=True).start()
        if not done.wait(self.deadline if deadline is None else deadline):
            self._sockets.shut_down()  # the worker's read fails at once and it ends
            raise DeadlineExceeded
        if "error" in box:
            raise box["error"]
        answer: tuple[int, Mapping[str, str], bytes] = box["answer"]
        return answer

    def _exchange(self, method: str, url: str, body: bytes | None,
                  headers: Mapping[str, str], timeout: float | None
                  ) -> tuple[int, Mapping[str, str], bytes]:
        if not self._pool.is_same_host(url):  # (the client never asks: a second guard)
            raise urllib3.exceptions.HostChangedError(self._pool, url)
        kw: dict[str, Any] = {}
        if timeout is not None:
            kw["timeout"] = urllib3.Timeout(connect=timeout, read=timeout)
        target = parse_url(url).request_uri  # origin-form, as a client sends it
        response = self._pool.request(method, target, body=body, headers=dict(headers),
                                      redirect=False, preload_content=False, **kw)
        try:
            data = response.read(MAX_RESPONSE + 1)
        finally:
            response.release_conn()
        if len(data) > MAX_RESPONSE:
            raise ResponseTooLarge(response.status)
        return response.status, response.headers, data

    def close(self) -> None:
        """Drop every connection (a later request opens a new one)."""
        old, self._pool = self._pool, self._new_pool()
        old.close()


__all__ = ["MAX_RESPONSE", "DeadlineExceeded", "ResponseTooLarge", "Transport"]
