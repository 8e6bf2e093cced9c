"""The Customer.io event vocabulary, described once: every documented event and its properties.

Each semantic event (e-commerce, video, mobile) and each Customer.io operation
event is one :class:`Event`: its wire name, the enum member and helper (or
operation) that send it, a one-line summary, and its documented properties.
A :class:`Property` is a wire key, a :class:`Kind`, a line of documentation
and whether it is required; their shapes are in
:mod:`cio_analytics._spec.schema`. A kind holds both the annotation a generated
signature uses and the check that runs on the value at the call, so the two
cannot disagree.

``scripts/generate_events.py`` writes from this table the event enums
(``cio_analytics/events.py``), the helper classes
(``cio_analytics/_spec/ecommerce.py``, ``video.py``, ``mobile.py``) and the
public modules that bind them to the default client; a test fails when a
checked-in file differs from what the generator writes. At run time,
:class:`~cio_analytics._spec.family.EventFamily` looks up the event a helper
sends in :data:`SEMANTIC_EVENTS` and applies each property's check, and the
operations in ``operations.py`` take their wire keys and checks from
:data:`OPERATION_EVENTS`.

To add an event: add its :class:`Event` to its family's ``events`` (reusing
the properties defined here), run ``make generate``, and commit the table
with the files it rewrote.

Sources (see ``cio_api.md`` section 4): Customer.io documents the event names
(and the operation events' payloads); the semantic events' keys and types
follow Segment's e-commerce v2, video and mobile specs, which Customer.io's
are derived from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cio_analytics._spec.schema import (
    BOOLEAN,
    DATE_TIME,
    ID,
    IDENTIFIER,
    INTEGER,
    INTEGER_ID,
    MAPPING,
    NUMBER,
    OBJECT_TYPE,
    TEXT,
    TEXT_LIST,
    TEXT_OR_MAPPING,
    TEXT_OR_NUMBER,
    Event,
    EventEnum,
    Family,
    Kind,
    Property,
    Shape,
    ValueSet,
    choice,
    event,
    mapping_list_of,
    mapping_of,
    one_of,
)

__all__ = [
    "CUSTOMERIO",
    "DEVICE_TOKEN",
    "DEVICE_TYPE",
    "ECOMMERCE",
    "EVENTS_DOC",
    "FAMILIES",
    "MOBILE",
    "OBJECT_TYPE_ID",
    "OPERATION_EVENTS",
    "SEMANTIC_EVENTS",
    "VALUE_SETS",
    "VIDEO",
    "Event",
    "EventEnum",
    "Family",
    "Kind",
    "Property",
    "Shape",
    "ValueSet",
]


# -- value sets --------------------------------------------------------------------

DELIVERY_METRICS: Final = ValueSet(
    "DeliveryMetric",
    "The ``metric`` values of ``Report Delivery Event``.",
    'client.report_delivery_event("dlv_123", DeliveryMetric.OPENED)',
    (("DELIVERED", "delivered"), ("OPENED", "opened"), ("CLICKED", "clicked"),
     ("CONVERTED", "converted")),
)  # fmt: skip
DEVICE_TYPES: Final = ValueSet(
    "DeviceType",
    "The ``context.device.type`` values of the device events.",
    'client.add_device("user_1", "fcm-token", DeviceType.ANDROID)',
    (("IOS", "ios"), ("ANDROID", "android")),
)
CONTENT_ACTIONS: Final = ValueSet(
    "ContentAction",
    "The ``actionType`` values of ``Report Content Event``.",
    "client.report_content_event(ContentAction.VIEWED, content_id=12)",
    (("VIEWED", "viewed_content"), ("CLICKED", "clicked_content")),
)
VALUE_SETS: Final = (DELIVERY_METRICS, DEVICE_TYPES, CONTENT_ACTIONS)


# -- e-commerce --------------------------------------------------------------------

PRODUCT_ID: Final = Property("product_id", IDENTIFIER, "The product's id in your database.")
CATEGORY: Final = Property("category", TEXT, "The product category.")
NAME: Final = Property("name", TEXT, "The product's name.")
PRICE: Final = Property("price", NUMBER, "The product's unit price.")
COUPON: Final = Property("coupon", TEXT, "A coupon code.")
#: The keys of a product, flat in the product events and the keys of :class:`Product`.
PRODUCT: Final = (
    PRODUCT_ID,
    Property("sku", TEXT, "The product's SKU."),
    CATEGORY,
    NAME,
    Property("brand", TEXT, "The product's brand."),
    Property("variant", TEXT, "The product's variant (e.g. ``Black``)."),
    PRICE,
    Property("quantity", NUMBER, "How many units."),
    COUPON,
    Property("position", INTEGER, "The product's position in the list (1-based)."),
    Property("url", TEXT, "The URL of the product page."),
    Property("image_url", TEXT, "The URL of the product's image."),
)
#: A shared product: the product keys without quantity, coupon and position.
SHARED_PRODUCT: Final = tuple(p for p in PRODUCT if p.key not in {"quantity", "coupon", "position"})

PRODUCT_SHAPE: Final = Shape(
    "Product",
    "One product in ``products`` (every key optional; more keys are allowed at run time).",
    'product: Product = {"product_id": "p-1", "sku": "G-32", "price": 18.99, "quantity": 1}',
    PRODUCT,
)
LIST_FILTER: Final = Shape(
    "ListFilter",
    "One filter of ``Product List Filtered``: a filter type and the chosen value.",
    'price_filter: ListFilter = {"type": "price", "value": "under-25"}',
    (Property("type", TEXT, "What is filtered on (``price``, ``color`` ...)."),
     Property("value", TEXT, "The chosen value.")),
    total=True,
)  # fmt: skip
LIST_SORT: Final = Shape(
    "ListSort",
    "One sort order of ``Product List Filtered``: a sort type and its direction.",
    'by_price: ListSort = {"type": "price", "value": "desc"}',
    (Property("type", TEXT, "What is sorted on (``price`` ...)."),
     Property("value", TEXT, "The direction (``asc`` or ``desc``).")),
    total=True,
)  # fmt: skip

PRODUCTS: Final = Property(
    "products", mapping_list_of(PRODUCT_SHAPE), "The products involved, as :class:`Product` dicts."
)
LIST_ID: Final = Property("list_id", IDENTIFIER, "The id of the product list.")
LIST_CATEGORY: Final = Property("category", TEXT, "The category being viewed.")
PROMOTION: Final = (
    Property("promotion_id", IDENTIFIER, "The promotion's id."),
    Property("creative", TEXT, "The promotion's creative (e.g. ``top_banner_2``)."),
    Property("name", TEXT, "The promotion's name."),
    Property("position", TEXT, "Where the promotion is shown (e.g. ``home_banner_top``)."),
)
CURRENCY: Final = Property("currency", TEXT, "The currency, as an ISO 4217 code (``USD``).")
VALUE: Final = Property("value", NUMBER, "The monetary value of the event.")
CART_ID: Final = Property("cart_id", IDENTIFIER, "The shopping cart's id.")
ORDER_ID: Final = Property("order_id", IDENTIFIER, "The order's id.")
CHECKOUT_ID: Final = Property("checkout_id", IDENTIFIER, "The checkout's id.")
AFFILIATION: Final = Property("affiliation", TEXT, "The store or affiliate the order came through.")
SUBTOTAL: Final = Property(
    "subtotal", NUMBER, "Order total after discounts, before shipping and taxes."
)
TOTAL: Final = Property("total", NUMBER, "Revenue with discounts and coupons applied.")
REVENUE: Final = Property("revenue", NUMBER, "Revenue, without shipping and taxes.")
SHIPPING: Final = Property("shipping", NUMBER, "The shipping cost.")
TAX: Final = Property("tax", NUMBER, "The total tax.")
DISCOUNT: Final = Property("discount", NUMBER, "The total discount.")
#: The checkout step keys.
STEP: Final = (
    Property("step", INTEGER, "The checkout step number."),
    Property("shipping_method", TEXT, "The chosen shipping method."),
    Property("payment_method", TEXT, "The chosen payment method."),
)
#: The amounts of an order update or cancellation.
ORDER: Final = (ORDER_ID, AFFILIATION, TOTAL, REVENUE, SHIPPING, TAX, DISCOUNT, COUPON, CURRENCY,
                PRODUCTS)  # fmt: skip
COUPON_KEYS: Final = (
    ORDER_ID,
    CART_ID,
    Property("coupon_id", IDENTIFIER, "The coupon's id."),
)
COUPON_NAME: Final = Property("coupon_name", TEXT, "The coupon's name.")
WISHLIST: Final = (
    Property("wishlist_id", IDENTIFIER, "The wishlist's id."),
    Property("wishlist_name", TEXT, "The wishlist's name."),
)
SHARE: Final = (
    Property("share_via", TEXT, "How it was shared (``email``, ``sms`` ...)."),
    Property("share_message", TEXT, "The message the sender wrote."),
    Property("recipient", TEXT, "Who it was shared with."),
)

ECOMMERCE_EVENTS: Final = (
    event("products_searched", "Products Searched", "the person searched for products.",
          Property("query", TEXT_OR_MAPPING,
                   "What the person searched for (a str, or a dict of search terms)."),
          example='"user_1", query="blue roses"'),
    event("product_list_viewed", "Product List Viewed",
          "the person viewed a product list or category.",
          LIST_ID, LIST_CATEGORY, PRODUCTS,
          example='"user_1", list_id="deals", products=[{"product_id": "p-1", "price": 19}]'),
    event("product_list_filtered", "Product List Filtered",
          "the person filtered or sorted a product list.",
          LIST_ID, LIST_CATEGORY,
          Property("filters", mapping_list_of(LIST_FILTER),
                   "The filters in use, as :class:`ListFilter` dicts."),
          Property("sorts", mapping_list_of(LIST_SORT),
                   "The sort orders in use, as :class:`ListSort` dicts."),
          PRODUCTS,
          example='"user_1", list_id="deals", filters=[{"type": "price", "value": "under-25"}]'),
    event("promotion_viewed", "Promotion Viewed", "the person saw an internal promotion.",
          *PROMOTION, example='"user_1", promotion_id="promo_1", name="Spring sale"'),
    event("promotion_clicked", "Promotion Clicked", "the person clicked an internal promotion.",
          *PROMOTION, example='"user_1", promotion_id="promo_1", creative="top_banner_2"'),
    event("product_clicked", "Product Clicked", "the person clicked a product.",
          *PRODUCT, example='"user_1", product_id="p-1", name="Monopoly", price=18.99'),
    event("product_viewed", "Product Viewed", "the person viewed a product's details.",
          *PRODUCT, CURRENCY, VALUE,
          example='"user_1", product_id="p-1", price=18.99, currency="USD"'),
    event("product_added", "Product Added", "the person added a product to their cart.",
          CART_ID, *PRODUCT, example='"user_1", cart_id="c-1", product_id="p-1", quantity=2'),
    event("product_removed", "Product Removed", "the person removed a product from their cart.",
          CART_ID, *PRODUCT, example='"user_1", cart_id="c-1", product_id="p-1"'),
    event("cart_viewed", "Cart Viewed", "the person viewed their cart.",
          CART_ID, PRODUCTS,
          example='"user_1", cart_id="c-1", products=[{"product_id": "p-1", "quantity": 2}]'),
    event("checkout_started", "Checkout Started", "the person started checking out.",
          ORDER_ID, AFFILIATION, VALUE, REVENUE, SHIPPING, TAX, DISCOUNT, COUPON, CURRENCY,
          PRODUCTS, example='"user_1", order_id="o-1", value=30, currency="USD"'),
    event("checkout_step_viewed", "Checkout Step Viewed", "the person viewed a checkout step.",
          CHECKOUT_ID, *STEP, example='"user_1", checkout_id="k-1", step=2'),
    event("checkout_step_completed", "Checkout Step Completed",
          "the person completed a checkout step.",
          CHECKOUT_ID, *STEP, example='"user_1", checkout_id="k-1", step=2, shipping_method="ups"'),
    event("payment_info_entered", "Payment Info Entered", "the person entered payment details.",
          CHECKOUT_ID, ORDER_ID, *STEP,
          example='"user_1", checkout_id="k-1", payment_method="card"'),
    event("order_completed", "Order Completed", "the person completed an order.",
          CHECKOUT_ID, ORDER_ID, AFFILIATION, SUBTOTAL, TOTAL, REVENUE, SHIPPING, TAX, DISCOUNT,
          COUPON, CURRENCY, PRODUCTS,
          example='"user_1", order_id="o-1", total=42.5, currency="USD"'),
    event("order_updated", "Order Updated", "an order was changed.",
          *ORDER, example='"user_1", order_id="o-1", total=40.0'),
    event("order_cancelled", "Order Cancelled", "an order was cancelled.",
          *ORDER, example='"user_1", order_id="o-1"'),
    event("order_refunded", "Order Refunded", "an order was refunded (fully or in part).",
          ORDER_ID, TOTAL, CURRENCY, PRODUCTS,
          example='"user_1", order_id="o-1", total=42.5, currency="USD"'),
    event("coupon_entered", "Coupon Entered", "the person entered a coupon.",
          *COUPON_KEYS, example='"user_1", cart_id="c-1", coupon_id="SPRING"'),
    event("coupon_applied", "Coupon Applied", "a coupon was applied.",
          *COUPON_KEYS, COUPON_NAME, DISCOUNT, example='"user_1", coupon_id="SPRING", discount=5'),
    event("coupon_removed", "Coupon Removed", "the person removed a coupon.",
          *COUPON_KEYS, COUPON_NAME, DISCOUNT, example='"user_1", coupon_id="SPRING"'),
    event("coupon_denied", "Coupon Denied", "a coupon was refused.",
          *COUPON_KEYS, COUPON_NAME, Property("reason", TEXT, "Why the coupon was denied."),
          example='"user_1", coupon_id="OLD", reason="expired"'),
    event("product_added_to_wishlist", "Product Added to Wishlist",
          "the person added a product to a wishlist.",
          *WISHLIST, *PRODUCT, example='"user_1", wishlist_id="w-1", product_id="p-1"'),
    event("product_removed_from_wishlist", "Product Removed from Wishlist",
          "the person removed a product from a wishlist.",
          *WISHLIST, *PRODUCT, example='"user_1", wishlist_id="w-1", product_id="p-1"'),
    event("wishlist_product_added_to_cart", "Wishlist Product Added to Cart",
          "a wishlist product moved to the cart.",
          *WISHLIST, CART_ID, *PRODUCT,
          example='"user_1", wishlist_id="w-1", cart_id="c-1", product_id="p-1"'),
    event("product_shared", "Product Shared", "the person shared a product.",
          *SHARE, *SHARED_PRODUCT, example='"user_1", share_via="email", product_id="p-1"'),
    event("cart_shared", "Cart Shared", "the person shared their cart.",
          *SHARE, CART_ID,
          Property("products", PRODUCTS.kind, 'The shared products (``[{"product_id": ...}]``).'),
          example='"user_1", cart_id="c-1", products=[{"product_id": "p-1"}]'),
    event("product_reviewed", "Product Reviewed", "the person reviewed a product.",
          PRODUCT_ID,
          Property("review_id", IDENTIFIER, "The review's id."),
          Property("review_body", TEXT, "The text of the review."),
          Property("rating", TEXT_OR_NUMBER, "The rating given (the spec documents a str such "
                   'as ``"5"``; numbers are sent as given).'),
          example='"user_1", product_id="p-1", rating="5"'),
)  # fmt: skip

ECOMMERCE: Final = Family(
    module="ecommerce",
    cls="EcommerceEvents",
    title="e-commerce",
    doc='''\
E-commerce semantic events: one typed helper per event of the e-commerce spec.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.EcommerceEvent`), so it is validated, queued and
batched like any other call. Use the helpers through a client, or at module
level, where they send through the default client (the one the module-level
``cio_analytics.track`` uses)::

    import cio_analytics as analytics

    analytics.ecommerce.order_completed("user_1", order_id="o-1", total=42.5, currency="USD")

    with analytics.Client(write_key="...") as client:
        client.ecommerce.product_viewed("user_1", product_id="p-1", price=18.99)

The documented property keys are keyword-only arguments with their wire names
(snake_case). Arguments left as None are not sent; ``properties`` carries any
other keys, and a documented argument wins over the same key in it. Values
are checked at the call: ids (``order_id``, ``product_id`` ...) are str or int
and sent as strings, amounts are numbers (``Decimal`` is sent as a JSON
number), ``products`` is a list of :class:`Product` dicts.

Customer.io's e-commerce page lists these event names (and ``query``); the
property keys and types follow Segment's e-commerce v2 spec, which Customer.io's
semantic events are derived from.
''',
    class_example='''\
shop = EcommerceEvents(lambda: my_client)
shop.product_added("user_1", cart_id="c-1", product_id="p-1", quantity=2)''',
    enum=EventEnum(
        "EcommerceEvent",
        "The e-commerce semantic events (helpers in :mod:`cio_analytics.ecommerce`).",
        'client.track("user_1", EcommerceEvent.PRODUCT_VIEWED, {"product_id": "sku-1"})',
        ECOMMERCE_EVENTS,
    ),
    shapes=(PRODUCT_SHAPE, LIST_FILTER, LIST_SORT),
)


# -- video ---------------------------------------------------------------------------

SESSION_ID: Final = Property(
    "session_id", IDENTIFIER, "Ties together every event of one playback session."
)
POSITION: Final = Property("position", NUMBER, "The playhead position, in seconds.")
TOTAL_LENGTH: Final = Property("total_length", NUMBER, "The total length, in seconds.")
BITRATE: Final = Property("bitrate", NUMBER, "The bitrate, in kbps.")
FRAMERATE: Final = Property("framerate", NUMBER, "The frame rate, in frames per second.")
LIVESTREAM: Final = Property("livestream", BOOLEAN, "Whether it is a live stream.")
TITLE: Final = Property("title", TEXT, "The title.")
PUBLISHER: Final = Property("publisher", TEXT, "The publisher.")
AD_TYPES: Final = one_of("pre-roll", "mid-roll", "post-roll")
#: What the player reports after the content ids (every playback event).
PLAYER: Final = (
    Property("ad_asset_id", IDENTIFIER, "The id of the ad playing, if any."),
    Property("ad_pod_id", IDENTIFIER, "The id of the ad pod (break), if any."),
    Property("ad_type", AD_TYPES, "``pre-roll``, ``mid-roll`` or ``post-roll``."),
    POSITION,
    TOTAL_LENGTH,
    BITRATE,
    FRAMERATE,
    Property("video_player", TEXT, "The player's name (``youtube``, ``vimeo`` ...)."),
    Property("sound", NUMBER, "The volume, from 0 to 100."),
    Property("full_screen", BOOLEAN, "Whether the player is full screen."),
    Property("ad_enabled", BOOLEAN, "Whether ads are enabled (False with an ad blocker)."),
    Property("quality", TEXT, "The quality (``hd1080``, ``720p`` ...)."),
    LIVESTREAM,
)
#: The keys of every playback event but the first, which takes lists of ids.
PLAYBACK: Final = (
    SESSION_ID,
    Property("content_asset_id", IDENTIFIER, "The id of the content playing."),
    Property("content_pod_id", IDENTIFIER, "The id of the content pod (segment) playing."),
    *PLAYER,
)
SEEK_POSITION: Final = Property(
    "seek_position", NUMBER, "The position, in seconds, being sought to."
)
#: The keys of the content events.
CONTENT: Final = (
    SESSION_ID,
    Property("asset_id", IDENTIFIER, "The content's id."),
    Property("pod_id", IDENTIFIER, "The pod's (segment's) id."),
    TITLE,
    Property("description", TEXT, "A short description."),
    Property("keywords", TEXT_LIST, "Keywords describing the content."),
    Property("season", IDENTIFIER, "The season (sent as a str, as documented)."),
    Property("episode", IDENTIFIER, "The episode (sent as a str, as documented)."),
    Property("genre", TEXT, "The genre."),
    Property("program", TEXT, "The program or show."),
    PUBLISHER,
    POSITION,
    TOTAL_LENGTH,
    Property("channel", TEXT, "The channel it is shown on."),
    Property("full_episode", BOOLEAN, "Whether it is a full episode (rather than a clip)."),
    LIVESTREAM,
    Property("airdate", DATE_TIME, "When it first aired (a date, datetime or ISO-8601 str; "
             "sent as ISO-8601)."),
    BITRATE,
    FRAMERATE,
)  # fmt: skip
#: The keys of the ad events.
AD: Final = (
    SESSION_ID,
    Property("asset_id", IDENTIFIER, "The ad's id."),
    Property("pod_id", IDENTIFIER, "The ad pod's (break's) id."),
    Property("pod_position", INTEGER, "The ad's position in its pod (1-based)."),
    Property("pod_length", INTEGER, "How many ads the pod holds."),
    Property("type", AD_TYPES, "The ad type (``pre-roll``, ``mid-roll``, ``post-roll``)."),
    TITLE,
    PUBLISHER,
    POSITION,
    TOTAL_LENGTH,
    Property("load_type", one_of("linear", "dynamic"),
             "``linear`` (same ad for everyone) or ``dynamic`` (targeted)."),
    Property("content", MAPPING, "The content the ad plays in (content event properties)."),
    Property("quartile", one_of(1, 2, 3), "The quartile reached: 1, 2 or 3."),
)  # fmt: skip

VIDEO_EVENTS: Final = (
    event("playback_started", "Video Playback Started",
          "the person pressed play (a playback session began).",
          SESSION_ID,
          Property("content_asset_ids", TEXT_LIST,
                   "The ids of the content assets the session will play."),
          Property("content_pod_ids", TEXT_LIST,
                   "The ids of the content pods the session will play."),
          *PLAYER,
          example='"user_1", session_id="s-1", content_asset_ids=["v-1"]',
          note="This event takes the plural ``content_asset_ids`` and ``content_pod_ids`` "
               "(everything the session will play), where the other playback events take the "
               "singular ids.",
          section="Playback: the player itself."),
    event("playback_paused", "Video Playback Paused", "playback was paused.",
          *PLAYBACK, example='"user_1", session_id="s-1", position=42'),
    event("playback_interrupted", "Video Playback Interrupted", "playback stopped unexpectedly.",
          *PLAYBACK,
          Property("method", TEXT, "Why playback was interrupted (``browser redirect`` ...)."),
          example='"user_1", session_id="s-1", method="network error"'),
    event("playback_buffer_started", "Video Playback Buffer Started",
          "playback started buffering.",
          *PLAYBACK, example='"user_1", session_id="s-1", position=42'),
    event("playback_buffer_completed", "Video Playback Buffer Completed", "buffering finished.",
          *PLAYBACK, example='"user_1", session_id="s-1", position=42'),
    event("playback_seek_started", "Video Playback Seek Started", "the person started seeking.",
          *PLAYBACK, SEEK_POSITION,
          example='"user_1", session_id="s-1", seek_position=120'),
    event("playback_seek_completed", "Video Playback Seek Completed", "seeking finished.",
          *PLAYBACK, SEEK_POSITION, example='"user_1", session_id="s-1", seek_position=120'),
    event("playback_resumed", "Video Playback Resumed", "playback resumed after a pause.",
          *PLAYBACK, example='"user_1", session_id="s-1", position=42'),
    event("playback_completed", "Video Playback Completed", "playback reached the end.",
          *PLAYBACK, example='"user_1", session_id="s-1", position=600'),
    event("playback_exited", "Video Playback Exited",
          "the person left playback (closed the player or page).",
          *PLAYBACK, example='"user_1", session_id="s-1", position=300'),
    event("content_started", "Video Content Started", "a content segment started playing.",
          *CONTENT, example='"user_1", session_id="s-1", title="Pilot"',
          section="Content: the programme being watched."),
    event("content_playing", "Video Content Playing",
          "content is playing (a periodic heartbeat).",
          *CONTENT, example='"user_1", session_id="s-1", position=30'),
    event("content_completed", "Video Content Completed", "a content segment finished.",
          *CONTENT, example='"user_1", session_id="s-1", position=600'),
    event("ad_started", "Video Ad Started", "an ad started playing.",
          *AD, example='"user_1", session_id="s-1", asset_id="ad-1", type="pre-roll"',
          section="Ads shown during playback."),
    event("ad_playing", "Video Ad Playing",
          "an ad is playing (a heartbeat, or a quartile reached).",
          *AD, example='"user_1", session_id="s-1", asset_id="ad-1", quartile=2'),
    event("ad_completed", "Video Ad Completed", "an ad finished.",
          *AD, example='"user_1", session_id="s-1", asset_id="ad-1"'),
)  # fmt: skip

VIDEO: Final = Family(
    module="video",
    cls="VideoEvents",
    title="video",
    doc='''\
Video semantic events: playback, content and ad helpers, one per event.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.VideoEvent`), so it is validated, queued and
batched like any other call. Use the helpers through a client, or at module
level, where they send through the default client::

    import cio_analytics as analytics

    analytics.video.playback_started("user_1", session_id="s-1", content_asset_ids=["v-1"])

    with analytics.Client(write_key="...") as client:
        client.video.content_playing("user_1", session_id="s-1", asset_id="v-1", position=30)

The three families share ``session_id``, which ties every event of one playback
together. Playback events describe the player, content events the programme,
ad events the ads. The documented property keys are keyword-only arguments
with their wire names (snake_case); arguments left as None are not sent;
``properties`` carries any other keys, and a documented argument wins over the
same key in it.

Customer.io documents that its video spec covers playback, content and ad
events (with ``Video Playback Started`` as its example); the other names, the
keys and their types follow Segment's video spec, which it is derived from.
Choices where that spec is loose: positions and lengths are numbers of seconds
(floats allowed); ``season`` and ``episode`` are sent as strings;
``airdate`` accepts a date or datetime and is sent as ISO-8601; ``ad_type``,
``type``, ``load_type`` and ``quartile`` are checked against their documented
values.
''',
    class_example='''\
player = VideoEvents(lambda: my_client)
player.playback_paused("user_1", session_id="s-1", position=42)''',
    enum=EventEnum(
        "VideoEvent",
        "The video semantic events: playback, content and ad (helpers in "
        ":mod:`cio_analytics.video`).",
        'client.track("user_1", VideoEvent.PLAYBACK_STARTED, {"session_id": "s-1"})',
        VIDEO_EVENTS,
    ),
)


# -- mobile ----------------------------------------------------------------------------

CAMPAIGN_SHAPE: Final = Shape(
    "Campaign",
    "The ``campaign`` of the campaign events (every key optional).",
    'campaign: Campaign = {"source": "Facebook", "name": "Spring", "medium": "Push"}',
    (
        Property("source", TEXT, "Where the campaign ran (``Facebook`` ...)."),
        Property("name", TEXT, "The campaign's name."),
        Property("medium", TEXT, "The medium (``Push``, ``Email`` ...)."),
        Property("content", TEXT, "The content of the campaign message."),
        Property("ad_creative", TEXT, "The ad creative."),
        Property("ad_group", TEXT, "The ad group."),
    ),
)
VERSION: Final = Property("version", IDENTIFIER, "The app version (sent as a str, as documented).")
BUILD: Final = Property("build", IDENTIFIER, "The app build (sent as a str, as documented).")
URL: Final = Property("url", TEXT, "The URL the app was opened with.")
PROVIDER: Final = Property("provider", TEXT, "The attribution or deep link provider.")
CAMPAIGN: Final = Property(
    "campaign", mapping_of(CAMPAIGN_SHAPE), "The campaign, as a :class:`Campaign` dict."
)
ACTION: Final = Property(
    "action", TEXT, "The notification action tapped (the spec's default is ``Open``)."
)

MOBILE_EVENTS: Final = (
    event("application_installed", "Application Installed",
          "the app was opened for the first time after install.",
          VERSION, BUILD, example='"user_1", version="1.2.3", build="1234"', section="Lifecycle."),
    event("application_opened", "Application Opened",
          "the app was launched or brought to the foreground.",
          Property("from_background", BOOLEAN,
                   "Whether the app came from the background (rather than a cold start)."),
          URL,
          Property("referring_application", TEXT, "The application that opened this one."),
          VERSION, BUILD, example='"user_1", from_background=False, version="1.2.3"'),
    event("application_backgrounded", "Application Backgrounded",
          "the app went to the background.", example='"user_1"'),
    event("application_foregrounded", "Application Foregrounded",
          "the app came back to the foreground.", example='"user_1"'),
    event("application_updated", "Application Updated", "the app was updated.",
          Property("previous_version", IDENTIFIER,
                   "The version before the update (sent as a str)."),
          Property("previous_build", IDENTIFIER, "The build before the update (sent as a str)."),
          VERSION, BUILD, example='"user_1", previous_version="1.1.0", version="1.2.0"'),
    event("application_uninstalled", "Application Uninstalled", "the app was uninstalled.",
          example='"user_1"'),
    event("application_crashed", "Application Crashed", "the app crashed.", example='"user_1"'),
    event("install_attributed", "Install Attributed", "an install was attributed to a campaign.",
          PROVIDER, CAMPAIGN,
          example='"user_1", provider="Branch", campaign={"source": "Facebook", "name": "Spring"}',
          section="Campaigns and referrals."),
    event("push_notification_received", "Push Notification Received",
          "a push notification arrived.",
          CAMPAIGN, example='"user_1", campaign={"medium": "Push", "name": "Welcome"}'),
    event("push_notification_tapped", "Push Notification Tapped",
          "the person tapped a push notification.",
          ACTION, CAMPAIGN, example='"user_1", action="Open", campaign={"name": "Welcome"}'),
    event("push_notification_bounced", "Push Notification Bounced",
          "a push notification bounced.",
          ACTION, CAMPAIGN, example='"user_1", campaign={"name": "Welcome"}'),
    event("deep_link_opened", "Deep Link Opened", "the app was opened from a deep link.",
          PROVIDER, URL, example='"user_1", provider="Branch", url="app://landing"'),
    event("deep_link_clicked", "Deep Link Clicked", "a deep link was clicked.",
          PROVIDER, URL, example='"user_1", provider="Branch", url="https://example.app.link/x"'),
    event("location_update", "Location Update", "the device reported a new location.",
          Property("latitude", NUMBER, "The latitude, in degrees."),
          Property("longitude", NUMBER, "The longitude, in degrees."),
          example='"user_1", latitude=48.8566, longitude=2.3522',
          section="Sent by Customer.io's Android SDK."),
)  # fmt: skip

MOBILE: Final = Family(
    module="mobile",
    cls="MobileEvents",
    title="mobile",
    doc='''\
Mobile application semantic events: lifecycle, campaign and location helpers.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.MobileEvent`), so it is validated, queued and
batched like any other call. A server sends these for apps whose events pass
through it (an app backend relaying lifecycle events, a push provider's
webhook ...). Use the helpers through a client, or at module level, where they
send through the default client::

    import cio_analytics as analytics

    analytics.mobile.application_installed("user_1", version="1.2.3", build="1234")

    with analytics.Client(write_key="...") as client:
        client.mobile.application_opened("user_1", from_background=True)

The documented property keys are keyword-only arguments with their wire names
(snake_case); arguments left as None are not sent; ``properties`` carries any
other keys, and a documented argument wins over the same key in it.

The lifecycle event names are the ones Customer.io's mobile spec lists
(``Application Foregrounded`` is its own); their keys and the campaign events
follow Segment's mobile spec, which it is derived from. ``Location Update``
(``latitude``, ``longitude``) is what Customer.io's Android SDK sends. Choices
where the specs are loose: ``version`` and ``build`` are documented as strings,
so ints are sent as strings.
''',
    class_example='''\
app = MobileEvents(lambda: my_client)
app.application_backgrounded("user_1")''',
    enum=EventEnum(
        "MobileEvent",
        """The mobile application events (helpers in :mod:`cio_analytics.mobile`).

