"""Reminder emails: no header injection whatever the data, encoded non-ASCII, atomic private .eml files,
and settings that keep the SMTP password out of files and reprs."""

from __future__ import annotations

import email
import email.policy
import os
import stat
import sys
import types
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage, Message
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.reminders.mail import MailSettings, SmtpSender, build_email, message_bytes, new_message_id, write_eml

WHEN = datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=8)))
HEADERS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}


def build(
    subject: str = "Payment reminder",
    name: str = "Ann Lee",
    addr: str = "ann@example.com",
    sender: tuple[str, str] = ("Acme AR", "ar@acme.example"),
    html: str | None = None,
    **kwargs: object,
) -> Message:
    options: dict[str, object] = {"when": WHEN, "message_id": "<r-1@acme.example>", **kwargs}
    return build_email(
        sender=sender, to=[(name, addr)], subject=subject, text="Please pay.\n", html=html, **options
    )  # type: ignore[arg-type]


def body(message: EmailMessage) -> str:
    """The decoded text, with the CRLF line ends of the wire turned back into newlines."""
    return str(message.get_content()).replace("\r\n", "\n")


def reparse(message: Message) -> EmailMessage:
    raw = message_bytes(message)
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_a_plain_message_round_trips() -> None:
    back = reparse(build())
    assert set(back.keys()) == HEADERS
    assert back["Subject"] == "Payment reminder"
    assert back["From"].addresses[0].addr_spec == "ar@acme.example"
    assert back["To"].addresses[0].display_name == "Ann Lee"
    assert back["Date"].datetime == WHEN
    assert back["Message-ID"] == "<r-1@acme.example>"
    assert body(back) == "Please pay.\n"


def test_html_makes_multipart_alternative() -> None:
    back = reparse(build(html="<p>请付款</p>"))
    assert back.get_content_type() == "multipart/alternative"
    assert body(back.get_body(("plain",))) == "Please pay.\n"  # type: ignore[arg-type]
    assert back.get_body(("html",)).get_content().strip() == "<p>请付款</p>"  # type: ignore[union-attr]


def test_non_ascii_names_and_subjects_are_encoded_and_round_trip() -> None:
    message = build(subject="付款提醒：贵司有款项即将到期（R-20261123-0042）", name="王丽",
                    sender=("上海明远机械有限公司 财务部", "ar@mingyuan.example.com"))  # fmt: skip
    raw = message_bytes(message)
    assert raw.isascii()  # RFC 2047 headers, base64 / quoted-printable bodies
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert back["Subject"] == "付款提醒：贵司有款项即将到期（R-20261123-0042）"
    assert back["To"].addresses[0].display_name == "王丽"
    assert back["From"].addresses[0].display_name == "上海明远机械有限公司 财务部"


def test_chinese_body_round_trips() -> None:
    message = build_email(sender=("", "ar@acme.example"), to=[("", "a@b.example")], subject="s",
                          text="尊敬的客户：\n您好！\n", when=WHEN, message_id="<x@acme.example>")  # fmt: skip
    assert body(reparse(message)) == "尊敬的客户：\n您好！\n"


@pytest.mark.parametrize(
    "subject", ["Hi\r\nBcc: evil@x.com", "Hi\nBcc: evil@x.com", "Hi\rBcc: evil@x.com", "Hi\u2028Bcc: evil@x.com"]
)
def test_subject_cannot_add_headers(subject: str) -> None:
    back = reparse(build(subject=subject))
    assert set(back.keys()) == HEADERS and "Bcc" not in back
    assert back["Subject"] == "Hi Bcc: evil@x.com"


@pytest.mark.parametrize("name", ["Ann\nBcc: evil@x.com", "Ann\r\nBcc: evil@x.com", 'Ann" <evil@x.com>, "x'])
def test_display_name_cannot_add_headers_or_recipients(name: str) -> None:
    back = reparse(build(name=name))
    assert set(back.keys()) == HEADERS
    assert [a.addr_spec for a in back["To"].addresses] == ["ann@example.com"]


@pytest.mark.parametrize(
    "addr",
    [
        "a@b.com\r\nBcc: c@d.com", "a@b.com\nBcc: c@d.com", "a@b.com, c@d.com", "a@b.com;c@d.com", "<a@b.com>",
        "Ann <a@b.com>", "a b@c.com", "a@@b.com", "ab.com", "a@b", "@b.com", "a@", "a@b.com\x00", '"a"@b.com',
        "a@-b.com", "a..b@c.com", "", "a@b.com ",
    ],
)  # fmt: skip
def test_bad_addresses_are_refused(addr: str) -> None:
    with pytest.raises(InvalidInput):
        build(addr=addr)
    with pytest.raises(InvalidInput):
        build(sender=("x", addr))
    with pytest.raises(InvalidInput):
        build(reply_to=("x", addr))


