"""What every bank-statement reader produces, and the protocol it follows (after beangulp).

A reader turns one file into one or more `Statement`s of `BankLine`s. It is pure: it reads the file it is
given and nothing else (no ledger, no network), and it either returns everything or raises
`InvalidInput` naming the file, the line (or record) and the field. Deduplication, payer identification
and matching happen later, on these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BankLine:
    """One transaction as the bank reported it."""

    line: int
    """Where it is in the file: the 1-based text line (CSV, MT940 `:61:`), sheet row (XLS/XLSX) or record
    ordinal (OFX `STMTTRN`, CAMT `Ntry`/`TxDtls`). Used in messages and as the occurrence index for lines
    that carry no bank id."""
    booked_on: date
    """Booking date (记账日期 / DTPOSTED / BookgDt), in the bank's own time zone, never shifted."""
    amount_minor: int
    """Signed, in minor units of `currency`: positive is money in (a credit to our account)."""
    currency: str
    """ISO 4217 code."""
    payer_name: str = ""
    """The counterparty as the bank spells it (对方户名 / NAME / Dbtr/Nm), whitespace-trimmed."""
    payer_account: str = ""
    """The counterparty's account number or IBAN when the file has it (对方账号 / DbtrAcct)."""
    memo: str = ""
    """Remittance text: 摘要/附言/用途, OFX MEMO, MT940 :86: purpose, CAMT Ustrd/Strd refs, joined by ' | '."""
    bank_ref: str = ""
    """The bank's own unique id for the line when it gives one (FITID, AcctSvcrRef, 流水号, 交易单号), else ''."""
    value_on: date | None = None
    counted: bool = True
    """False for lines the file lists but that are not cash movements (Alipay 不计收支 or a closed trade,
    WeChat neutral `/`, CAMT pending `PDNG`): kept for the balance check and the record, never matched."""
    kind: str = ""
    """The bank's own transaction type text or code, when it has one (TRNTYPE, 交易类型, BkTxCd)."""


@dataclass(frozen=True, slots=True)
class Statement:
    """The lines of one account (and currency) from one file."""

    path: str
    format: str
    """The reader's name (`icbc`, `alipay`, `ofx`, `mt940`, `camt053`, a profile name...)."""
    account: str
    """Our own account number/IBAN as the file states it ('' when it does not)."""
    currency: str
    lines: tuple[BankLine, ...]
    opening_minor: int | None = None
    """Opening balance when the file states one (MT940 :60F:, CAMT OPBD/PRCD, a bank's first 余额 minus
    its first amount is NOT a stated balance: leave None)."""
    closing_minor: int | None = None
    """Closing booked balance when the file states one (MT940 :62F:, CAMT CLBD, OFX LEDGERBAL)."""
    statement_ref: str = ""
    """The statement's own id when it has one (MT940 :20:/:28C:, CAMT Stmt/Id)."""
    encoding: str = ""
    """How the file was decoded (for `--dry-run` output and error hints)."""
    notes: tuple[str, ...] = field(default=())
    """Things the reader skipped that the user should hear about (footer rows, non-cash rows...)."""


class Reader(Protocol):
    """A bank-file reader. `name` is what `--profile` selects and what `arctl bank profiles` lists."""

    name: str
    description: str

    def identify(self, path: Path, head: str) -> bool:
        """Whether this reader recognises the file. `head` is its first ~8 KB decoded leniently for sniffing
        only (never used as data)."""
        ...

    def extract(self, path: Path, *, encoding: str | None = None) -> list[Statement]:
        """Every statement in the file, or `InvalidInput(file=, row=, field=)` for the first bad spot."""
        ...
