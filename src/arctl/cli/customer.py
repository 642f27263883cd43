"""arctl customer add|edit|contact|list|show|hold|release|import"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._imports import run_import
from arctl.cli._options import AsOf, Encoding, ExcelCsv, Format, Mapping, On, OutputFormat, OutputPath, Sheet, Wide
from arctl.cli._output import emit, say

app = typer.Typer(rich_markup_mode=None, help="Customers: codes, names, contacts, terms, credit limits, confidential notes.",
                  no_args_is_help=True)  # fmt: skip

Code = Annotated[str, typer.Argument(help="Short customer code, e.g. HZJX.")]
Ref = Annotated[str, typer.Argument(help="Customer code, unique code prefix, exact name or alias.")]
Tags = Annotated[list[str] | None, typer.Option("--tag", metavar="TAG", help="Tag (repeatable).")]
Collector = Annotated[
    str | None, typer.Option(metavar="NAME", help="Who works the account (the collector); '' clears.")
]
Aliases = Annotated[
    list[str] | None, typer.Option("--alias", metavar="NAME", help="Another name it pays under (repeatable).")
]


def _contact(name: str | None, role: str | None, email: str | None, phone: str | None, language: str,
             channel: str, customer_name: str) -> list:  # type: ignore[type-arg]  # fmt: skip
    from arctl.domain.ledger import CHANNELS, LANGUAGES, ContactInfo, choose

    choose(channel, CHANNELS, "--channel")
    choose(language, LANGUAGES, "--language")
    if not (name or email or phone):
        return []
    # A contact given only by email or phone is the customer's general line: name it after the customer.
    return [ContactInfo(name=name or customer_name, role=role, email=email, phone=phone, language=language, channel=channel,
                        is_primary=True)]  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Legal name, e.g. 杭州精细机械有限公司.")],
    terms: Annotated[
        str | None, typer.Option(metavar="TERMS", help="Default terms: net30, eom+30, '2/10 net 30', a plan...")
    ] = None,
    credit_limit: Annotated[
        str | None, typer.Option(metavar="AMOUNT", help="Credit limit, e.g. 500000.00.")
    ] = None,
    currency: Annotated[
        str, typer.Option(metavar="CODE", help="Currency of the credit limit and of new invoices.")
    ] = "CNY",
    grade: Annotated[str | None, typer.Option(metavar="GRADE", help="Credit grade (A-D).")] = None,
    tag: Tags = None,
    alias: Aliases = None,
    language: Annotated[str, typer.Option(metavar="LANGUAGE", help="Language of letters: zh or en.")] = "zh",
    address: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Postal address.")] = None,
    notes: Annotated[
        str | None, typer.Option(metavar="NOTES", help="Confidential notes (financial state, situation).")
    ] = None,
    contact: Annotated[str | None, typer.Option(metavar="CONTACT", help="Primary contact's name.")] = None,
    role: Annotated[str | None, typer.Option(metavar="ROLE", help="Contact's role, e.g. 财务.")] = None,
    email: Annotated[str | None, typer.Option(metavar="EMAIL", help="Contact's email.")] = None,
    phone: Annotated[str | None, typer.Option(metavar="PHONE", help="Contact's phone.")] = None,
    channel: Annotated[
        str, typer.Option(metavar="CHANNEL", help="Preferred channel: email, phone, wechat, letter, visit, sms.")
    ] = "email",
    collector: Collector = None,
) -> None:
    """Add a customer.

    Example: arctl customer add HZJX 杭州精细机械有限公司 --terms net45 --credit-limit 800000 --contact 王丽华 --email wanglh@example.cn
    """
    from arctl.services.customers import add_customer

    with ledger(ctx) as db:
        detail = add_customer(
            db, code=code, name=name, terms=terms, credit_limit=credit_limit, currency=currency, grade=grade,
            tags=tag or [], aliases=alias or [], notes=notes, address=address, language=language,
            contacts=_contact(contact, role, email, phone, language, channel, name), collector=collector,
        )  # fmt: skip
    say(f"added customer {detail.code} ({detail.name})")


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Ref,
    name: Annotated[str | None, typer.Option(metavar="NAME", help="New legal name.")] = None,
    terms: Annotated[str | None, typer.Option(metavar="TERMS", help="New default terms ('' clears).")] = None,
    credit_limit: Annotated[
        str | None, typer.Option(metavar="AMOUNT", help="New credit limit ('' clears).")
    ] = None,
    currency: Annotated[str | None, typer.Option(metavar="CODE", help="Currency of the credit limit.")] = None,
    grade: Annotated[str | None, typer.Option(metavar="GRADE", help="Credit grade.")] = None,
    language: Annotated[str | None, typer.Option(metavar="LANGUAGE", help="zh or en.")] = None,
    address: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Postal address.")] = None,
    notes: Annotated[str | None, typer.Option(metavar="NOTES", help="Confidential notes ('' clears).")] = None,
    add_tag: Annotated[
        list[str] | None, typer.Option("--add-tag", metavar="TAG", help="Add a tag (repeatable).")
    ] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", metavar="REMOVE_TAG", help="Remove a tag (repeatable).")
    ] = None,
    add_alias: Annotated[
        list[str] | None, typer.Option("--add-alias", metavar="NAME", help="Add an alias (repeatable).")
    ] = None,
    remove_alias: Annotated[
        list[str] | None, typer.Option("--remove-alias", metavar="NAME", help="Remove an alias.")
    ] = None,
    collector: Collector = None,
) -> None:
    """Change a customer's details (audited, with before and after).

    Example: arctl customer edit HZJX --credit-limit 1000000 --add-tag key-account
    """
    from arctl.services.customers import edit_customer

    with ledger(ctx) as db:
        detail = edit_customer(
            db, ref, name=name, terms=terms, credit_limit=credit_limit, currency=currency, grade=grade,
            notes=notes, address=address, language=language, add_tags=add_tag or [], remove_tags=remove_tag or [],
            add_aliases=add_alias or [], remove_aliases=remove_alias or [], collector=collector,
        )  # fmt: skip
    say(f"updated customer {detail.code}")


@app.command("contact")
def contact(
    ctx: typer.Context,
    ref: Ref,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="Contact's name.")],
    role: Annotated[str | None, typer.Option(metavar="ROLE", help="Role, e.g. finance, 财务.")] = None,
    email: Annotated[str | None, typer.Option(metavar="EMAIL", help="Email.")] = None,
    phone: Annotated[str | None, typer.Option(metavar="PHONE", help="Phone.")] = None,
    language: Annotated[str, typer.Option(metavar="LANGUAGE", help="zh or en.")] = "zh",
    channel: Annotated[
        str, typer.Option(metavar="CHANNEL", help="email, phone, wechat, letter, visit or sms.")
    ] = "email",
) -> None:
    """Add a contact person to a customer.

    Example: arctl customer contact HZJX --name 李明 --role 采购 --phone 13800000000 --channel phone
    """
    from arctl.domain.ledger import ContactInfo
    from arctl.services.customers import edit_customer

    with ledger(ctx) as db:
        detail = edit_customer(db, ref, add_contacts=[ContactInfo(name, role, email, phone, language, channel)])
    say(f"added contact {name} to {detail.code}")


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option(metavar="TAG", help="Only customers with this tag.")] = None,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List customers with what they owe and their unapplied cash."""
    from arctl.services.customers import list_customers

    with ledger(ctx) as db:
        report = list_customers(db, tag=tag, as_of=as_of_date(as_of))
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)


