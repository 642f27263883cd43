"""Reminder emails as real RFC 5322 messages: built safely, written to an outbox as .eml, or sent by SMTP.

Why this module is strict:
- **Header injection.** Subjects and display names come from the ledger (customer and contact names) and
  from templates; a CR/LF in them must never start a new header (a hidden ``Bcc:``). Line breaks and other
  control characters become spaces before any header is set, and addresses are checked against a narrow
  addr-spec (one ``@``, no whitespace, control characters, angle brackets, commas or quotes): anything else is
  refused with `InvalidInput` rather than guessed at. Non-ASCII names and subjects are RFC 2047 encoded
  (`email.header.Header`), ASCII names quoted (`email.utils.formataddr`); bodies are base64 or
  quoted-printable (7-bit clean for any relay).
- **Credentials.** The SMTP password is read only from ``ARCTL_SMTP_PASSWORD`` or the system keyring (service
  ``arctl-smtp``, user name = the SMTP user; needs the optional ``arctl[keyring]`` extra), never from a
  settings file that might be committed or shared. It is left out of ``repr`` and never put in an error
  message, and it is refused over an unencrypted connection to anything but this machine.
- **TLS.** Certificates are verified (system CAs, plus ``cafile`` for a private CA); there is no switch to
  turn verification off.
- **Outbox.** .eml files are written to a temporary name and renamed, mode 0600: a crash leaves no half
  message for a later "send the outbox" to pick up, and other users cannot read customer data.
"""

from __future__ import annotations

import contextlib
import email.policy
import ipaddress
import os
import re
import smtplib
import socket
import ssl
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from arctl.domain.errors import InvalidInput

Security = Literal["starttls", "ssl", "none"]
SECURITIES: tuple[str, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
KEYRING_SERVICE = "arctl-smtp"
CONFIG_KEYS = frozenset({"host", "port", "security", "user", "from", "from_name", "cafile", "timeout"})

_WIRE = email.policy.compat32.clone(linesep="\r\n")
"""How messages are written (.eml files): CRLF line ends, headers folded as built by `build_email`."""
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_MSGID = re.compile(r"^<[!-;=?-~]+@[!-;=?-~]+>$")  # printable ASCII without '<', '>' and spaces
_NAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FROM = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<addr>[^<>]*)>\s*$")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class SendError(Exception):
    """Sending failed; `reason` is short, safe to show and never contains the password."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- settings -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server and whom mail comes from (the ``[mail]`` table plus the environment)."""

    host: str | None = None
    """SMTP server; None when mail is only written to the outbox."""
    port: int = 587
    security: Security = "starttls"
    """starttls (submission, 587), ssl (implicit TLS, 465) or none (plain, 25; local relays only)."""
    user: str | None = None
    """SMTP login; None sends without AUTH."""
    password: str | None = field(default=None, repr=False)
    """From ARCTL_SMTP_PASSWORD or the keyring only; never shown."""
    sender: str = ""
    """The From address (addr-spec); required to build or send mail."""
    sender_name: str = ""
    """The From display name ("上海明远机械有限公司 财务部")."""
    cafile: str | None = None
    """An extra CA bundle (PEM) trusted for the server certificate, besides the system's."""
    timeout: float = 30.0
    """Seconds to wait for the server on each network operation."""

    def __post_init__(self) -> None:
        if self.security not in SECURITIES:
            raise InvalidInput(
                f"{self.security!r} is not an SMTP security mode; use starttls, ssl or none", field="security"
            )
        if type(self.port) is not int or not 0 < self.port < 65536:
            raise InvalidInput(f"{self.port!r} is not a port number (1-65535)", field="port")
        if (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, int | float)
            or not 0 < self.timeout <= 600
        ):
            raise InvalidInput(
                f"{self.timeout!r} is not a timeout (seconds, above 0, at most 600)", field="timeout"
            )
        if self.sender:
            check_address(self.sender, field="from")

    @property
    def from_address(self) -> tuple[str, str]:
        """(display name, address) for `build_email`; refuses when no From address is configured."""
        if not self.sender:
            raise InvalidInput(
                "no From address: set `from` in the [mail] settings or ARCTL_MAIL_FROM", field="from"
            )
        return (self.sender_name, self.sender)

    @classmethod
    def from_sources(
        cls, config: Mapping[str, Any], env: Mapping[str, str], *, use_keyring: bool = True
    ) -> MailSettings:
        """Settings from the ``[mail]`` table of the user's settings, overridden by ARCTL_SMTP_* / ARCTL_MAIL_FROM.

        The password comes from ARCTL_SMTP_PASSWORD, else the keyring (when `use_keyring` and a user is set).
        """
        if "password" in config:
            raise InvalidInput(
                "the SMTP password does not belong in the settings file; set ARCTL_SMTP_PASSWORD or store it "
                f"in the system keyring (service {KEYRING_SERVICE!r}, user name = the SMTP user)",
                field="mail.password",
            )
        unknown = sorted(set(config) - CONFIG_KEYS)
        if unknown:
            raise InvalidInput(
                f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(CONFIG_KEYS))}", field="mail"
            )
        values = {key: _env(env, name) for key, name in _ENV.items()}
        host = values["host"] or _text(config, "host")
        security = (values["security"] or _text(config, "security") or "starttls").lower()
        if security not in SECURITIES:
            raise InvalidInput(
                f"{security!r} is not an SMTP security mode; use starttls, ssl or none", field="security"
            )
        port = _port(values["port"], config.get("port"), security)
        user = values["user"] or _text(config, "user")
        sender, sender_name = _text(config, "from") or "", _text(config, "from_name") or ""
        if values["from"]:
            sender, name = _split_from(values["from"])
            sender_name = name or sender_name
        cafile = values["cafile"] or _text(config, "cafile")
        if cafile and not Path(cafile).expanduser().is_file():
            raise InvalidInput(f"the CA file {cafile} does not exist", field="cafile")
        password = _env(env, "ARCTL_SMTP_PASSWORD") or (_keyring_password(user) if use_keyring and user else None)
        return cls(
            host=host,
            port=port,
            security=cast(Security, security),
            user=user,
            password=password,
            sender=sender,
            sender_name=sender_name,
            cafile=str(Path(cafile).expanduser()) if cafile else None,
            timeout=_timeout(config.get("timeout", 30.0)),
        )


