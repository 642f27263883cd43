"""SmtpSender against a real in-process SMTP server (aiosmtpd): plain, STARTTLS, implicit TLS, AUTH, a refused
message in the middle of a batch, and certificates that must not be trusted."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from arctl.reminders.mail import MailSettings, SendError, SmtpSender, build_email

HOST = "127.0.0.1"
PASSWORD = "s3cret-pw"


class Store:
    """An aiosmtpd handler keeping what it accepted; it answers `reject` to the messages numbered in `fail`."""

    def __init__(self, fail: tuple[int, ...] = (), reject: str = "451 4.3.0 Try again later") -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.fail, self.reject, self.seen = fail, reject, 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen += 1
        if self.seen in self.fail:
            return self.reject
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(handler: Store, **kwargs: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    return context


@pytest.fixture
def cafile(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def message(n: int = 1, subject: str = "付款提醒") -> Any:
    return build_email(
        sender=("上海明远 财务部", "ar@mingyuan.example.com"), to=[("王丽", f"client{n}@huatong.example.cn")],
        subject=f"{subject} {n}", text=f"尊敬的客户：第 {n} 封\n", when=datetime(2026, 11, 23, tzinfo=UTC),
        message_id=f"<r-{n}@mingyuan.example.com>",
    )  # fmt: skip


def settings(port: int, **kwargs: Any) -> MailSettings:
    values: dict[str, Any] = {"host": HOST, "port": port, "security": "none", "sender": "ar@mingyuan.example.com",
                              "timeout": 5.0, **kwargs}  # fmt: skip
    return MailSettings(**values)


def check_received(store: Store, *numbers: int) -> None:
    assert len(store.messages) == len(numbers)
    for (mail_from, rcpt, content), n in zip(store.messages, numbers, strict=True):
        assert mail_from == "ar@mingyuan.example.com" and rcpt == [f"client{n}@huatong.example.cn"]
        back = email.message_from_bytes(content, policy=email.policy.default)
        assert back["Subject"] == f"付款提醒 {n}"
        assert back["From"].addresses[0].display_name == "上海明远 财务部"
        assert back["To"].addresses[0].addr_spec == f"client{n}@huatong.example.cn"
        assert back.get_content().replace("\r\n", "\n") == f"尊敬的客户：第 {n} 封\n"


def test_plain(ca: trustme.CA) -> None:
    store = Store()
    with server(store) as port, SmtpSender(settings(port)) as smtp:
        smtp.send(message(1))
        smtp.send(message(2))
    check_received(store, 1, 2)


def test_starttls(server_tls: ssl.SSLContext, cafile: str) -> None:
    store = Store()
    with (
        server(store, tls_context=server_tls, require_starttls=True) as port,
        SmtpSender(settings(port, security="starttls", cafile=cafile)) as smtp,
    ):
        smtp.send(message(1))
    check_received(store, 1)


def test_plain_refused_by_a_server_requiring_starttls(server_tls: ssl.SSLContext) -> None:
    store = Store()
    with (
        server(store, tls_context=server_tls, require_starttls=True) as port,
        SmtpSender(settings(port)) as smtp,
        pytest.raises(SendError, match="530"),
    ):
        smtp.send(message(1))
    assert store.messages == []


def test_implicit_tls(server_tls: ssl.SSLContext, cafile: str) -> None:
    store = Store()
    with (
        server(store, ssl_context=server_tls) as port,
        SmtpSender(settings(port, security="ssl", cafile=cafile)) as smtp,
    ):
        smtp.send(message(1))
    check_received(store, 1)


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"ar",
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def test_auth_over_starttls(server_tls: ssl.SSLContext, cafile: str) -> None:
    store = Store()
    kwargs = {"tls_context": server_tls, "require_starttls": True, "authenticator": authenticator,
              "auth_require_tls": True, "auth_required": True}  # fmt: skip
    with server(store, **kwargs) as port:
        with SmtpSender(settings(port, security="starttls", cafile=cafile, user="ar", password=PASSWORD)) as smtp:
            smtp.send(message(1))
        with pytest.raises(SendError, match="login") as err:
            SmtpSender(
                settings(port, security="starttls", cafile=cafile, user="ar", password="wrong-pw")
            ).__enter__()
        assert "wrong-pw" not in str(err.value) and PASSWORD not in str(err.value)
    check_received(store, 1)


def test_rejected_third_message_fails_alone(ca: trustme.CA) -> None:
    store = Store(fail=(3,))
    with server(store) as port, SmtpSender(settings(port)) as smtp:
        smtp.send(message(1))
        smtp.send(message(2))
        with pytest.raises(SendError, match="451") as err:
            smtp.send(message(3))
        assert err.value.reason.startswith("the server refused the message: 451")
        smtp.send(message(4))  # the connection is still usable
    check_received(store, 1, 2, 4)


def test_unknown_ca_is_refused(server_tls: ssl.SSLContext, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    store = Store()
    with server(store, tls_context=server_tls, require_starttls=True) as port:
        with pytest.raises(SendError, match="certificate"):
            SmtpSender(settings(port, security="starttls", cafile=str(other))).__enter__()
        with pytest.raises(SendError, match="certificate"):  # the system CAs do not know trustme's CA either
            SmtpSender(settings(port, security="starttls")).__enter__()
    with server(store, ssl_context=server_tls) as port, pytest.raises(SendError, match="certificate"):
        SmtpSender(settings(port, security="ssl", cafile=str(other))).__enter__()
    assert store.messages == []


def test_wrong_hostname_is_refused(ca: trustme.CA, cafile: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.example.com").configure_cert(context)
    with server(Store(), ssl_context=context) as port, pytest.raises(SendError, match="certificate"):
        SmtpSender(settings(port, security="ssl", cafile=cafile)).__enter__()


def test_no_server_is_a_send_error() -> None:
    with pytest.raises(SendError, match="cannot connect"):
        SmtpSender(settings(free_port())).__enter__()