def as_of_date(text: str | None):  # type: ignore[no-untyped-def]
    return as_date(text, "--as-of")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Ref,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """Show one customer: contacts, terms, credit limit, notes, balance, then its whole history in date order.

    The history (invoices, due dates, payments, credits, promises, disputes, reminders, contacts, holds)
    is a report: --format csv/json/xlsx and --output write it with the details as heading lines.

    Example: arctl customer show HZJX --as-of 2026-10-31
    """
    from arctl.domain.money import format_amount
    from arctl.services.customers import customer_profile

    when = as_of_date(as_of)
    with ledger(ctx) as db:
        profile = customer_profile(db, ref, when)
    d = profile.detail
    lines = [f"{d.code}  {d.name}", f"  language     {d.language}",
             f"  terms        {d.default_terms or '(net30 default)'}"]  # fmt: skip
    if d.credit_limit is not None:
        lines.append(f"  credit limit {d.credit_limit}")
    if d.credit_grade:
        lines.append(f"  grade        {d.credit_grade}")
    if d.tags:
        lines.append(f"  tags         {', '.join(d.tags)}")
    if d.aliases:
        lines.append(f"  aliases      {'; '.join(d.aliases)}")
    if d.address:
        lines.append(f"  address      {d.address}")
    if profile.collector:
        lines.append(f"  collector    {profile.collector}")
    for k in d.contacts:
        parts = [
            k.name,
            k.role,
            k.email,
            k.phone,
            f"{k.channel}/{k.language}",
            "primary" if k.is_primary else None,
        ]
        lines.append(f"  contact      {' · '.join(p for p in parts if p)}")
    if d.notes:
        lines.append(f"  notes        {d.notes}  (confidential)")
    if profile.hold_since:
        lines.append(
            f"  legal hold   since {profile.hold_since}: {profile.hold_reason}  (no reminders, no charges)"
        )
    lines.append(f"  invoices     {d.invoices}")
    for currency in sorted(set(d.open_by_currency) | set(d.unapplied_by_currency)):
        owed = d.open_by_currency.get(currency, 0)
        credit = d.unapplied_by_currency.get(currency, 0)
        line = f"  open {when}: {format_amount(owed, currency, grouping=True)} {currency}"
        if credit:
            line += f", unapplied {format_amount(credit, currency, grouping=True)} {currency}"
        lines.append(line)
    if fmt == Format.table and output is None:
        for line in lines:
            say(line)
        if profile.timeline.rows:
            say("")
            emit(profile.timeline, fmt, None, wide=wide)
        return
    from arctl.cli._output import emit_document

    emit_document("customer", lines, [profile.timeline], fmt, output, as_of=when, wide=wide)