_ENV = {
    "host": "ARCTL_SMTP_HOST",
    "port": "ARCTL_SMTP_PORT",
    "security": "ARCTL_SMTP_SECURITY",
    "user": "ARCTL_SMTP_USER",
    "cafile": "ARCTL_SMTP_CAFILE",
    "from": "ARCTL_MAIL_FROM",
}


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _text(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"must be a string, not {type(value).__name__}", field=f"mail.{key}")
    return value.strip() or None


def _port(from_env: str | None, from_config: Any, security: str) -> int:
    if from_env is not None:
        if not from_env.isascii() or not from_env.isdigit():
            raise InvalidInput(f"ARCTL_SMTP_PORT={from_env!r} is not a port number", field="port")
        port = int(from_env)
    elif from_config is None:
        port = DEFAULT_PORTS[security]
    elif type(from_config) is int:
        port = from_config
    else:
        raise InvalidInput(f"{from_config!r} is not a port number", field="mail.port")
    if not 0 < port < 65536:
        raise InvalidInput(f"{port} is not a port number (1-65535)", field="port")
    return port


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise InvalidInput(f"{value!r} is not a timeout (seconds, above 0, at most 600)", field="mail.timeout")
    return float(value)


def _split_from(text: str) -> tuple[str, str]:
    """ "addr" or "Name <addr>" → (addr, name)."""
    match = _FROM.match(text)
    addr, name = (match["addr"].strip(), match["name"].strip().strip('"')) if match else (text.strip(), "")
    return check_address(addr, field="ARCTL_MAIL_FROM"), clean_header_text(name)


def _keyring_password(user: str) -> str | None:
    """The password stored for `user` under service arctl-smtp; None without keyring or without an entry."""
    try:
        import keyring  # optional extra arctl[keyring]
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user) or None
    except Exception:  # no backend, locked keyring...: behave as if there were no keyring
        return None


# --- building messages ----------------------------------------------------------------------------------------


