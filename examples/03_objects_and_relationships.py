"""Objects and relationships: create, update, relate, and delete.

Run: python examples/03_objects_and_relationships.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics

with example("Objects and relationships"):
    # An object alone (object type 1, e.g. "Companies").
    analytics.create_object("acme", {"name": "Acme Inc.", "plan": "enterprise"})

    # An object with a person related to it, and attributes on the relationship.
    analytics.create_object(
        "globex",
        {"name": "Globex"},
        object_type_id=2,
        user_id="user_1",
        relationship_attributes={"role": "admin"},
    )
    analytics.update_object("acme", {"employees": 250})
    analytics.create_relationship("user_2", "acme", relationship_attributes={"role": "member"})

    # The same as a plain group call.
    analytics.group("user_3", "acme", object_type_id="1", relationship_attributes={"role": "guest"})

    analytics.delete_relationship("user_2", "acme")
    analytics.delete_object("globex", object_type_id=2)