The lifecycle events are the ones Customer.io documents (``Application
Foregrounded`` is Customer.io's own addition). The campaign events come
from Segment's mobile spec, which Customer.io's is derived from, and
``Location Update`` is what Customer.io's Android SDK sends with a
location.""",
        'client.track("user_1", MobileEvent.APPLICATION_OPENED, {"from_background": True})',
        MOBILE_EVENTS,
    ),
    shapes=(CAMPAIGN_SHAPE,),
)


# -- Customer.io operation events ------------------------------------------------------

DEVICE_TOKEN: Final = Property(
    "token", TEXT, "The push token (APNs or FCM).", required=True, within="context.device"
)
DEVICE_TYPE: Final = Property(
    "type", choice(DEVICE_TYPES), "``ios`` or ``android`` (any case).",
    argument="device_type", within="context.device",
)  # fmt: skip
DEVICE: Final = (DEVICE_TOKEN, DEVICE_TYPE)
#: The object type of the object events (and of ``group`` calls, as a string).
OBJECT_TYPE_ID: Final = Property(
    "objectTypeId", OBJECT_TYPE, "The object type (an integer on the wire).",
    argument="object_type_id", default=1,
)  # fmt: skip
OBJECT: Final = (
    Property("objectId", ID, "The object's id within its type.", required=True,
             argument="object_id"),
    OBJECT_TYPE_ID,
)  # fmt: skip

CUSTOMERIO_EVENTS: Final = (
    Event("Device Created or Updated", "DEVICE_CREATED_OR_UPDATED", "add_device",
          "Create the device with ``context.device.token``, or update it", DEVICE),
    Event("Device Deleted", "DEVICE_DELETED", "delete_device", "Remove a person's device",
          DEVICE),
    Event("User Deleted", "USER_DELETED", "delete_user", "Delete a person"),
    Event("User Suppressed", "USER_SUPPRESSED", "suppress_user",
          "Delete a person and suppress their identifier"),
    Event("User Unsuppressed", "USER_UNSUPPRESSED", "unsuppress_user",
          "Allow a suppressed identifier back"),
    Event("Relationship Deleted", "RELATIONSHIP_DELETED", "delete_relationship",
          "Remove a person's relationship to an object", OBJECT),
    Event("Object Deleted", "OBJECT_DELETED", "delete_object", "Delete an object", OBJECT),
    Event("Report Delivery Event", "REPORT_DELIVERY_EVENT", "report_delivery_event",
          "Report a message metric: delivered, opened ...", (
              Property("deliveryId", ID, "The delivery id (``CIO-Delivery-ID``).",
                       required=True, argument="delivery_id"),
              Property("metric", choice(DELIVERY_METRICS), "What happened to the message.",
                       required=True),
              Property("recipient", TEXT, "The recipient, e.g. the device token of a push."),
              Property("reason", TEXT, "Why, for failures."),
              Property("href", TEXT, "The link clicked, for ``clicked``."),
              Property("actionValue", TEXT, "The action taken, e.g. an in-app button.",
                       argument="action_value"),
          )),
    Event("Report Content Event", "REPORT_CONTENT_EVENT", "report_content_event",
          "Report a view or click of anonymous in-app content", (
              Property("actionType", choice(CONTENT_ACTIONS), "A view or a click.",
                       required=True, argument="action_type"),
              Property("contentId", INTEGER_ID, "The content's id.", argument="content_id"),
              Property("templateId", INTEGER_ID, "The template's id.", argument="template_id"),
          )),
)  # fmt: skip

CUSTOMERIO: Final = EventEnum(
    "CustomerIOEvent",
    "Events that make Customer.io act on people, devices, objects and messages.",
    'client.track("user_1", CustomerIOEvent.USER_DELETED)  # same as client.delete_user("user_1")',
    CUSTOMERIO_EVENTS,
)


# -- lookups ---------------------------------------------------------------------------

#: The semantic event families, in the order the generated modules list them.
FAMILIES: Final = (ECOMMERCE, VIDEO, MOBILE)

#: Every semantic event by its wire name (what a helper's send looks up).
SEMANTIC_EVENTS: Final[Mapping[str, Event]] = {
    e.name: e for family in FAMILIES for e in family.enum.events
}

#: Every Customer.io operation event by the name of the operation that sends it.
OPERATION_EVENTS: Final[Mapping[str, Event]] = {e.helper: e for e in CUSTOMERIO_EVENTS}

#: The docstring of ``cio_analytics/events.py``.
EVENTS_DOC: Final = '''\
Event names with a meaning to Customer.io, as ``StrEnum`` constants.

Every member's value is the exact ``event`` string that goes on the wire, so a
member can be passed wherever an event name is expected::

    import cio_analytics as analytics
    from cio_analytics.events import EcommerceEvent

    analytics.track("user_1", EcommerceEvent.ORDER_COMPLETED, {"order_id": "o-1"})

The families:

- :class:`CustomerIOEvent`: events that perform an action in Customer.io
  (delete a person, register a device ...). Send them with the dedicated
  helpers (:meth:`cio_analytics.Client.delete_user` and friends), which build
  the payload each one requires.
- :class:`EcommerceEvent`, :class:`VideoEvent`, :class:`MobileEvent`: the
  semantic event specs Customer.io inherits from Segment. Each member has a
  helper of the same name in lower case in :mod:`cio_analytics.ecommerce`,
  :mod:`cio_analytics.video` and :mod:`cio_analytics.mobile`
  (``EcommerceEvent.ORDER_COMPLETED`` -> ``ecommerce.order_completed``).

The value sets used by those helpers are here too: :class:`DeliveryMetric`,
:class:`DeviceType` and :class:`ContentAction`.
'''