def clean_header_text(text: str) -> str:
    """One line of header text: control characters and line/paragraph separators → spaces, runs collapsed."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in str(text))
    return " ".join(cleaned.split())


def check_address(addr: str, *, field: str = "address") -> str:
    """A plain addr-spec (local@domain, ASCII local part, IDN domains as given) or InvalidInput."""
    if not isinstance(addr, str) or not addr or len(addr) > 254:
        raise InvalidInput(f"{addr!r} is not an email address", field=field)
    if addr.count("@") != 1:
        raise InvalidInput(f"{addr!r} is not an email address (it needs exactly one @)", field=field)
    local, domain = addr.split("@")
    if not _LOCAL.match(local) or len(local) > 64:
        raise InvalidInput(
            f"{addr!r} is not an email address (the part before @ has a space, control character or one of "
            '< > , ; : " ( ) [ ] \\)',
            field=field,
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"{addr!r} has an invalid domain", field=field) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidInput(f"{addr!r} has an invalid domain (expected a name like example.com)", field=field)
    return addr


def _addresses(pairs: Sequence[tuple[str, str]], field: str) -> str | Header:
    """Checked (name, addr) pairs as one header value: ``addr``, ``"Name, Inc." <addr>`` (ASCII names quoted
    as RFC 5322 wants), or RFC 2047 encoded words + ``<addr>`` (other names; split to legal lengths)."""
    header = Header()
    plain: list[str] = []
    for i, (name, addr) in enumerate(pairs):
        check_address(addr, field=field)
        local, domain = addr.split("@")
        spec = f"{local}@{domain.encode('idna').decode('ascii')}"
        name = clean_header_text(name)
        if i:
            header.append(",", "us-ascii")
        if name.isascii():
            plain.append(formataddr((name, spec)))
            header.append(plain[-1], "us-ascii")
        else:
            header.append(name, "utf-8")
            header.append(f"<{spec}>", "us-ascii")
    return ", ".join(plain) if len(plain) == len(pairs) else header


def _header_text(value: str) -> str | Header:
    """One line of header text: ASCII as it is (folded when long), anything else as RFC 2047 encoded words."""
    value = clean_header_text(value)
    return value if value.isascii() else Header(value, "utf-8")


def _part(text: str, subtype: str) -> MIMEText:
    """A text part in UTF-8, 7-bit clean: quoted-printable when it is mostly ASCII (English stays readable in
    the file), base64 otherwise (Chinese: a third of quoted-printable's size)."""
    charset = Charset("utf-8")
    ascii_share = sum(c.isascii() for c in text) / len(text) if text else 1.0
    charset.body_encoding = QP if ascii_share >= 0.8 else BASE64
    return MIMEText(text, subtype, charset)  # type: ignore[arg-type]


def build_email(
    *,
    sender: tuple[str, str],
    to: Sequence[tuple[str, str]],
    subject: str,
    text: str,
    html: str | None = None,
    when: datetime,
    message_id: str,
    reply_to: tuple[str, str] | None = None,
) -> Message:
    """An RFC 5322 message. Addresses are (display name, addr-spec) pairs, like `email.utils.formataddr`.

    multipart/alternative (text, then HTML) when `html` is given. `when` must be timezone-aware. Serialise it
    with `message_bytes`.

    Built with the standard library's `email.mime` classes and the compat32 policy rather than `EmailMessage`:
    the modern API parses every header it is given back through its header registry, ~1.5 ms a message (most
    of a big reminder run's time), and the guards it would add are the ones this module applies first anyway
    (no control characters or line breaks in any header text, addr-specs checked, names quoted or encoded).
    """
    if not to:
        raise InvalidInput("a message needs at least one recipient", field="to")
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidInput("the Date of a message must carry a time zone", field="when")
    if not isinstance(message_id, str) or not _MSGID.match(message_id):
        raise InvalidInput(f"{message_id!r} is not a Message-ID (<unique@domain>)", field="message_id")
    headers: list[tuple[str, str | Header]] = [
        ("From", _addresses([sender], "from")),
        ("To", _addresses(to, "to")),
    ]
    if reply_to is not None:
        headers.append(("Reply-To", _addresses([reply_to], "reply_to")))
    headers += [("Subject", _header_text(subject)), ("Date", format_datetime(when)), ("Message-ID", message_id)]
    message: Message
    if html is None:
        message = _part(text, "plain")
    else:
        parts = [_part(text, "plain"), _part(html, "html")]
        for part in parts:
            del part["MIME-Version"]  # only the message itself carries it
        message = MIMEMultipart("alternative", _subparts=parts)
    for name, value in headers:
        message[name] = value
    return message


def message_bytes(message: Message) -> bytes:
    """The message as it goes into an .eml file or over SMTP: CRLF line ends, 7-bit."""
    return message.as_bytes(policy=_WIRE)


def new_message_id(domain: str) -> str:
    """A fresh Message-ID "<…@domain>" (the sender's domain keeps it unique and recognisable)."""
    domain = domain.strip()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"{domain!r} is not a domain", field="domain") from None
    if not all(_LABEL.match(label) for label in ascii_domain.split(".")):
        raise InvalidInput(f"{domain!r} is not a domain", field="domain")
    return make_msgid(domain=ascii_domain)


