"""TEST PEER, not the TaskMaster origin: a tiny real HTTP server that speaks the edge ↔ origin
contract (docs/edge-origin-contract.md) so the runner can be driven end to end before the real
origin's /internal/keys/verify exists. It checks every request's edge signature (refusing bad
ones with 401 problem+json), answers /internal/keys/verify from an in-test key table, serves
cacheable task lists, accepts writes, and records what reached it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PeerState:
    secret: str
    keys: dict[str, dict] = field(default_factory=dict)  # key_hash → verify `data`
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # GET /api/v1/stream sends one event, waits for this, sends a second and ends the stream.
    stream_release: threading.Event = field(default_factory=threading.Event)
    stream_ended: threading.Event = field(default_factory=threading.Event)

    def forwarded(self, path_prefix: str = "/api/") -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(path_prefix)]

    def verifications(self, key_hash: str) -> int:
        with self.lock:
            return sum(
                1
                for s in self.seen
                if s.path == "/internal/keys/verify" and json.loads(s.body)["key_hash"] == key_hash
            )


def signature_ok(state: PeerState, method: str, path: str, headers, body: bytes) -> bool:
    try:
        timestamp = int(headers["x-edge-timestamp"])
    except (KeyError, TypeError, ValueError):
        return False
    if abs(time.time() - timestamp) > 60:
        return False
    message = "\n".join(
        [
            "v2",
            str(timestamp),
            headers.get("x-edge-nonce", ""),
            method,
            path,
            headers.get("x-edge-key-id", ""),
            headers.get("x-edge-scopes", ""),
            headers.get("x-edge-client-ip", ""),
            headers.get("x-request-id", ""),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    expected = "v2=" + hmac.new(state.secret.encode(), message.encode(), "sha256").hexdigest()
    return hmac.compare_digest(expected, headers.get("x-edge-signature", ""))


def make_handler(state: PeerState):
    class Handler(BaseHTTPRequestHandler):
        server_version = "PeerOrigin/1.0"

        def log_message(self, *args):  # keep test output quiet
            pass

        def _answer(self, status: int, payload: dict, extra: dict[str, str] | None = None):
            body = json.dumps(payload).encode()
            self.send_response(status)
            content_type = "application/problem+json" if status >= 400 else "application/json"
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.send_header("x-request-id", self.headers.get("x-request-id", ""))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _handle(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.seen.append(Seen(self.command, self.path, headers, body))
            if not signature_ok(state, self.command, self.path, headers, body):
                return self._answer(401, {"type": "bad-signature", "status": 401})
            meta = {"request_id": headers.get("x-request-id")}
            if self.path == "/internal/keys/verify" and self.command == "POST":
                key_hash = json.loads(body)["key_hash"]
                data = state.keys.get(key_hash) or {"valid": False, "reason": "unknown"}
                return self._answer(200, {"data": data, "meta": meta})
            if self.path.startswith("/api/v1/stream") and self.command == "GET":
                return self._stream()
            if self.path.startswith("/api/v1/tasks/slow"):
                time.sleep(3)
            if self.command == "GET":
                data = {"path": self.path, "key_id": headers.get("x-edge-key-id")}
                cache = {"cache-control": "public, max-age=60", "etag": '"peer-1"'}
                return self._answer(200, {"data": data, "meta": meta}, cache)
            return self._answer(201, {"data": {"created": True}, "meta": meta})

        def _stream(self) -> None:
            """An SSE body in two parts, the second only once the test saw the first."""
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(b'retry: 3000\n\nid: 1\ndata: {"id": 1}\n\n')
            self.wfile.flush()
            state.stream_release.wait(20)
            self.wfile.write(b'id: 2\ndata: {"id": 2}\n\n')
            self.wfile.flush()
            state.stream_ended.set()
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


class PeerOrigin:
    def __init__(self, secret: str) -> None:
        self.state = PeerState(secret)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PeerOrigin:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
