"""Reminder messages, call sheets and letters rendered from Jinja2 templates that users may replace.

Why a sandbox: templates live in a user folder and are edited by whoever runs the collections desk, so a
template must not reach Python internals (``''.__class__.__mro__``, ``cycler.__init__.__globals__``...) and,
through them, the environment (SMTP password, database URL). Only `jinja2.sandbox.SandboxedEnvironment` stops
that. `StrictUndefined` makes a misspelt field an error instead of an empty string in a letter sent to a
customer. HTML templates are autoescaped (a customer called ``<script>`` prints as text); text templates are
not (plain text has nothing to escape). Every failure (missing template, syntax error, undefined field,
refused attribute, refused operation) becomes `InvalidInput` naming the template file and line.

Files (looked up in the user folder first, then in the shipped ``arctl/reminders/templates/``, file by file):

- ``reminder_<template>.<lang>.txt.j2`` (required): the first line is ``Subject: ...``, the rest the plain-text
  body (the email, or the task sheet for phone/visit/legal steps, or the text version of a letter);
- ``reminder_<template>.<lang>.html.j2`` (optional; shipped for the letters demand, lawyer and statement): a
  printable HTML document. It sees the same context plus ``subject``;
- ``_*.j2``: partials included or extended by the above (``_letter.<lang>.html.j2`` the A4 letter layout,
  ``_items.<lang>.txt.j2`` the item list...). A user may override them too.

``<template>`` is a ladder step's template name (``[a-z][a-z0-9_-]{0,39}``), ``<lang>`` is ``zh`` or ``en``.

Context (plain values; see `Templates.render`): ``customer`` {code, name, address}, ``contact`` {name, email,
phone} or None, ``company`` {name, address, phone, email, bank, account}, ``step`` {key, title, channel,
offset_days}, ``as_of`` (date), ``language``, ``reference``, ``items`` [{invoice, seq, kind, contract,
due_on, days_late, open_minor, currency, fee_minor, step_key}], ``totals`` [{currency, minor}], ``fees``
[{currency, minor}].

Filters (each also a global function of the same name, so ``money(x, "CNY")`` and ``x|money("CNY")`` agree):

- ``money(minor, currency)`` → ``12,345.60`` (figures with grouping; JPY 0 decimals, KWD 3);
- ``amount(minor, currency)`` → ``￥12,345.60`` for renminbi in a zh template, else ``USD 1,234.00``;
- ``capitals(minor, currency="CNY")`` → ``壹万贰仟叁佰肆拾伍元陆角`` (大写金额; renminbi only);
- ``amount_full(minor, currency)`` → in zh for renminbi ``人民币壹万贰仟叁佰肆拾伍元陆角（￥12,345.60）``,
  otherwise like ``amount``: the form formal letters use;
- ``longdate(d, language=None)`` → ``2026年11月23日`` / ``23 November 2026`` (language defaults to the
  context's); ``isodate(d)`` → ``2026-11-23``;
- ``add_days(d, n)`` → the date n days later (deadlines: ``as_of|add_days(10)|longdate``);
- ``lateness(days_late, language=None)`` → ``逾期 12 天`` / ``12 days overdue``, ``今日到期`` / ``due today``,
  ``还有 3 天到期`` / ``due in 3 days``;
- ``one_line(text)`` → control characters and line breaks as spaces (applied to the Subject line for you);
- ``kind(kind, language=None)`` → installment kind in words: deposit 预付款, progress 进度款, final 尾款,
  retention 质保金, regular 货款 (en: deposit, progress payment, final payment, retention, payment).

Besides the sandbox, ``**`` and ``*`` are checked so that ``10**10**10`` or ``'x' * 10**9`` cannot exhaust
memory, and ``range()`` is capped by Jinja2 at 100,000 items.
"""

from __future__ import annotations

import functools
import pathlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import jinja2
from jinja2 import nodes, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

from arctl.domain.capitals import amount_in_capitals
from arctl.domain.errors import ArctlError, InvalidInput
from arctl.domain.money import format_amount, normalize_currency, require_minor