def write_eml(outbox: Path, name: str, message: Message | bytes, *, sync: bool = True) -> Path:
    """Write `message` (or its `message_bytes`) to OUTBOX/NAME.eml atomically (temp file + rename), mode 0600;
    returns the path.

    `sync=False` skips the per-file fsync, for a batch that syncs once after writing all its files.

    `name` is reduced to letters, digits, '.', '_' and '-' (no folders, no hidden files). An existing file of
    the same name is replaced.
    """
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    stem = _NAME_SAFE.sub("_", name.removesuffix(".eml")).strip("._")[:120] or "message"
    target = outbox / f"{stem}.eml"
    data = message if isinstance(message, bytes) else message_bytes(message)
    fd, tmp = tempfile.mkstemp(dir=outbox, prefix=f".{stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


# --- sending --------------------------------------------------------------------------------------------------


class SmtpSender:
    """One SMTP connection for a batch of messages: ``with SmtpSender(settings) as smtp: smtp.send(msg)``.

    Entering connects (TLS as configured, certificate verified) and logs in when a user is set; `send` sends
    one message; leaving says QUIT. Every failure is a `SendError`.
    """

    def __init__(self, settings: MailSettings) -> None:
        if not settings.host:
            raise InvalidInput(
                "no SMTP server: set `host` in the [mail] settings or ARCTL_SMTP_HOST", field="host"
            )
        settings.from_address  # noqa: B018 - refuses early when From is missing
        if settings.user and not settings.password:
            raise InvalidInput(
                f"no password for SMTP user {settings.user!r}: set ARCTL_SMTP_PASSWORD or store it in the "
                f"keyring (service {KEYRING_SERVICE!r})",
                field="password",
            )
        if settings.user and settings.security == "none" and not _is_loopback(settings.host):
            raise InvalidInput(
                "refusing to send the SMTP password unencrypted; use security = starttls or ssl",
                field="security",
            )
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        self._connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: Message) -> None:
        """Send one message (envelope from its From/To headers); SendError when the server refuses it."""
        if self._smtp is None:
            self._connect()
        smtp = cast(smtplib.SMTP, self._smtp)
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            self._smtp = None  # the next send reconnects
            raise SendError(self._reason("the server closed the connection", exc)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(self._reason("the server refused the message", exc)) from None
        if refused:
            who = ", ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in sorted(refused.items()))
            raise SendError(f"some recipients were refused: {who}")

    def close(self) -> None:
        """QUIT and close; errors on the way out are ignored."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            with contextlib.suppress(OSError):
                smtp.close()

    def _connect(self) -> None:
        s = self.settings
        where = f"{s.host}:{s.port}"
        host = cast(str, s.host)
        smtp: smtplib.SMTP | None = None
        try:
            context = _tls_context(s.cafile)
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.ehlo()
                    smtp.starttls(context=context)
                    smtp.ehlo()
            if s.user:
                smtp.login(s.user, cast(str, s.password))
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            raise SendError(self._reason(f"login to {where} as {s.user!r} refused", exc)) from None
        except smtplib.SMTPNotSupportedError as exc:
            _close_quietly(smtp)
            raise SendError(self._reason(f"{where} does not support what is configured", exc)) from None
        except ssl.SSLCertVerificationError as exc:
            _close_quietly(smtp)
            raise SendError(f"cannot connect to {where}: certificate not trusted ({exc.verify_message})") from None
        except (smtplib.SMTPException, OSError) as exc:
            _close_quietly(smtp)
            raise SendError(self._reason(f"cannot connect to {where}", exc)) from None
        self._smtp = smtp

    def _reason(self, what: str, exc: BaseException) -> str:
        """A short reason, scrubbed of the password whatever the server or library echoed."""
        if isinstance(exc, smtplib.SMTPResponseException):
            detail = _reply(exc.smtp_code, exc.smtp_error)
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            detail = "; ".join(f"{a}: {_reply(c, t)}" for a, (c, t) in sorted(exc.recipients.items()))
        elif isinstance(exc, socket.timeout | TimeoutError):
            detail = "timed out"
        else:
            detail = str(exc) or type(exc).__name__
        reason = f"{what}: {detail}"
        if self.settings.password:
            reason = reason.replace(self.settings.password, "***")
        return reason


def _tls_context(cafile: str | None) -> ssl.SSLContext:
    """Verification on, hostnames checked; the system CAs plus `cafile`."""
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {clean_header_text(message)}"[:200]


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(Exception):
            smtp.close()


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
