"""`arctl customer add|edit|contact|list|show` end to end: good input and bad, and how references resolve."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest

# Speed (the suite must stay fast): Typer rebuilds its click command tree on every CliRunner.invoke, and
# a new ledger runs the schema migrations. Build the command once, and start each test from a copy of an
# already-migrated empty ledger (or of a seeded one, see `seed`). What runs is still the real command.
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_ledger")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def hzjx(ok: Callable[..., str], seed) -> str:  # type: ignore[no-untyped-def]
    seed("hzjx", lambda: ok("customer", "add", "HZJX", "杭州精细机械有限公司", "--terms", "net45", "--credit-limit", "800000",
       "--grade", "b", "--tag", "Key", "--tag", "east", "--alias", "杭州精细", "--alias", "HZ Precision（中国）",
       "--address", "杭州市余杭区文一西路1号", "--notes", "资金紧张，付款慢",
       "--contact", "王丽华", "--role", "财务", "--email", "wanglh@example.cn", "--phone", "0571-88880000",
       "--channel", "wechat"))  # fmt: skip
    return "HZJX"


# ---------------------------------------------------------------- add / show


def test_the_dump_sees_every_write(ok, dump):
    """The `dump() == before` checks below mean something: a successful command does change it."""
    before = dump()
    ok("customer", "add", "X1", "某公司")
    after = dump()
    assert after != before
    ok("customer", "edit", "X1", "--grade", "c")
    assert dump() != after


def test_add_chinese_customer_and_show_every_detail(ok, hzjx):
    assert ok("customer", "show", "HZJX") == (
        "HZJX  杭州精细机械有限公司\n"
        "  language     zh\n"
        "  terms        net45\n"
        "  credit limit 800,000.00 CNY\n"
        "  grade        B\n"
        "  tags         east, key\n"
        "  aliases      杭州精细; HZ Precision（中国）\n"
        "  address      杭州市余杭区文一西路1号\n"
        "  contact      王丽华 · 财务 · wanglh@example.cn · 0571-88880000 · wechat/zh · primary\n"
        "  notes        资金紧张，付款慢  (confidential)\n"
        "  invoices     0\n"
    )


def test_add_prints_what_was_added(ok):
    assert ok("customer", "add", "SHXY", "上海新远贸易有限公司") == "added customer SHXY (上海新远贸易有限公司)\n"


def test_english_customer_contact_language_and_channel(ok):
    ok("customer", "add", "ACME", "Acme Trading Co.", "--language", "en", "--contact", "Ann Lee",
       "--email", "ann@example.com", "--channel", "Phone", "--credit-limit", "1,234.50", "--currency", "usd")  # fmt: skip
    out = ok("customer", "show", "ACME")
    assert "  language     en\n" in out
    assert "  terms        (net30 default)\n" in out
    assert "  credit limit 1,234.50 USD\n" in out
    assert "  contact      Ann Lee · ann@example.com · phone/en · primary\n" in out
    assert "notes" not in out


def test_contact_command_adds_a_second_non_primary_contact(ok, hzjx):
    out = ok("customer", "contact", "hzjx", "--name", "李明", "--role", "采购", "--phone", "13800000000",
             "--channel", "sms", "--language", "zh")  # fmt: skip
    assert out == "added contact 李明 to HZJX\n"
    ok("customer", "contact", "HZJX", "--name", "John Smith", "--email", "john@example.com", "--language", "en")
    contacts = [line for line in ok("customer", "show", "HZJX").splitlines() if line.startswith("  contact")]
    assert contacts == [
        "  contact      王丽华 · 财务 · wanglh@example.cn · 0571-88880000 · wechat/zh · primary",
        "  contact      李明 · 采购 · 13800000000 · sms/zh",
        "  contact      John Smith · john@example.com · email/en",
    ]


def test_first_contact_added_later_becomes_primary(ok):
    ok("customer", "add", "BJHX", "北京华信科技股份有限公司")
    assert "contact" not in ok("customer", "show", "BJHX")
    ok("customer", "contact", "BJHX", "--name", "陈静", "--email", "chen@example.cn")
    assert "  contact      陈静 · chen@example.cn · email/zh · primary\n" in ok("customer", "show", "BJHX")


def test_show_prints_open_balance_and_unapplied_cash(ok, hzjx):
    ok("invoice", "add", "HZJX", "INV-1", "1000.50", "--date", "2026-09-01")
    ok("payment", "add", "HZJX", "200", "--date", "2026-10-01", "--apply", "none")
    out = ok("customer", "show", "HZJX")
    assert "  invoices     1\n" in out
    assert "  open 2026-10-31: 1,000.50 CNY, unapplied 200.00 CNY\n" in out
    before_invoice = ok("customer", "show", "HZJX", "--as-of", "2026-08-31")
    assert "open 2026-08-31" not in before_invoice


# ---------------------------------------------------------------- add: refusals


def test_duplicate_code_is_refused_in_any_case_and_nothing_changes(cli, ok, hzjx, dump):
    before = dump()
    for code in ("HZJX", "hzjx"):
        result = cli("customer", "add", code, "另一家公司")
        refused(result, f"error: customer {code} already exists", "hint: use `arctl customer edit")
    assert dump() == before
    assert ok("customer", "show", "HZJX").startswith("HZJX  杭州精细机械有限公司\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bad code", "名字"), "error: code: 'bad code': use 1-32 letters"),
        (("-X", "名字"), None),  # an option-looking code is a usage error (exit 2)
        (("A" * 33, "名字"), "error: code: "),
        (("中文", "名字"), "error: code: '中文'"),
        (("OK1", "  "), "error: name: name is empty"),
        (
            ("OK1", "n", "--contact", "a", "--email", "not-an-email"),
            "error: email: 'not-an-email' is not an email",
        ),
        (("OK1", "n", "--contact", "a", "--email", "a@b"), "error: email: 'a@b' is not an email address"),
        (("OK1", "n", "--language", "fr"), "language: 'fr' is not one of: zh, en"),
        (("OK1", "n", "--contact", "a", "--channel", "fax"), "channel: 'fax' is not one of: email, phone"),
        (("OK1", "n", "--channel", "fax"), "channel: 'fax' is not one of: email, phone"),  # even with no contact
        (("OK1", "n", "--credit-limit", "12.345"), "error: credit_limit: '12.345' has more than 2 decimal"),
        (("OK1", "n", "--credit-limit", "abc"), "error: credit_limit: 'abc' is not an amount"),
        (("OK1", "n", "--credit-limit=-5"), "error: credit_limit: '-5' must not be negative"),
        (("OK1", "n", "--credit-limit", "1.5", "--currency", "JPY"), "has more than 0 decimal place(s) for JPY"),
        (("OK1", "n", "--currency", "XYZ"), "error: currency: unknown currency 'XYZ'"),
        (("OK1", "n", "--terms", "50% net30, 40% eom"), "error: terms: plan percentages add up to 90%, not 100%"),
        (("OK1", "n", "--terms", "net thirty"), "error: terms: cannot read 'net thirty'"),
        (
            ("OK1", "n", "--terms", "30% on signing, net30"),
            "error: terms: part 2 ('net30') must start with a percentage",
        ),
        (("OK1", "n", "--tag", "two words"), "error: tag: 'two words': tags are single words"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(cli, hzjx, dump, args, message):
    before = dump()
    result = cli("customer", "add", *args)
    if message is None:
        refused(result, code=2)
    else:
        refused(result, message)
    assert dump() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", "x", "--email", "nope"), "error: email: 'nope' is not an email address"),
        (("--name", "x", "--language", "de"), "error: language: 'de' is not one of: zh, en"),
        (("--name", "x", "--channel", "telegram"), "error: channel: 'telegram' is not one of"),
        (("--name", "   "), "error: contact: contact name is empty"),
    ],
)
def test_contact_refuses_bad_input(cli, hzjx, dump, args, message):
    before = dump()
    refused(cli("customer", "contact", "HZJX", *args), message)
    assert dump() == before


def test_contact_requires_a_name(cli, hzjx, dump):
    before = dump()
    refused(cli("customer", "contact", "HZJX", "--email", "a@example.com"), code=2)
    assert dump() == before


# ---------------------------------------------------------------- edit


def test_edit_changes_fields_tags_aliases_and_clears(ok, hzjx):
    out = ok("customer", "edit", "HZJX", "--name", "杭州精细机械股份有限公司", "--terms", "eom+30",
             "--credit-limit", "1000000.5", "--grade", "a", "--add-tag", "VIP", "--remove-tag", "east",
             "--add-alias", "精细机械", "--remove-alias", "hz precision(中国)", "--language", "en")  # fmt: skip
    assert out == "updated customer HZJX\n"
    shown = ok("customer", "show", "HZJX")
    assert shown.startswith("HZJX  杭州精细机械股份有限公司\n  language     en\n  terms        eom+30\n")
    assert "  credit limit 1,000,000.50 CNY\n" in shown
    assert "  grade        A\n" in shown
    assert "  tags         key, vip\n" in shown
    assert "  aliases      杭州精细; 精细机械\n" in shown

    ok("customer", "edit", "HZJX", "--credit-limit", "", "--notes", "", "--terms", "")
    shown = ok("customer", "show", "HZJX")
    assert "credit limit" not in shown
    assert "notes" not in shown
    assert "  terms        (net30 default)\n" in shown


def test_edit_without_changes_is_refused(cli, hzjx, dump):
    before = dump()
    refused(cli("customer", "edit", "HZJX"), "error: nothing to change for customer HZJX", "hint: give at least")
    # Options that restate what is already there change nothing either.
    refused(cli("customer", "edit", "HZJX", "--terms", "net45", "--add-tag", "key"), "nothing to change")
    assert dump() == before


def test_alias_owned_by_another_customer_is_refused(cli, ok, hzjx, dump):
    ok("customer", "add", "SHXY", "上海新远贸易有限公司")
    before = dump()
    # Width and spacing are folded: 杭州 精细 is the same alias as 杭州精细.
    for alias in ("杭州精细", "杭州 精细", "hz precision(中国)"):
        refused(cli("customer", "edit", "SHXY", "--add-alias", alias), "already belongs to customer HZJX")
    refused(cli("customer", "add", "GZHT", "广州恒通", "--alias", "杭州精细"), "already belongs to customer HZJX")
    assert dump() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--credit-limit", "12.345"), "error: credit_limit: '12.345' has more than 2 decimal"),
        (("--credit-limit", "abc"), "error: credit_limit: 'abc' is not an amount"),
        (("--credit-limit=-5",), "error: credit_limit: '-5' must not be negative"),
        (("--currency", "ABC"), "error: currency: unknown currency 'ABC'"),
        (("--language", "jp"), "error: language: 'jp' is not one of: zh, en"),
        (("--terms", "50% net30, 40% eom"), "error: terms: plan percentages add up to 90%"),
        (("--name", " "), "error: name: name is empty"),
        (("--add-tag", "a/b"), "error: tag: 'a/b'"),
    ],
)
def test_edit_refuses_bad_input_and_writes_nothing(cli, hzjx, dump, args, message):
    before = dump()
    refused(cli("customer", "edit", "HZJX", *args), message)
    assert dump() == before


def test_edit_currency_does_not_rescale_the_credit_limit(cli, ok, dump):
    """Amounts are minor units: keeping 100000 fen while switching to JPY would make 1,000.00 CNY 100,000 JPY."""
    ok("customer", "add", "AC", "Acme", "--credit-limit", "1000")
    before = dump()
    result = cli("customer", "edit", "AC", "--currency", "JPY")
    shown = ok("customer", "show", "AC")
    if result.exit_code == 0:
        assert "  credit limit 1,000 JPY\n" in shown
    else:
        refused(result, "currency")
        assert "  credit limit 1,000.00 CNY\n" in shown
        assert dump() == before
    ok("customer", "edit", "AC", "--currency", "JPY", "--credit-limit", "150000")
    assert "  credit limit 150,000 JPY\n" in ok("customer", "show", "AC")
    ok("customer", "edit", "AC", "--currency", "USD", "--credit-limit", "1234.56")
    assert "  credit limit 1,234.56 USD\n" in ok("customer", "show", "AC")


# ---------------------------------------------------------------- references


@pytest.fixture
def three(ok: Callable[..., str], seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("customer", "add", "HZJX", "杭州精细机械有限公司", "--alias", "杭州精细（中国）")
        ok("customer", "add", "HZAB", "杭州安邦电气有限公司")
        ok("customer", "add", "SHXY", "上海新远贸易有限公司")
        ok("customer", "add", "SH", "上海总公司")

    seed("three", build)


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        ("HZJX", "HZJX"),
        ("hzjx", "HZJX"),
        ("  hzab ", "HZAB"),
        ("HZJ", "HZJX"),  # unique prefix
        ("shx", "SHXY"),
        ("SH", "SH"),  # an exact code beats being the prefix of SHXY
        ("杭州安邦电气有限公司", "HZAB"),  # exact name
        ("杭州精细（中国）", "HZJX"),  # alias
        ("杭州精细(中国)", "HZJX"),  # alias, width folded
        ("杭州 精细（中国）", "HZJX"),  # alias, spaces dropped
    ],
)
def test_customer_reference_resolves(ok, three, ref, code):
    assert ok("customer", "show", ref).startswith(f"{code}  ")


def test_references_work_for_every_command_taking_a_customer(ok, three):
    ok("invoice", "add", "杭州安邦电气有限公司", "INV-1", "10", "--date", "2026-10-01")
    ok("invoice", "add", "hzj", "INV-2", "20", "--date", "2026-10-01")
    rows = {r["number"]: r["customer"] for r in csv_rows(ok("invoice", "list", "--format", "csv"))}
    assert rows == {"INV-1": "HZAB", "INV-2": "HZJX", "Total CNY": ""}
    assert "updated customer HZAB" in ok("customer", "edit", "杭州安邦电气有限公司", "--grade", "c")


def test_ambiguous_prefix_lists_the_candidates(cli, three, dump):
    before = dump()
    result = cli("customer", "show", "hz")
    refused(
        result, "error: 'hz' matches several customers: HZAB (杭州安邦电气有限公司), HZJX (杭州精细机械有限公司)"
    )
    refused(cli("invoice", "add", "HZ", "INV-9", "100"), "matches several customers: HZAB", "HZJX")
    refused(cli("customer", "edit", "HZ", "--grade", "A"), "matches several customers")
    assert dump() == before


def test_ambiguous_prefix_with_many_candidates_is_cut_at_ten(cli, db):
    from arctl.services.customers import add_customer

    for i in range(12):
        add_customer(db, code=f"CUST{i:02d}", name=f"客户{i}")
    result = cli("customer", "show", "cust")
    refused(result, "CUST00 (客户0)", "CUST09 (客户9) ...")
    assert "CUST10" not in result.stderr


@pytest.mark.parametrize("ref", ["NOPE", "杭州", "上海新远", "HZJXX"])
def test_unknown_reference_is_refused(cli, three, ref):
    refused(cli("customer", "show", ref), f"error: no customer matches '{ref}'", "hint: see `arctl customer list`")


def test_empty_reference_is_refused(cli, three):
    refused(cli("customer", "show", "  "), "customer reference is empty")


def test_wildcards_in_a_reference_are_literal(cli, ok, three):
    ok("customer", "add", "A_1", "下划线公司")
    refused(cli("customer", "show", "%"), "no customer matches '%'")
    refused(cli("customer", "show", "H_"), "no customer matches 'H_'")
    assert ok("customer", "show", "a_").startswith("A_1  ")


# ---------------------------------------------------------------- list


@pytest.fixture
def ledger_with_balances(ok: Callable[..., str], hzjx: str, seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("customer", "add", "SHXY", "上海新远贸易有限公司", "--tag", "east", "--terms", "eom+30")
        ok("customer", "add", "USCO", "US Co", "--currency", "USD", "--language", "en")
        ok("invoice", "add", "HZJX", "INV-1", "128456.70", "--date", "2026-09-01")
        ok("invoice", "add", "HZJX", "INV-2", "0.05", "--date", "2026-09-02")
        ok("payment", "add", "SHXY", "300.10", "--date", "2026-10-01")
        ok("invoice", "add", "USCO", "INV-3", "99.99", "--date", "2026-10-01")

    seed("balances", build)


def test_list_csv_has_decimal_strings_per_customer_and_currency(ok, ledger_with_balances):
    rows = csv_rows(ok("customer", "list", "--format", "csv"))
    assert rows == [
        {"code": "HZJX", "name": "杭州精细机械有限公司", "terms": "net45", "grade": "B", "tags": "east,key",
         "collector": "", "open": "128456.75", "unapplied": "0.00", "currency": "CNY"},
        {"code": "SHXY", "name": "上海新远贸易有限公司", "terms": "eom+30", "grade": "", "tags": "east",
         "collector": "", "open": "0.00", "unapplied": "300.10", "currency": "CNY"},
        {"code": "USCO", "name": "US Co", "terms": "", "grade": "", "tags": "",
         "collector": "", "open": "99.99", "unapplied": "0.00", "currency": "USD"},
    ]  # fmt: skip


def test_list_json_amounts_are_strings_and_as_of_is_exact(ok, ledger_with_balances):
    report = json.loads(ok("customer", "list", "--format", "json"))
    assert report["as_of"] == "2026-10-31"
    by_code = {r["code"]: r for r in report["rows"]}
    assert by_code["HZJX"]["open"] == "128456.75" and by_code["HZJX"]["currency"] == "CNY"
    assert by_code["SHXY"]["unapplied"] == "300.10"
    assert by_code["USCO"]["open"] == "99.99" and by_code["USCO"]["currency"] == "USD"
    for row in report["rows"]:
        assert isinstance(row["open"], str) and isinstance(row["unapplied"], str)

    earlier = json.loads(ok("customer", "list", "--format", "json", "--as-of", "2026-09-01"))
    by_code = {r["code"]: r for r in earlier["rows"]}
    assert by_code["HZJX"]["open"] == "128456.70"
    assert by_code["SHXY"]["unapplied"] == "0.00"
    assert by_code["USCO"]["open"] == "0.00"


def test_list_filters_by_tag_in_any_case(ok, ledger_with_balances):
    assert [r["code"] for r in csv_rows(ok("customer", "list", "--tag", "EAST", "--format", "csv"))] == [
        "HZJX",
        "SHXY",
    ]
    assert [r["code"] for r in csv_rows(ok("customer", "list", "--tag", "key", "--format", "csv"))] == ["HZJX"]
    assert csv_rows(ok("customer", "list", "--tag", "nobody", "--format", "csv")) == []
    assert "nothing to show" in ok("customer", "list", "--tag", "nobody")


def test_list_table_shows_names_and_amounts(ok, ledger_with_balances):
    out = ok("customer", "list", "--wide")
    assert "杭州精细机械有限公司" in out and "128,456.75" in out and "300.10" in out and "east,key" in out


def test_list_refuses_a_bad_as_of_date(cli, ok, hzjx):
    refused(cli("customer", "list", "--as-of", "31/10/2026"), "error: --as-of: '31/10/2026' is not a date")
    refused(cli("customer", "list", "--format", "xml"), code=2)


def test_empty_ledger_lists_nothing(ok):
    assert "nothing to show" in ok("customer", "list")
    assert csv_rows(ok("customer", "list", "--format", "csv")) == []


def test_contact_given_only_by_email_is_named_after_the_customer(ok):
    ok("customer", "add", "OK1", "Okay Trading Ltd.", "--email", "ar@okay.example.com", "--channel", "邮件")
    out = ok("customer", "show", "OK1")
    assert "Okay Trading Ltd. · ar@okay.example.com · email/zh · primary" in out


def test_exact_name_matches_across_widths_and_case(ok):
    ok("customer", "add", "SZJD", "深圳市金达(中国)有限公司")
    assert "SZJD" in ok("customer", "show", "深圳市金达（中国）有限公司")


# ---------------------------------------------------------------- collector, legal hold, the whole story


def test_collector_on_add_edit_show_and_list(ok, cli, dump):
    ok("customer", "add", "ACME", "Acme Trading Co.", "--collector", "  Wang   Li ")
    assert "  collector    Wang Li\n" in ok("customer", "show", "ACME")
    assert csv_rows(ok("customer", "list", "--format", "csv"))[0]["collector"] == "Wang Li"
    assert "Collector" in ok("customer", "list", "--wide")
    ok("customer", "edit", "ACME", "--collector", "Zhao")
    assert "  collector    Zhao\n" in ok("customer", "show", "ACME")
    before = dump()
    refused(cli("customer", "edit", "ACME", "--collector", "Zhao"), "nothing to change for customer ACME")
    refused(cli("customer", "edit", "ACME", "--collector", "x" * 61), "error: --collector:")
    assert dump() == before
    ok("customer", "edit", "ACME", "--collector", "")
    assert "collector" not in ok("customer", "show", "ACME")


def test_hold_and_release_are_dated_and_audited(ok, cli, dump, ledger_env):
    import sqlite3
    from contextlib import closing

    ok("customer", "add", "ACME", "Acme Trading Co.")
    out = ok("customer", "hold", "acme", "--reason", "lawsuit filed (诉讼中)", "--on", "2026-10-20")
    assert out == "customer ACME on legal hold from 2026-10-20: no reminders, no charges\n"
    shown = ok("customer", "show", "ACME")
    assert "  legal hold   since 2026-10-20: lawsuit filed (诉讼中)  (no reminders, no charges)\n" in shown
    assert "legal hold   since" not in ok("customer", "show", "ACME", "--as-of", "2026-10-19")
    with closing(sqlite3.connect(ledger_env)) as con:
        assert con.execute("SELECT since, reason, released_on FROM customer_hold").fetchall() == [
            ("2026-10-20", "lawsuit filed (诉讼中)", None)
        ]
        assert con.execute("SELECT action FROM audit_event ORDER BY id DESC LIMIT 1").fetchall() == [
            ("customer.hold",)
        ]
    before = dump()
    refused(cli("customer", "hold", "ACME", "--reason", "again"), "error: customer ACME is already on hold since")
    refused(cli("customer", "release", "ACME", "--on", "2026-10-19"), "error: --on: 2026-10-19 is before the hold")
    refused(cli("customer", "release", "ACME", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future")
    assert dump() == before
    out = ok("customer", "release", "ACME", "--on", "2026-10-25")
    assert out == "customer ACME released from legal hold on 2026-10-25 (held since 2026-10-20)\n"
    assert "legal hold   since" not in ok("customer", "show", "ACME")
    before = dump()
    refused(cli("customer", "release", "ACME"), "error: customer ACME is not on hold")
    assert dump() == before


def test_holds_are_a_dated_history_shown_period_by_period(ok, cli, dump, ledger_env):
    import sqlite3
    from contextlib import closing

    ok("customer", "add", "ACME", "Acme Trading Co.")
    ok("customer", "hold", "ACME", "--reason", "lawsuit", "--on", "2026-10-01")
    ok("customer", "release", "ACME", "--on", "2026-10-10", "--note", "  settled   out of court ")
    # a new hold may not begin inside (or before) a period already closed: periods never overlap
    before = dump()
    refused(cli("customer", "hold", "ACME", "--reason", "again", "--on", "2026-10-05"),
            "error: --on: 2026-10-05 is before customer ACME's last hold was released (2026-10-10)")  # fmt: skip
    refused(
        cli("customer", "hold", "ACME", "--reason", "again", "--on", "2026-09-01"), "held periods cannot overlap"
    )
    assert dump() == before
    # hold again after the release works; a hold may even begin on the day the last one was released
    ok("customer", "hold", "ACME", "--reason", "bankruptcy (破产)", "--on", "2026-10-20")
    ok("customer", "release", "ACME", "--on", "2026-10-25")
    ok("customer", "hold", "ACME", "--reason", "appeal", "--on", "2026-10-25")
    with closing(sqlite3.connect(ledger_env)) as con:
        assert con.execute(
            "SELECT since, reason, released_on, release_note FROM customer_hold ORDER BY id"
        ).fetchall() == [
            ("2026-10-01", "lawsuit", "2026-10-10", "settled out of court"),
            ("2026-10-20", "bankruptcy (破产)", "2026-10-25", None),
            ("2026-10-25", "appeal", None, None),
        ]
        actions = [a for (a,) in con.execute("SELECT action FROM audit_event WHERE action LIKE 'customer.%'")]
    assert actions == ["customer.add"] + ["customer.hold", "customer.release"] * 2 + ["customer.hold"]
    doc = json.loads(ok("customer", "show", "ACME", "--format", "json"))
    holds = [(r["on"], r["event"], r["details"]) for r in doc["sections"][0]["rows"]]
    assert holds == [
        ("2026-10-01", "legal hold", "lawsuit"),
        ("2026-10-10", "hold released", "settled out of court"),
        ("2026-10-20", "legal hold", "bankruptcy (破产)"),
        ("2026-10-25", "hold released", ""),
        ("2026-10-25", "legal hold", "appeal"),
    ]

    # the header names the hold in force on the day asked: a released one too, and none on a release day
    def held_line(day: str) -> list[str]:
        shown = ok("customer", "show", "ACME", "--as-of", day).splitlines()
        return [line for line in shown if line.startswith("  legal hold")]

    days = ("2026-09-30", "2026-10-01", "2026-10-09", "2026-10-10", "2026-10-24", "2026-10-31")
    header = {day: held_line(day) for day in days}
    assert header == {
        "2026-09-30": [],
        "2026-10-01": ["  legal hold   since 2026-10-01: lawsuit  (no reminders, no charges)"],
        "2026-10-09": ["  legal hold   since 2026-10-01: lawsuit  (no reminders, no charges)"],
        "2026-10-10": [],
        "2026-10-24": ["  legal hold   since 2026-10-20: bankruptcy (破产)  (no reminders, no charges)"],
        "2026-10-31": ["  legal hold   since 2026-10-25: appeal  (no reminders, no charges)"],
    }
    past = json.loads(ok("customer", "show", "ACME", "--as-of", "2026-10-09", "--format", "json"))
    assert [(r["on"], r["event"]) for r in past["sections"][0]["rows"]] == [("2026-10-01", "legal hold")]


def test_one_open_hold_per_customer_is_enforced_by_the_schema(ok, ledger_env):
    import sqlite3
    from contextlib import closing

    ok("customer", "add", "ACME", "Acme Trading Co.")
    ok("customer", "hold", "ACME", "--reason", "lawsuit", "--on", "2026-10-01")
    with closing(sqlite3.connect(ledger_env)) as con, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute("INSERT INTO customer_hold (customer_id, since, reason) VALUES (1, '2026-10-05', 'x')")
    with closing(sqlite3.connect(ledger_env)) as con, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE customer_hold SET released_on = '2026-09-30'")


@pytest.mark.parametrize(
    ("args", "fragment", "code"),
    [
        (("hold", "NOBODY", "--reason", "x"), "error: no customer matches 'NOBODY'", 1),
        (("hold", "ACME", "--reason", "  "), "error: --reason: a reason is required", 1),
        (
            ("hold", "ACME", "--reason", "x", "--on", "2026/31/10"),
            "error: --on: '2026/31/10' is not a valid date",
            1,
        ),
        (("hold", "ACME", "--reason", "x", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future", 1),
        (("hold", "ACME"), "--reason", 2),
        (("release", "NOBODY"), "error: no customer matches 'NOBODY'", 1),
        (("release", "ACME", "--on", "never"), "error: --on: 'never' is not a date", 1),
    ],
)
def test_hold_release_bad_input(ok, cli, dump, args, fragment, code):
    ok("customer", "add", "ACME", "Acme Trading Co.")
    before = dump()
    refused(cli("customer", *args), fragment, code=code)
    assert dump() == before


@pytest.fixture
def story(ok: Callable[..., str], seed, ledger_env) -> str:  # type: ignore[no-untyped-def]
    """ACME's whole history from August to October 2026 (a reminder task inserted as `remind run` would)."""

    def build() -> None:
        import sqlite3
        from contextlib import closing

        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30", "--collector", "Wang")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok(
            "invoice",
            "add",
            "ACME",
            "INV-2",
            "500.00",
            "--date",
            "2026-09-01",
            "--terms",
            "30% on signing, 70% net60",
        )
        ok("invoice", "add", "ACME", "INV-3", "80.00", "--date", "2026-09-02")
        ok("invoice", "void", "INV-3", "--reason", "typo", "--on", "2026-09-03")
        ok("payment", "add", "ACME", "300", "--date", "2026-09-15", "--reference", "B1")
        ok("payment", "add", "ACME", "50", "--date", "2026-09-20", "--apply", "none")
        ok("payment", "reverse", "P2", "--reason", "bounced", "--on", "2026-09-22")
        ok("promise", "add", "ACME", "600", "--by", "2026-10-10", "--on", "2026-10-01", "--via", "Ann")
        ok("payment", "add", "ACME", "700", "--date", "2026-10-08")
        ok("promise", "add", "ACME", "100", "--by", "2026-10-12", "--on", "2026-10-11", "--items", "INV-2/2",
           "--grace", "0")  # fmt: skip
        ok("dispute", "open", "INV-2/1", "--reason", "quality", "--on", "2026-10-12")
        ok("dispute", "resolve", "1", "--credit-note", "--amount", "50", "--on", "2026-10-14")
        with closing(sqlite3.connect(ledger_env)) as con, con:
            con.execute(
                "INSERT INTO reminder_message (customer_id, run_on, channel, step_key, ladder, template, language, "
                "subject, body, status, created_at) VALUES (1, '2026-10-15', 'phone', 'call-1', 'standard', 'call', "
                "'zh', 'call', 'call', 'task', '2026-10-15T00:00:00+00:00')"
            )
        ok("contact", "log", "ACME", "--channel", "phone", "--outcome", "reached", "--contact", "Ann",
           "--on", "2026-10-16")  # fmt: skip
        ok("customer", "hold", "ACME", "--reason", "lawsuit", "--on", "2026-10-20")
        ok("customer", "release", "ACME", "--on", "2026-10-25")

    seed("story", build)
    return "ACME"