LANGUAGES: tuple[str, ...] = ("zh", "en")
TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
"""A ladder step's template name (the same rule as `policy.NAME`): safe inside a file name."""
SHIPPED_DIR = pathlib.Path(__file__).with_name("templates")
"""The templates shipped in the package (the wheel includes everything under src/arctl)."""
_FILE = re.compile(r"^reminder_(?P<template>[a-z][a-z0-9_-]{0,39})\.(?P<language>zh|en)\.(?P<kind>txt|html)\.j2$")
_SUBJECT = re.compile(r"^subject:[ \t]?", re.IGNORECASE)
_SUBJECT_SOURCE = re.compile(r"\A(\s*subject:[ \t]?)([^\r\n]*)", re.IGNORECASE)
_RENMINBI = frozenset({"CNY", "CNH"})
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_KINDS = {
    "zh": {"deposit": "预付款", "progress": "进度款", "final": "尾款", "retention": "质保金", "regular": "货款"},
    "en": {"deposit": "deposit", "progress": "progress payment", "final": "final payment",
           "retention": "retention", "regular": "payment"},
}  # fmt: skip
_CURRENCY_ZH = {"USD": "美元", "EUR": "欧元", "HKD": "港币", "JPY": "日元", "GBP": "英镑"}
_MAX_SEQUENCE = 1_000_000
"""Longest string or list a template may build with ``*``."""
_MAX_POWER_BITS = 4_096
"""Largest result of ``**`` a template may compute, in bits."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendered message, task sheet or letter."""

    subject: str
    """One line: control characters and line breaks collapsed to spaces, stripped."""
    text: str
    """The plain-text body (the email, the call/visit task sheet, the text version of a letter)."""
    html: str | None
    """A printable HTML document (letters), or None when the template has no HTML part."""


class Templates:
    """The reminder templates: a user folder (overrides, optional) over the shipped ones."""

    def __init__(self, user_dir: pathlib.Path | None = None) -> None:
        self.user_dir = pathlib.Path(user_dir).expanduser().resolve() if user_dir is not None else None
        if self.user_dir is not None and self.user_dir.exists() and not self.user_dir.is_dir():
            raise InvalidInput(f"the templates folder {self.user_dir} is not a folder", field="templates")
        self._env = _environment(self.user_dir, inline=True)
        self._exact = _environment(self.user_dir)
        """Without inlined includes: loads and renders again whatever failed, for the error's file and line."""
        self._absent: set[str] = set()
        """Optional files (the .html part of an email) known not to exist: Jinja caches only the templates it
        found, so each render would search the folders again (a stat and an exception per message)."""

    @property
    def folders(self) -> list[pathlib.Path]:
        """Where templates are looked for, in order."""
        return [*([self.user_dir] if self.user_dir is not None else []), SHIPPED_DIR]

    def render(self, template: str, language: str, context: Mapping[str, Any]) -> Rendered:
        """Render `template` in `language` over `context` (see the module docstring for its keys).

        Raises `InvalidInput` for a bad name or language, a missing template (naming the folders searched)
        and any template error (naming the file and line).
        """
        _check_name(template, language)
        try:
            return self._render(self._env, template, language, context)
        except InvalidInput:
            # the same again without inlined includes: raises the error with its own file and line
            self._render(self._exact, template, language, context)
            raise

    def _render(self, env: _Sandbox, template: str, language: str, context: Mapping[str, Any]) -> Rendered:
        base = f"reminder_{template}.{language}"
        values = {**context, "language": language}
        text_template = self._load(env, f"{base}.txt.j2", template, language)
        subject, text = _split_subject(_render(text_template, values), text_template)
        html_template = self._load(env, f"{base}.html.j2", template, language, required=False)
        html = None
        if html_template is not None:
            html = _render(html_template, {**values, "subject": subject}).strip() + "\n"
        return Rendered(subject=subject, text=text, html=html)

    def available(self) -> list[tuple[str, str, str]]:
        """(template, language, "shipped" | "user: PATH") for every template found, sorted."""
        found: dict[tuple[str, str], str] = {}
        for folder, is_user in ((SHIPPED_DIR, False), (self.user_dir, True)):
            if folder is None or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                match = _FILE.match(path.name)
                if match and path.is_file():
                    key = (match["template"], match["language"])
                    if not is_user:
                        found.setdefault(key, "shipped")
                    elif match["kind"] == "txt" or not found.get(key, "").startswith("user: "):
                        found[key] = f"user: {path}"  # the text file names the override when both exist
        return sorted((template, language, source) for (template, language), source in found.items())

    def _load(
        self, env: _Sandbox, name: str, template: str, language: str, *, required: bool = True
    ) -> jinja2.Template | None:
        if not required and name in self._absent:
            return None
        try:
            return env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            if exc.name != name:  # an include or extends inside the template is missing
                raise InvalidInput(f"includes {exc.name!r}, which does not exist", file=name) from None
            if not required:
                self._absent.add(name)
                return None
            folders = ", ".join(str(f) for f in self.folders)
            raise InvalidInput(
                f"no {language} template {template!r}: looked for {name} in {folders}", field="template"
            ) from None
        except Exception as exc:
            raise _template_error(exc, name) from exc


