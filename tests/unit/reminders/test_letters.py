"""The reminder templates: every shipped template renders, 大写金额 in Chinese letters, user overrides, and a
sandbox that user templates cannot escape."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from arctl.domain.errors import InvalidInput
from arctl.reminders import letters
from arctl.reminders.letters import SHIPPED_DIR, Rendered, Templates

SECRET = "planted-secret-7f3a9c"
LETTERS = {"demand", "lawyer", "statement"}


def policy_templates() -> set[str]:
    data = tomllib.loads((SHIPPED_DIR.parent / "default_policy.toml").read_text(encoding="utf-8"))
    return {step["template"] for ladder in data["ladders"].values() for step in ladder["steps"]}


def item(invoice: str, minor: int, currency: str = "CNY", days_late: int = 30, fee: int = 0, **extra: Any) -> dict:
    return {
        "invoice": invoice, "seq": 1, "kind": "regular", "contract": None, "due_on": date(2026, 10, 24),
        "days_late": days_late, "open_minor": minor, "currency": currency, "fee_minor": fee, "step_key": "demand",
        **extra,
    }  # fmt: skip


def context(language: str = "zh", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer": {"code": "SZHT", "name": "深圳华通电子有限公司", "address": "深圳市南山区科技园南路 88 号"},
        "contact": {"name": "王丽", "email": "wangli@huatong.example.cn", "phone": "0755-8888 1234"},
        "company": {
            "name": "上海明远机械有限公司", "address": "上海市浦东新区张江路 100 号", "phone": "021-5080 1234",
            "email": "ar@mingyuan.example.com", "bank": "中国工商银行上海张江支行", "account": "1001234567890123456",
        },
        "step": {"key": "demand", "title": "Formal demand letter / 催款函", "channel": "letter", "offset_days": 45},
        "as_of": date(2026, 11, 23),
        "language": language,
        "reference": "R-20261123-0042",
        "items": [
            item("INV-2026-0101", 12_345_60, days_late=54, fee=50_00, seq=1, kind="progress", contract="HT-2026-07"),
            item("INV-2026-0102", 5, days_late=-7, seq=2, kind="retention"),
            item("INV-2026-0120", 2_500_00, "USD", days_late=39, contract="C-88"),
        ],
        "totals": [{"currency": "CNY", "minor": 12_345_65}, {"currency": "USD", "minor": 2_500_00}],
        "fees": [{"currency": "CNY", "minor": 50_00}],
    }  # fmt: skip
    base.update(overrides)
    return base


def shipped() -> list[tuple[str, str]]:
    return [(name, language) for name, language, source in Templates().available() if source == "shipped"]


def test_every_policy_template_and_the_statement_is_shipped_in_both_languages() -> None:
    expected = {(name, lang) for name in policy_templates() | {"statement"} for lang in ("zh", "en")}
    assert expected <= set(shipped())


@pytest.mark.parametrize(("name", "language"), shipped())
def test_shipped_template_renders(name: str, language: str) -> None:
    ctx = context(language)
    out = Templates().render(name, language, ctx)
    assert isinstance(out, Rendered)
    assert out.subject and "\n" not in out.subject and out.subject == out.subject.strip()
    assert ctx["reference"] in out.subject + out.text
    for it in ctx["items"]:
        assert it["invoice"] in out.text
    want_dates = (
        ("2026年10月24日", "2026年11月23日") if language == "zh" else ("24 October 2026", "23 November 2026")
    )
    assert all(d in out.text for d in want_dates)
    if language == "zh":
        assert "人民币壹万贰仟叁佰肆拾伍元陆角伍分（￥12,345.65）" in out.text
        assert "USD 2,500.00" in out.text and "逾期 54 天" in out.text
    else:
        assert "CNY 12,345.65" in out.text and "USD 2,500.00" in out.text and "54 days overdue" in out.text
    assert "{{" not in out.text and "{%" not in out.text
    if name in LETTERS:
        assert out.html is not None and out.html.startswith("<!DOCTYPE html>")
        assert "size: A4" in out.html and "INV-2026-0120" in out.html and "12,345.60" in out.html
        assert "1001234567890123456" in out.html  # the bank account to pay into
    else:
        assert out.html is None
    if name == "fee-notice":
        assert ("人民币伍拾元整（￥50.00）" if language == "zh" else "CNY 50.00") in out.text


@pytest.mark.parametrize(
    ("minor", "capitals"),
    [(5, "伍分"), (10_00, "壹拾元整"), (100_000_000_01, "壹亿元零壹分"), (1_001_10, "壹仟零壹元壹角")],
)
@pytest.mark.parametrize("name", sorted(LETTERS))
def test_zh_letters_write_the_amount_in_capitals(name: str, minor: int, capitals: str) -> None:
    from arctl.domain.money import format_amount

    ctx = context("zh", items=[item("INV-1", minor)], totals=[{"currency": "CNY", "minor": minor}], fees=[])
    out = Templates().render(name, "zh", ctx)
    full = f"人民币{capitals}（￥{format_amount(minor, 'CNY', grouping=True)}）"
    assert full in out.text
    assert out.html is not None and full in out.html


def test_filters() -> None:
    env = letters._environment(None)
    render = lambda src, **kw: env.from_string(src).render(**kw)  # noqa: E731
    assert render("{{ 1234560|money('CNY') }} {{ 12345|money('JPY') }} {{ 1234567|money('KWD') }}") == (
        "12,345.60 12,345 1,234.567"
    )
    assert render("{{ money(-5, 'USD') }}") == "-0.05"
    assert render("{{ 10000000001|capitals }}") == "壹亿元零壹分"
    d = date(2026, 11, 3)
    assert render("{{ d|longdate }}|{{ d|longdate('en') }}", d=d, language="zh") == "2026年11月3日|3 November 2026"
    assert render("{{ d|add_days(30)|isodate }}", d=d) == "2026-12-03"
    assert render("{{ 1|lateness }}/{{ 0|lateness }}/{{ -3|lateness }}", language="en") == (
        "1 day overdue/due today/due in 3 days"
    )
    assert render("{{ 1234560|amount('CNY') }}", language="zh") == "￥12,345.60"
    assert render("{{ 1234560|amount('CNY') }}", language="en") == "CNY 12,345.60"
    assert render("{{ 'retention'|kind }}", language="zh") == "质保金"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_folder_overrides_one_template_and_falls_back_for_the_others(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    path = write(
        user, "reminder_friendly.en.txt.j2", "Subject: Hello {{ customer.code }}\n\nPay {{ reference }}.\n"
    )
    templates = Templates(user)
    out = templates.render("friendly", "en", context("en"))
    assert out.subject == "Hello SZHT" and out.text == "Pay R-20261123-0042.\n"
    assert "According to our records" in templates.render("overdue", "en", context("en")).text
    assert "您好" in templates.render("friendly", "zh", context("zh")).text  # zh not overridden
    rows = {(t, lang): source for t, lang, source in templates.available()}
    assert rows[("friendly", "en")] == f"user: {path}"
    assert rows[("friendly", "zh")] == "shipped" and rows[("overdue", "en")] == "shipped"


def test_user_template_may_add_a_name_and_reuse_shipped_partials(tmp_path: Path) -> None:
    write(tmp_path, "reminder_courtesy.zh.txt.j2", 'Subject: 提示\n{% include "_items.zh.txt.j2" %}\n')
    out = Templates(tmp_path).render("courtesy", "zh", context())
    assert "INV-2026-0101" in out.text and out.html is None
    assert ("courtesy", "zh", f"user: {tmp_path / 'reminder_courtesy.zh.txt.j2'}") in Templates(
        tmp_path
    ).available()


def test_missing_template_names_template_language_and_folders(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as err:
        Templates(tmp_path).render("nonesuch", "en", context("en"))
    message = str(err.value)
    assert "nonesuch" in message and "en" in message and str(tmp_path) in message and str(SHIPPED_DIR) in message


@pytest.mark.parametrize("name", ["../../etc/passwd", "../x", "Friendly", "", "a/b", "x" * 41, "_letter"])
def test_bad_template_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="template name"):
        Templates().render(name, "en", context("en"))


def test_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidInput, match="language"):
        Templates().render("friendly", "fr", context("en"))


def test_undefined_field_names_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: x\n\nHello {{ customer.name }}\n{{ customer.nickname }}\n")
    with pytest.raises(InvalidInput) as err:
        Templates(tmp_path).render("x", "en", context("en"))
    assert re.search(r"reminder_x\.en\.txt\.j2:4: .*nickname", str(err.value))


def test_missing_context_key_fails_in_a_shipped_template() -> None:
    ctx = context("en")
    del ctx["company"]
    with pytest.raises(InvalidInput, match=r"reminder_friendly\.en\.txt\.j2|_.*\.en\.txt\.j2"):
        Templates().render("friendly", "en", ctx)


def test_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: x\n\n{% if %}\n")
    with pytest.raises(InvalidInput, match=r"reminder_x\.en\.txt\.j2:3: template error"):
        Templates(tmp_path).render("x", "en", context("en"))


def test_text_template_without_subject_line_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", "Dear customer\n")
    with pytest.raises(InvalidInput, match="Subject"):
        Templates(tmp_path).render("x", "en", context("en"))


def test_missing_include_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", 'Subject: x\n{% include "_nope.j2" %}\n')
    with pytest.raises(InvalidInput, match=r"_nope\.j2"):
        Templates(tmp_path).render("x", "en", context("en"))


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ lipsum.func_globals }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ config }}",
    "{{ config.items() }}",
    "{{ request.environ }}",
    "{{ range(10**9)|list }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ 10**100000000 }}",
    "{{ 'x' * 10**9 }}",
    "{{ customer|attr('__class__') }}",
    "{{ (customer.items|first).__self__ }}",
    "{{ ''.format.__globals__ }}",
    "{{ '{0.__class__.__mro__}'.format(customer) }}",
    "{{ as_of.__class__.__init__.__globals__ }}",
    "{{ money.__globals__['os'].environ }}",
    # padding widths: each of these would build hundreds of megabytes
    "{{ 'x'|center(10**8) }}",
    "{{ 'ab'.ljust(10**8) }}",
    "{{ 'ab'.rjust(width=10**8) }}",
    "{{ '7'.zfill(10**8) }}",
    "{{ 'a\tb'.expandtabs(10**8) }}",
    "{{ 'x'|indent(10**8, true) }}",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_escapes_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expression: str) -> None:
    monkeypatch.setenv("ARCTL_SMTP_PASSWORD", SECRET)
    write(tmp_path, "reminder_x.en.txt.j2", f"Subject: x\n\n{expression}\n")
    with pytest.raises(InvalidInput) as err:
        Templates(tmp_path).render("x", "en", context("en"))
    assert "reminder_x.en.txt.j2:3: template error" in str(err.value)
    assert SECRET not in str(err.value) and SECRET not in repr(err.value.__cause__)


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_escapes_fail_in_html_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    monkeypatch.setenv("ARCTL_SMTP_PASSWORD", SECRET)
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: x\n\nbody\n")
    write(tmp_path, "reminder_x.en.html.j2", f"<p>\n{expression}</p>\n")
    with pytest.raises(InvalidInput) as err:
        Templates(tmp_path).render("x", "en", context("en"))
    assert "reminder_x.en.html.j2:2: template error" in str(err.value) and SECRET not in str(err.value)


def test_html_letters_escape_customer_data_and_text_keeps_it() -> None:
    evil = "<script>alert(1)</script>"
    ctx = context("en", customer={"code": "X", "name": evil, "address": '"><img src=x onerror=alert(1)>'})
    out = Templates().render("demand", "en", ctx)
    assert out.html is not None
    assert "<script>" not in out.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in out.html
    assert "<img" not in out.html
    assert evil in out.text


def test_subject_is_one_line_whatever_the_data(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: To {{ customer.name }} \u2028end\n\nbody\n")
    ctx = context("en", customer={"code": "X", "name": "Acme\r\nBcc: evil@x.com\x00\t", "address": ""})
    out = Templates(tmp_path).render("x", "en", ctx)
    assert out.subject == "To Acme Bcc: evil@x.com end"


def test_contact_may_be_missing() -> None:
    for name, language in shipped():
        out = Templates().render(name, language, context(language, contact=None))
        assert "INV-2026-0101" in out.text


def test_environment_is_cached_per_user_folder(tmp_path: Path) -> None:
    assert Templates(tmp_path)._env is Templates(tmp_path)._env
    assert Templates()._env is not Templates(tmp_path)._env


# --- includes compiled into the including template (speed) must not change a thing -----------------------


def exact(name: str, language: str, ctx: dict[str, Any], folder: Path | None = None) -> Rendered:
    """What the template gives when rendered with includes as includes (the plain Jinja2 way)."""
    templates = Templates(folder)
    return templates._render(templates._exact, name, language, ctx)


@pytest.mark.parametrize(("name", "language"), shipped())
def test_inlined_includes_render_exactly_like_includes(name: str, language: str) -> None:
    for ctx in (context(language), context(language, contact=None, fees=[], items=context()["items"][:1])):
        assert Templates().render(name, language, ctx) == exact(name, language, ctx)


def test_inlined_partial_keeps_its_own_scope_and_autoescaping(tmp_path: Path) -> None:
    write(tmp_path, "_part.en.txt.j2", "{% set who = 'partial' %}[{{ who }}|{{ customer.name }}]")
    write(tmp_path, "_part.html.j2", "<b>{{ customer.name }}</b>")
    write(tmp_path, "reminder_x.en.txt.j2",
          'Subject: x\n{% set who = "parent" %}{% include "_part.en.txt.j2" %} {{ who }}\n'
          '{% for it in items %}{% include "_part.en.txt.j2" %}{{ loop.index }}{% endfor %}\n')  # fmt: skip
    write(tmp_path, "reminder_x.en.html.j2", '<p>{% include "_part.html.j2" %}</p>')
    ctx = context("en", customer={"code": "X", "name": "<A&B>", "address": ""})
    out = Templates(tmp_path).render("x", "en", ctx)
    assert out == exact("x", "en", ctx, tmp_path)
    assert "[partial|<A&B>] parent" in out.text  # the partial's set stays inside it
    assert out.html == "<p><b>&lt;A&amp;B&gt;</b></p>\n"  # escaped as the HTML partial it is


def test_error_inside_an_inlined_partial_names_the_partial(tmp_path: Path) -> None:
    write(tmp_path, "_part.en.txt.j2", "line one\n{{ customer.nickname }}\n")
    write(tmp_path, "reminder_x.en.txt.j2", 'Subject: x\n\n\n\n{% include "_part.en.txt.j2" %}\n')
    with pytest.raises(InvalidInput) as err:
        Templates(tmp_path).render("x", "en", context("en"))
    assert re.search(r"_part\.en\.txt\.j2:2: .*nickname", str(err.value))


def test_include_cycle_is_left_to_jinja(tmp_path: Path) -> None:
    write(tmp_path, "_a.j2", '{% if items %}a{% include "_a.j2" %}{% endif %}')
    write(tmp_path, "reminder_x.en.txt.j2", 'Subject: x\n{% include "_a.j2" %}\n')
    with pytest.raises(InvalidInput):  # recursion without end: refused, not a hang
        Templates(tmp_path).render("x", "en", context("en"))


def test_dict_keys_are_fields_even_when_named_like_dict_methods(tmp_path: Path) -> None:
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: x\n{{ customer.items }} {{ customer.code }}\n")
    ctx = context("en", customer={"code": "X", "name": "n", "address": "", "items": "the field"})
    assert Templates(tmp_path).render("x", "en", ctx).text == "the field X\n"
