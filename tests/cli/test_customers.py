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
         "open": "128456.75", "unapplied": "0.00", "currency": "CNY"},
        {"code": "SHXY", "name": "上海新远贸易有限公司", "terms": "eom+30", "grade": "", "tags": "east",
         "open": "0.00", "unapplied": "300.10", "currency": "CNY"},
        {"code": "USCO", "name": "US Co", "terms": "", "grade": "", "tags": "",
         "open": "99.99", "unapplied": "0.00", "currency": "USD"},
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
