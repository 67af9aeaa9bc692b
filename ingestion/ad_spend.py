"""The dlt resource both ad platforms share: campaign daily spend of every ad account of
a source, each account belonging to one clinic, over a look-back.

Platforms revise recent days, so every run re-reads `lookback_days` ending yesterday
(an account's first run backfills from `start_date`) and merges on (clinic, account,
campaign, date). Each account keeps its last loaded day in resource state, so an account
that failed is re-read in full next run while the others move on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import dlt
from dlt.extract.resource import DltResource

from ingestion.http import SourceConfigError, SourceError, as_date, lookback_start

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdAccount:
    account_id: str  # as the platform's API wants it
    clinic_id: str
    options: tuple[tuple[str, str], ...] = ()  # per-account extras (login_customer_id)

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


def ad_accounts(
    source: str,
    id_key: str,
    accounts: Sequence[dict] | None,
    account_id: str | None,
    clinic_id: str | None,
    normalize: Callable[[str], str],
) -> list[AdAccount]:
    """`accounts` ([{<id_key>: .., "clinic_id": ..}, ...]), or the single-account settings
    `<id_key>` + `clinic_id` of older configs; never both, never an account twice."""
    setting = f"sources.{source}"
    if accounts and (account_id or clinic_id):
        raise SourceConfigError(
            f"{source}: set either {setting}.accounts or {setting}.{id_key} with "
            f"{setting}.clinic_id, not both"
        )
    entries = list(accounts or ([{id_key: account_id, "clinic_id": clinic_id}]))
    found: dict[str, AdAccount] = {}
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get(id_key) or not entry.get("clinic_id"):
            raise SourceConfigError(
                f"{source}: account {n} of {setting}.accounts needs `{id_key}` and `clinic_id`"
                if accounts
                else f"{source}: set {setting}.accounts (or {setting}.{id_key} and "
                f"{setting}.clinic_id)"
            )
        account = AdAccount(
            normalize(str(entry[id_key])),
            str(entry["clinic_id"]),
            tuple((k, str(v)) for k, v in entry.items() if k not in (id_key, "clinic_id")),
        )
        if account.account_id in found:
            raise SourceConfigError(
                f"{source}: account {entry[id_key]} is listed twice in {setting}.accounts"
            )
        found[account.account_id] = account
    return list(found.values())


# (account, first, last) inclusive -> every row of those days, parsed
SpendFetcher = Callable[[AdAccount, date, date], list[dict]]
# called with the account and its error when `on_account_failure` is given
AccountFailure = Callable[[AdAccount, SourceError], None]


def daily_spend_resource(
    source: str,
    accounts: Sequence[AdAccount],
    fetch: SpendFetcher,
    start_date: str,
    lookback_days: int,
    today: str | None,
    on_account_failure: AccountFailure | None = None,
) -> DltResource:
    """`fetch` returns every row of an account already parsed, so a bad row or page fails
    that account before any of its rows is yielded. Without `on_account_failure` a
    failing account fails the resource; with it, the account is reported there and the
    other accounts load. `today` pins the run date for backfills and tests."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")

    @dlt.resource(
        name="ad_spend",
        primary_key=("clinic_id", "account_id", "campaign_id", "date"),
        write_disposition="merge",
    )
    def ad_spend():
        state = dlt.current.resource_state()
        loaded = state.setdefault("last_loaded_by_account", {})
        # a single-account config of older versions kept one date for the resource
        legacy = state.get("last_loaded_date") if len(accounts) == 1 else None
        last = as_date(today or date.today()) - timedelta(days=1)
        for account in accounts:
            since = loaded.get(account.account_id, legacy)
            first = lookback_start(since, as_date(start_date), lookback_days)
            if first > last:
                logger.info("%s: nothing to request yet for %s", source, account.account_id)
                continue
            try:
                rows = fetch(account, first, last)
            except SourceError as exc:
                if on_account_failure is None:
                    raise
                logger.error("%s: account %s failed: %s", source, account.account_id, exc)
                on_account_failure(account, exc)
                continue
            yield rows
            loaded[account.account_id] = last.isoformat()

    return ad_spend