def test_reply_to_and_idn_domain() -> None:
    back = reparse(build(addr="info@例子.中国", reply_to=("Ann", "ann@acme.example")))
    assert back["To"].addresses[0].domain == "xn--fsqu00a.xn--fiqs8s"
    assert back["Reply-To"].addresses[0].addr_spec == "ann@acme.example"


def test_message_needs_aware_date_id_and_recipient() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        build_email(sender=("", "a@b.example"), to=[("", "c@d.example")], subject="s", text="t",
                    when=datetime(2026, 1, 1), message_id="<x@y.example>")  # fmt: skip
    with pytest.raises(InvalidInput, match="Message-ID"):
        build_email(sender=("", "a@b.example"), to=[("", "c@d.example")], subject="s", text="t",
                    when=WHEN, message_id="<x@y.example>\r\nBcc: e@f.example")  # fmt: skip
    with pytest.raises(InvalidInput, match="recipient"):
        build_email(
            sender=("", "a@b.example"), to=[], subject="s", text="t", when=WHEN, message_id="<x@y.example>"
        )


def test_new_message_id() -> None:
    first, second = new_message_id("acme.example"), new_message_id("acme.example")
    assert first != second and first.startswith("<") and first.endswith("@acme.example>")
    assert reparse(build(message_id=first))["Message-ID"] == first
    with pytest.raises(InvalidInput):
        new_message_id("acme.example>\r\nBcc: x")


@settings(max_examples=300, deadline=None)
@given(subject=st.text(max_size=200), name=st.text(max_size=80), sender_name=st.text(max_size=80))
def test_arbitrary_subjects_and_names_never_add_headers(subject: str, name: str, sender_name: str) -> None:
    message = build(subject=subject, name=name, sender=(sender_name, "ar@acme.example"))
    raw = message_bytes(message)
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert set(back.keys()) == HEADERS
    assert [a.addr_spec for a in back["To"].addresses] == ["ann@example.com"]
    assert [a.addr_spec for a in back["From"].addresses] == ["ar@acme.example"]
    assert "\n" not in str(back["Subject"]) and "\r" not in str(back["Subject"])
    assert body(back) == "Please pay.\n"


@settings(max_examples=200, deadline=None)
@given(subject=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Zl", "Zp", "Cs")),
                       max_size=120).filter(lambda s: "=?" not in s))  # fmt: skip
def test_printable_subjects_round_trip(subject: str) -> None:
    assert reparse(build(subject=subject))["Subject"] == " ".join(subject.split())


