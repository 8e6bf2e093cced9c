"""The payload every benchmark sends: one event name and a realistic 10-property dict.

Shared by the pytest-benchmark micro-benchmarks and by the comparative
workload, so that every library and every figure is measured on the same
data: strings, numbers, a null, a bool, a list and a nested object, about
300 bytes of JSON.
"""

from __future__ import annotations

from typing import Any, Final

#: The write key the benchmark server expects and every client sends.
WRITE_KEY: Final = "bench-key"
#: The event name of every track() call.
EVENT: Final = "Order Completed"


def user_id(i: int) -> str:
    """The user id of call ``i`` (a few thousand distinct users, as a real site has)."""
    return f"user-{i % 5000}"


def properties(i: int) -> dict[str, Any]:
    """A fresh 10-property dict for call ``i`` (built per call, as a request handler would)."""
    return {
        "order_id": f"ord-{i:08d}",
        "total": 42.5 + (i % 100),
        "currency": "USD",
        "items": 1 + i % 7,
        "coupon": None,
        "category": "books",
        "is_gift": i % 3 == 0,
        "tags": ["new", "promo"],
        "shipping": {"method": "ground", "days": 3},
        "sku": "SKU-12345",
    }


def traits(i: int) -> dict[str, Any]:
    """A fresh 10-trait dict for identify() call ``i``."""
    return {
        "email": f"person{i}@example.com",
        "name": "Ada Lovelace",
        "plan": "pro",
        "age": 36,
        "credits": 12.75,
        "is_admin": False,
        "company": None,
        "roles": ["owner", "billing"],
        "address": {"city": "London", "country": "GB"},
        "created_at": "2024-01-02T03:04:05.000+00:00",
    }