def _check_name(template: str, language: str) -> None:
    if not isinstance(template, str) or not TEMPLATE_NAME.match(template):
        raise InvalidInput(
            f"{template!r} is not a template name (lower-case letters, digits, '-' and '_')", field="template"
        )
    if language not in LANGUAGES:
        raise InvalidInput(f"{language!r} is not a template language; use zh or en", field="language")


def _render(template: jinja2.Template, values: Mapping[str, Any]) -> str:
    """`template.render(values)`, minus copying the globals out of their ChainMap on every call (a sixth of
    rendering a short email): the context is the globals, flattened once per template, under the values."""
    try:
        try:
            context = template.new_context({**_flat_globals(template), **values}, shared=True)
            return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]
        except Exception:
            template.environment.handle_exception()  # re-raises with the template's file and line in the traceback
    except Exception as exc:  # anything a template does wrong is the template's (or the context's) fault
        raise _template_error(exc, template.name or "<template>") from exc


@functools.lru_cache(maxsize=256)
def _flat_globals(template: jinja2.Template) -> dict[str, Any]:
    return dict(template.globals)


def _template_error(exc: BaseException, name: str) -> InvalidInput:
    """Turn whatever a template raised into InvalidInput FILE:LINE: reason."""
    file, line = name, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file, line = exc.filename or exc.name or name, exc.lineno
    else:
        tb = exc.__traceback__
        while tb is not None:  # Jinja2 rewrites template frames to point at the template file and line
            if tb.tb_frame.f_code.co_filename.endswith(".j2"):
                file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        reason = f"includes or extends {exc.name!r}, which does not exist"
    elif isinstance(exc, SecurityError):
        reason = f"not allowed in a template: {exc}"
    elif isinstance(exc, ArctlError):
        reason = exc.reason
    elif isinstance(exc, jinja2.TemplateError):
        reason = exc.message or type(exc).__name__
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return InvalidInput(f"template error: {reason}", file=str(file), row=line)


def _split_subject(rendered: str, template: jinja2.Template) -> tuple[str, str]:
    """The first line "Subject: ..." → the subject; the rest, tidied, is the body."""
    first, _, rest = rendered.lstrip("\r\n").partition("\n")
    if not _SUBJECT.match(first):
        raise InvalidInput("a text template must start with a line 'Subject: ...'", file=template.filename, row=1)
    return one_line(_SUBJECT.sub("", first)), _tidy(rest)


def one_line(text: str) -> str:
    """Control characters, line and paragraph separators → spaces; runs of spaces → one; stripped."""
    if text.isprintable():  # the usual case: no control, format or separator characters but the space
        return " ".join(text.split())
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return " ".join(cleaned.split())