def test_show_tells_the_whole_story_in_order(ok, story):
    out = ok("customer", "show", "ACME")
    header, _, history = out.partition("\n\n")
    assert header.startswith(
        "ACME  Acme Trading Co.\n  language     zh\n  terms        net30\n  collector    Wang\n"
    )
    assert "  open 2026-10-31: 450.00 CNY" in header
    doc = json.loads(ok("customer", "show", "ACME", "--format", "json"))
    events = [(r["on"], r["event"], r["document"]) for r in doc["sections"][0]["rows"]]
    assert events == [
        ("2026-08-01", "invoice issued", "INV-1"),
        ("2026-08-31", "falls due", "INV-1/1"),
        ("2026-09-01", "invoice issued", "INV-2"),
        ("2026-09-01", "falls due", "INV-2/1"),
        ("2026-09-02", "invoice issued", "INV-3"),
        ("2026-09-03", "invoice voided", "INV-3"),
        ("2026-09-15", "payment", "P1"),
        ("2026-09-20", "payment", "P2"),
        ("2026-09-22", "payment reversed", "P2"),
        ("2026-10-01", "promise made", "promise 1"),
        ("2026-10-08", "payment", "P3"),
        ("2026-10-08", "promise kept", "promise 1"),
        ("2026-10-11", "promise made", "promise 2"),
        ("2026-10-12", "dispute opened", "dispute 1"),
        ("2026-10-13", "promise broken", "promise 2"),
        ("2026-10-14", "credit note", "CN-00001"),
        ("2026-10-14", "dispute resolved", "dispute 1"),
        ("2026-10-15", "reminder", "R1"),
        ("2026-10-16", "contact", "phone"),
        ("2026-10-20", "legal hold", "ACME"),
        ("2026-10-25", "hold released", "ACME"),
        ("2026-10-31", "falls due", "INV-2/2"),
    ]
    by_doc = {(r["event"], r["document"]): r for r in doc["sections"][0]["rows"]}
    assert by_doc[("credit note", "CN-00001")]["amount"] == "50.00"
    assert by_doc[("dispute resolved", "dispute 1")]["details"] == "credit note CN-00001"
    assert by_doc[("reminder", "R1")]["details"] == "call-1 by phone (task done)"
    assert by_doc[("contact", "phone")]["details"] == "reached (Ann)"
    assert "History of ACME to 2026-10-31" in history and "promise kept" in history


def test_show_story_as_of_a_past_date(ok, story):
    doc = json.loads(ok("customer", "show", "ACME", "--as-of", "2026-10-09", "--format", "json"))
    rows = doc["sections"][0]["rows"]
    assert rows[-1]["on"] <= "2026-10-09"
    assert [r["event"] for r in rows][-2:] == ["payment", "promise kept"]
    assert "open 2026-10-09" in "\n".join(doc["heading"])


def test_show_writes_the_story_to_a_file(ok, story, tmp_path):
    target = tmp_path / "acme.csv"
    ok("customer", "show", "ACME", "--output", str(target))
    text = target.read_text(encoding="utf-8-sig")
    assert text.startswith("ACME  Acme Trading Co.")
    assert "promise kept" in text
