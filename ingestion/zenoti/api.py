"""The Zenoti endpoints this source reads, with their paging and their answer shapes.

Every list is paged with `page` / `size` in the query string (POST reports too: the
flat-file report references and public clients put them there, and a body `page` is
ignored). Zenoti's default size is 10 and its maximum 100, and a server may answer fewer
rows than asked, so a short page never ends the listing: the listing ends when the rows
received reach `page_info.total`, or on an empty page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ingestion.http import ApiClient, PayloadError

SOURCE = "zenoti"
MAX_WINDOW_DAYS = 7  # Zenoti refuses appointment and report ranges longer than seven days


class ZenotiApi:
    def __init__(self, client: ApiClient, page_size: int = 100) -> None:
        self.client = client
        self.page_size = page_size  # Zenoti caps `size` at 100

    def centers(self) -> list[dict]:
        return _items(self.client.request("GET", "v1/centers"), "centers", "locations")

    def employees(self, center_id: str) -> Iterator[dict]:
        return self._paged(f"v1/centers/{center_id}/employees", "employees", "providers")

    def services(self, center_id: str) -> Iterator[dict]:
        # The category lives in additional_info, which the list returns only when expanded.
        params = {"expand": "additional_info"}
        return self._paged(f"v1/centers/{center_id}/services", "services", "services", params)

    def guests(self, center_id: str) -> Iterator[dict]:
        """Every guest of the center ("List all guests of a center"; without
        `last_updated`, all of them). Guest search is a lookup whose scope depends on a
        tenant setting, so it is not used."""
        return self._paged("v1/guests", "guests", "patients", {"center_id": center_id})

    def appointments(self, center_id: str, first: date, last: date) -> list[dict]:
        """Appointments starting on first..last, cancelled and no-shows included."""
        body = self.client.request(
            "GET",
            "v1/appointments",
            params={
                "center_id": center_id,
                "start_date": first.isoformat(),
                "end_date": _exclusive_end(last),
                "include_no_show_cancel": "true",
            },
        )
        # The reference lists the fields without saying whether they come wrapped:
        # accept a bare list or {"appointments": [...]}, nothing else.
        return body if isinstance(body, list) else _items(body, "appointments", "appointments")

    def sales(self, center_id: str, first: date, last: date) -> list[dict]:
        """Invoice items sold on first..last (the accrual-basis sales report, one row per
        item), the window given as center-local times from 00:00:00 to 23:59:59 inclusive,
        as public clients send it."""
        window = {
            "center_ids": [center_id],
            "start_date": f"{first.isoformat()} 00:00:00",
            "end_date": f"{last.isoformat()} 23:59:59",
        }
        return list(
            self._paged(
                "v1/reports/sales/accrual_basis/flat_file", "sales", "invoice_lines", body=window
            )
        )

    def _paged(
        self,
        path: str,
        key: str,
        resource: str,
        params: dict | None = None,
        body: dict | None = None,
    ) -> Iterator[dict]:
        """Follow `page`/`size` in the query string until the report's total or an empty page."""
        page, previous, received = 1, None, 0
        while True:
            query = {**(params or {}), "page": page, "size": self.page_size}
            method = "GET" if body is None else "POST"
            answer = self.client.request(method, path, params=query, json_body=body)
            items = _items(answer, key, resource)
            if not items:
                return
            if items == previous:  # an API ignoring `page` would loop forever
                raise PayloadError(f"{SOURCE}/{resource}: {path} returned page {page} twice")
            yield from items
            received += len(items)
            total = (answer.get("page_info") or {}).get("total")
            if isinstance(total, int) and received >= total:
                return
            page, previous = page + 1, items


def _exclusive_end(last: date) -> str:
    # Zenoti reads end_date as exclusive; a 7-day window is start .. start + 7.
    return (last + timedelta(days=1)).isoformat()


def _items(body: Any, key: str, resource: str) -> list[dict]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PayloadError(
            f"{SOURCE}/{resource}: expected an object with a `{key}` list of objects"
        )
    return items