def test_write_eml_is_atomic_private_and_sanitised(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    message = build(subject="付款提醒")
    path = write_eml(outbox, "../../R-20261123-0042 王丽", message)
    assert path.parent == outbox and path.suffix == ".eml" and path.name == "R-20261123-0042.eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == message_bytes(message)
    assert email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"] == "付款提醒"
    again = write_eml(outbox, "R-20261123-0042 王丽.eml", build(subject="second"))
    assert again == path and b"second" in path.read_bytes()
    assert sorted(p.name for p in outbox.iterdir()) == [path.name]  # no temp files left
    assert write_eml(outbox, "...", message).name == "message.eml"


def test_write_eml_leaves_nothing_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_eml(tmp_path, "x", build())
    assert list(tmp_path.iterdir()) == []


# --- settings -------------------------------------------------------------------------------------------------


def test_settings_from_config_and_environment() -> None:
    config = {"host": "smtp.example.com", "security": "ssl", "user": "ar", "from": "ar@acme.example",
              "from_name": "Acme AR", "timeout": 10}  # fmt: skip
    s = MailSettings.from_sources(config, {"ARCTL_SMTP_PASSWORD": "hunter2"})
    assert (s.host, s.port, s.security, s.user, s.password) == ("smtp.example.com", 465, "ssl", "ar", "hunter2")
    assert s.from_address == ("Acme AR", "ar@acme.example") and s.timeout == 10.0
    env = {"ARCTL_SMTP_HOST": "relay.local", "ARCTL_SMTP_PORT": "2525", "ARCTL_SMTP_SECURITY": "none",
           "ARCTL_SMTP_USER": "bob", "ARCTL_MAIL_FROM": "财务部 <cw@acme.example>"}  # fmt: skip
    s = MailSettings.from_sources(config, env, use_keyring=False)
    assert (s.host, s.port, s.security, s.user, s.password) == ("relay.local", 2525, "none", "bob", None)
    assert s.from_address == ("财务部", "cw@acme.example")
    assert MailSettings.from_sources({}, {"ARCTL_MAIL_FROM": "x@acme.example"}).from_address == (
        "",
        "x@acme.example",
    )


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_default_port_follows_security(security: str, port: int) -> None:
    assert MailSettings.from_sources({"security": security}, {}).port == port


def test_password_never_shown() -> None:
    s = MailSettings.from_sources({"user": "ar"}, {"ARCTL_SMTP_PASSWORD": "hunter2"})
    assert "hunter2" not in repr(s) and "hunter2" not in str(s)


def test_password_in_config_is_refused() -> None:
    with pytest.raises(InvalidInput, match="ARCTL_SMTP_PASSWORD") as err:
        MailSettings.from_sources({"user": "ar", "password": "hunter2"}, {})
    assert "hunter2" not in str(err.value) and err.value.field == "mail.password"


@pytest.mark.parametrize(
    ("config", "env", "field"),
    [
        ({"port": 0}, {}, "port"), ({"port": 70000}, {}, "port"), ({"port": "25"}, {}, "mail.port"),
        ({}, {"ARCTL_SMTP_PORT": "smtp"}, "port"), ({"security": "tls"}, {}, "security"),
        ({}, {"ARCTL_SMTP_SECURITY": "plain"}, "security"), ({"from": "not an address"}, {}, "from"),
        ({}, {"ARCTL_MAIL_FROM": "Acme <a@b.com>, c@d.com"}, "ARCTL_MAIL_FROM"), ({"timeout": 0}, {}, "mail.timeout"),
        ({"hots": "x"}, {}, "mail"), ({"cafile": "/nonexistent/ca.pem"}, {}, "cafile"), ({"host": 5}, {}, "mail.host"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused(config: dict, env: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        MailSettings.from_sources(config, env)
    assert err.value.field == field


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(InvalidInput):
        MailSettings(port=0)
    with pytest.raises(InvalidInput):
        MailSettings(security="tls")  # type: ignore[arg-type]


def test_sending_needs_host_sender_and_password() -> None:
    with pytest.raises(InvalidInput, match="SMTP server") as err:
        SmtpSender(MailSettings(sender="a@b.example"))
    assert err.value.field == "host"
    with pytest.raises(InvalidInput) as err:
        SmtpSender(MailSettings(host="smtp.example.com"))
    assert err.value.field == "from"
    with pytest.raises(InvalidInput, match="ARCTL_SMTP_PASSWORD"):
        SmtpSender(MailSettings(host="smtp.example.com", sender="a@b.example", user="ar"))
    with pytest.raises(InvalidInput, match="unencrypted"):
        SmtpSender(MailSettings(host="smtp.example.com", sender="a@b.example", user="ar", password="pw",
                                security="none", port=25))  # fmt: skip


def test_keyring_is_optional_and_used_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import fails like an absent extra
    assert MailSettings.from_sources({"user": "ar"}, {}).password is None
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: f"from-keyring:{service}:{user}"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert MailSettings.from_sources({"user": "ar"}, {}).password == "from-keyring:arctl-smtp:ar"
    assert MailSettings.from_sources({"user": "ar"}, {"ARCTL_SMTP_PASSWORD": "env"}).password == "env"
    assert MailSettings.from_sources({"user": "ar"}, {}, use_keyring=False).password is None

    def broken(service: str, user: str) -> str:
        raise RuntimeError("no backend")

    fake.get_password = broken  # type: ignore[attr-defined]
    assert MailSettings.from_sources({"user": "ar"}, {}).password is None


def test_utc_dates_are_fine() -> None:
    assert reparse(build(when=datetime(2026, 1, 1, tzinfo=UTC)))["Date"].datetime.utcoffset() == timedelta(0)


def test_long_names_and_several_recipients_round_trip() -> None:
    long_name = "上海明远机械设备制造有限公司华东区应收账款管理部门"
    message = build_email(sender=(long_name, "ar@acme.example"),
                          to=[(long_name, "a@b.example"), ('Lee, "Ann"', "ann@c.example"), ("", "x@d.example")],
                          subject="s", text="t\n", when=WHEN, message_id="<m@acme.example>")  # fmt: skip
    raw = message_bytes(message)
    assert raw.isascii() and max(len(line) for line in raw.split(b"\r\n")) < 100  # folded, not one long line
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.addr_spec for a in back["To"].addresses] == ["a@b.example", "ann@c.example", "x@d.example"]
    assert back["To"].addresses[1].display_name == 'Lee, "Ann"'
    # encoded words split to legal lengths; Python's parser puts a space where they join, mail readers do not
    assert back["From"].addresses[0].display_name.replace(" ", "") == long_name


def test_english_bodies_stay_readable_and_chinese_ones_compact() -> None:
    english = message_bytes(build())
    assert b"Content-Transfer-Encoding: quoted-printable" in english and b"Please pay." in english
    chinese = message_bytes(build_email(sender=("", "ar@acme.example"), to=[("", "a@b.example")], subject="s",
                                        text="尊敬的客户：您好！" * 20, when=WHEN, message_id="<x@acme.example>"))  # fmt: skip
    assert b"Content-Transfer-Encoding: base64" in chinese
