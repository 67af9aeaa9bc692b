"""The Zenoti endpoints this source reads, with their paging and their answer shapes."""

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
        return self._paged(f"v1/centers/{center_id}/services", "services", "services")

    def guests(self, center_id: str) -> Iterator[dict]:
        return self._paged("v1/guests/search", "guests", "patients", {"center_id": center_id})

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
        """Invoice items sold on first..last (the accrual-basis sales report, one row per item)."""
        window = {
            "center_ids": [center_id],
            "start_date": first.isoformat(),
            "end_date": _exclusive_end(last),
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
        """Follow `page`/`size` (query string for GET, JSON body for POST) to the last page."""
        page, previous = 1, None
        while True:
            paging = {"page": page, "size": self.page_size}
            answer = (
                self.client.request("POST", path, json_body={**body, **paging})
                if body is not None
                else self.client.request("GET", path, params={**(params or {}), **paging})
            )
            items = _items(answer, key, resource)
            if items and items == previous:  # an API ignoring `page` would loop forever
                raise PayloadError(f"{SOURCE}/{resource}: {path} returned page {page} twice")
            yield from items
            if _last_page(answer, page, len(items), self.page_size):
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


def _last_page(body: dict, page: int, count: int, size: int) -> bool:
    total = (body.get("page_info") or {}).get("total")
    return count < size or (isinstance(total, int) and page * size >= total)
