"""One POST over HTTPS, to the address checked, with the certificate verified."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading

import pytest

from collector.webhooks import posting


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS receiver on 127.0.0.1 with a certificate of its own for that address."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(202)
            self.send_header("Content-Length", "8")
            self.end_headers()
            self.wfile.write(b"accepted")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/hook", cert
    server.shutdown()
    server.server_close()


def test_an_untrusted_certificate_is_a_failure(tls_receiver):
    url, _ = tls_receiver
    answer = posting.post(url, b"{}", {}, allow_private=True, now=0)
    assert answer.status is None and answer.error.startswith("TLS failed: CERTIFICATE_VERIFY_FAILED")


def test_a_trusted_certificate_is_delivered(tls_receiver, monkeypatch):
    url, cert = tls_receiver
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted, as a public CA's would be
    answer = posting.post(url, b"{}", {}, allow_private=True, now=0)
    assert answer.delivered and answer.status == 202 and answer.text == "accepted"


def test_retry_after_as_seconds_or_a_date():
    assert posting.retry_after_seconds("120", 0) == 120
    assert posting.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412420) == 60
    assert posting.retry_after_seconds("soon", 0) is None
    # Digits that are not ASCII are no number of seconds (int("²") would raise).
    assert posting.retry_after_seconds("²", 0) is None
    assert posting.retry_after_seconds(None, 0) is None


class CountingSocket:
    """A connected socket that keeps what each write sent."""

    def __init__(self, sock) -> None:
        self.sock = sock
        self.writes: list[bytes] = []

    def sendall(self, data) -> None:
        self.writes.append(bytes(data))
        self.sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self.sock, name)


def test_a_requests_head_and_body_go_out_in_one_write(receiver, monkeypatch):
    sockets: list[CountingSocket] = []
    connect = posting._connect

    def counting(address: str, port: int, timeout: float) -> CountingSocket:
        sockets.append(CountingSocket(connect(address, port, timeout)))
        return sockets[-1]

    monkeypatch.setattr(posting, "_connect", counting)
    with posting.Session(allow_private=True) as session:
        assert session.post(receiver.url, b'{"n":1}', {"webhook-id": "msg_1"}, now=0).delivered
        assert session.post(receiver.url, b'{"n":2}', {"webhook-id": "msg_2"}, now=0).delivered
    assert len(sockets) == 1  # kept alive
    first, second = sockets[0].writes
    assert first.startswith(b"POST /hook HTTP/1.1\r\n") and first.endswith(b'\r\n\r\n{"n":1}')
    assert second.startswith(b"POST /hook HTTP/1.1\r\n") and second.endswith(b'\r\n\r\n{"n":2}')
    assert [r["body"] for r in receiver.received] == [b'{"n":1}', b'{"n":2}']