def _tidy(text: str) -> str:
    """No trailing spaces, no runs of blank lines, no blank lines at either end, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return body + "\n" if body else ""


# --- the environment -----------------------------------------------------------------------------------------


class _SubjectLine(Extension):
    """Wraps the first line of a text template, ``Subject: ...``, in ``{% filter one_line %}``.

    So a line break inside a value (a customer name with a CR/LF) stays in the subject, as a space, instead
    of ending it and pushing the rest into the body. Line numbers are unchanged.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        match = _FILE.match(name or "")
        if not match or match["kind"] != "txt":
            return source
        return _SUBJECT_SOURCE.sub(r"\1{% filter one_line %}\2{% endfilter +%}", source, count=1)


class _Sandbox(SandboxedEnvironment):
    """The Jinja2 sandbox, plus limits on ``**``, ``*`` and padding widths (memory exhaustion).

    With `inline` set, plain ``{% include "name" %}`` tags are compiled into the including template (see
    `_Inliner`): a run renders thousands of messages, each with four or five partials, and an include costs a
    template lookup and a new context every time (about a third of the rendering time). Line numbers in
    errors then belong to the wrong file, so `Templates.render` reports errors from an environment without it.
    """

    intercepted_binops = frozenset({"**", "*"})
    inline = False

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The context is made of plain dicts: ``item.invoice`` finds the key at once instead of failing a
        # getattr() first (an exception per access). A key therefore wins over a dict method of the same name.
        if type(obj) is dict:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.inline:
            _Inliner(self, (name,)).visit(tree)
        return tree

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "__name__", "") in _PADDING and isinstance(getattr(__obj, "__self__", None), str):
            _check_width(*args, *kwargs.values())
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
            return left**right
        if operator == "*":
            _check_repeat(left, right)
            return left * right
        return super().call_binop(context, operator, left, right)


class _Inliner(NodeTransformer):
    """Replaces ``{% include "name" %}`` (a literal name, with context, not ``ignore missing``) by the body of
    that partial, in a scope of its own (its ``set`` stays inside, as with an include) and with its own
    autoescaping. Partials that extend, define blocks or macros, or import are left as includes, and so is a
    missing one (the include then fails as it always did) and an include cycle."""

    def __init__(self, env: _Sandbox, stack: tuple[str | None, ...]) -> None:
        self.env, self.stack = env, stack

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        target = node.template
        if not (isinstance(target, nodes.Const) and isinstance(target.value, str)):
            return node
        name = target.value
        if not node.with_context or node.ignore_missing or name in self.stack or len(self.stack) > 8:
            return node
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return node
        partial = SandboxedEnvironment._parse(self.env, source, name, filename)
        if partial.find((nodes.Extends, nodes.Block, nodes.Macro, nodes.Import, nodes.FromImport)):
            return node
        _Inliner(self.env, (*self.stack, name)).visit(partial)
        body: list[nodes.Node] = [nodes.Scope(partial.body, lineno=node.lineno)]
        escape = self.env.autoescape(name) if callable(self.env.autoescape) else self.env.autoescape
        option = nodes.Keyword("autoescape", nodes.Const(bool(escape)), lineno=node.lineno)
        inlined = nodes.ScopedEvalContextModifier([option], body, lineno=node.lineno)
        inlined.set_environment(self.env)
        return inlined


_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
"""String methods whose first argument is an output width: ``"x".ljust(10**8)`` builds 100 MB."""


def _check_width(*values: Any) -> None:
    if any(isinstance(v, int) and v > _MAX_SEQUENCE for v in values):
        raise SecurityError("a width that large would exhaust memory")


def _limited(original: Callable[..., Any]) -> Callable[..., Any]:
    """A padding filter (center, indent) with its width checked first."""

    @functools.wraps(original)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_width(*args, *kwargs.values())
        return original(value, *args, **kwargs)

    return checked


def _check_power(left: Any, right: Any) -> None:
    big = isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
    if big and abs(left).bit_length() * right > _MAX_POWER_BITS:
        raise SecurityError("the result of ** would be too large")