@app.command("hold")
def hold(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why (诉讼中, 破产, settlement talks...).")],
    on: On = None,
) -> None:
    """Put a customer on legal hold: no reminders and no charges from that day (audited).

    Example: arctl customer hold HZJX --reason "lawsuit filed (诉讼中)" --on 2026-10-20
    """
    from arctl.services.customers import hold_customer

    when = as_date(on, "--on")
    with ledger(ctx) as db:
        code, since = hold_customer(db, ref, reason=reason, on=when)
    say(f"customer {code} on legal hold from {since}: no reminders, no charges")


@app.command("release")
def release(
    ctx: typer.Context,
    ref: Ref,
    on: On = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="Why it ended (settled, judgment...).")] = None,
) -> None:
    """End a customer's legal hold: reminders and charges resume (audited).

    The release day is no longer held. The hold stays in the history with both dates, so reports for a
    day it was in force still see it; a later hold may start on or after the release day.

    Example: arctl customer release HZJX --on 2026-11-30 --note "settled in court"
    """
    from arctl.services.customers import release_customer

    when = as_date(on, "--on")
    with ledger(ctx) as db:
        code, since, until = release_customer(db, ref, on=when, note=note)
    say(f"customer {code} released from legal hold on {until} (held since {since})")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV (UTF-8 or GBK) or XLSX with a header row.")],
    map_: Mapping = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
) -> None:
    """Import customers from CSV/XLSX; all rows or none. Re-importing the same file adds nothing.

    Columns (English or Chinese headers): code, name, aliases, terms, credit_limit, currency, grade, tags,
    contact_name, contact_role, email, phone, language, channel, address, notes.
    """
    run_import(ctx, "customers", file, map_, encoding, sheet)