def _check_repeat(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > _MAX_SEQUENCE:
            raise SecurityError("the result of * would be too long")


@functools.lru_cache(maxsize=16)
def _environment(user_dir: pathlib.Path | None, inline: bool = False) -> _Sandbox:
    """One environment (and template cache) per user folder, and per choice of inlining includes."""
    folders = [str(user_dir)] if user_dir is not None else []
    env = _Sandbox(
        loader=jinja2.FileSystemLoader([*folders, str(SHIPPED_DIR)], encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[_SubjectLine],
        # One run renders thousands of messages from a dozen files: without this, every render and every
        # include stats its file to see whether it changed (a fifth of a run's rendering time).
        auto_reload=False,
    )
    functions: dict[str, Callable[..., Any]] = {
        "money": money,
        "amount": amount,
        "capitals": capitals,
        "amount_full": amount_full,
        "longdate": longdate,
        "isodate": isodate,
        "lateness": lateness,
        "kind": kind,
        "add_days": add_days,
        "one_line": one_line,
    }
    env.filters.update(functions)
    for name in ("center", "indent"):
        env.filters[name] = _limited(env.filters[name])
    env.inline = inline
    env.globals.update(functions)
    return env


# --- filters --------------------------------------------------------------------------------------------------


def money(minor: int, currency: str) -> str:
    """Minor units → "12,345.60" in the currency's decimals."""
    return format_amount(require_minor(minor), normalize_currency(currency), grouping=True)


@pass_context
def amount(context: Context, minor: int, currency: str) -> str:
    """ "￥12,345.60" (renminbi in a zh template) or "USD 1,234.00"."""
    code = normalize_currency(currency)
    if code in _RENMINBI and context.get("language") == "zh":
        return ("-￥" if minor < 0 else "￥") + money(abs(minor), code)
    return f"{code} {money(minor, code)}"


def capitals(minor: int, currency: str = "CNY") -> str:
    """大写金额 of a renminbi amount: 壹万贰仟叁佰肆拾伍元陆角."""
    return amount_in_capitals(require_minor(minor), currency)


@pass_context
def amount_full(context: Context, minor: int, currency: str) -> str:
    """In zh: 人民币<大写>（￥figures） for renminbi, 美元 1,234.00 otherwise; in en like `amount`."""
    code = normalize_currency(currency)
    if context.get("language") != "zh":
        return amount(context, minor, code)
    if code in _RENMINBI:
        return f"人民币{capitals(minor, code)}（{amount(context, minor, code)}）"
    return f"{_CURRENCY_ZH.get(code, code)} {money(minor, code)}"


def _language(context: Context, language: str | None) -> str:
    language = language or context.get("language") or "en"
    if language not in LANGUAGES:
        raise InvalidInput(f"{language!r} is not a template language; use zh or en", field="language")
    return language


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{value!r} is not a date", field="date")


@pass_context
def longdate(context: Context, value: Any, language: str | None = None) -> str:
    """2026年11月23日 (zh) / 23 November 2026 (en)."""
    d = _as_date(value)
    if _language(context, language) == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def add_days(value: Any, days: int) -> date:
    """The date `days` after `value` (a deadline: ``as_of|add_days(7)|longdate``)."""
    return _as_date(value) + timedelta(days=_whole(days))


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise InvalidInput(f"{value!r} is not a whole number", field="days")
    return value


def isodate(value: Any) -> str:
    """2026-11-23."""
    return _as_date(value).isoformat()


@pass_context
def lateness(context: Context, days_late: int, language: str | None = None) -> str:
    """How late an item is, in words: 逾期 12 天 / 12 days overdue, 今日到期 / due today, due in 3 days."""
    days = _whole(days_late)
    zh = _language(context, language) == "zh"
    if days > 0:
        return f"逾期 {days} 天" if zh else f"{days} day{'s' if days != 1 else ''} overdue"
    if days == 0:
        return "今日到期" if zh else "due today"
    return f"还有 {-days} 天到期" if zh else f"due in {-days} day{'s' if days != -1 else ''}"


@pass_context
def kind(context: Context, value: str, language: str | None = None) -> str:
    """An installment kind in words (unknown kinds are printed as given)."""
    return _KINDS[_language(context, language)].get(str(value), str(value))
