"""E-commerce semantic events: one typed helper per event of the e-commerce spec.

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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypedDict

from cio_analytics._spec.family import (
    Check,
    EventFamily,
    Number,
    identifier,
    integer,
    mapping_list,
    number,
    scalar,
    text,
    text_or_mapping,
)
from cio_analytics.events import EcommerceEvent

__all__ = ["EcommerceEvents", "ListFilter", "ListSort", "Product"]


class Product(TypedDict, total=False):
    """One product in ``products`` (every key optional; more keys are allowed at run time).

    Example::

        product: Product = {"product_id": "p-1", "sku": "G-32", "price": 18.99, "quantity": 1}
    """

    product_id: str
    sku: str
    category: str
    name: str
    brand: str
    variant: str
    price: Number
    quantity: Number
    coupon: str
    position: int
    url: str
    image_url: str


class ListFilter(TypedDict):
    """One filter of ``Product List Filtered``: a filter type and the chosen value.

    Example::

        price_filter: ListFilter = {"type": "price", "value": "under-25"}
    """

    type: str
    value: str


class ListSort(TypedDict):
    """One sort order of ``Product List Filtered``: a sort type and its direction.

    Example::

        by_price: ListSort = {"type": "price", "value": "desc"}
    """

    type: str
    value: str


class EcommerceEvents(EventFamily):
    """The e-commerce helpers, sending through the client that ``client()`` returns.

    ``Client.ecommerce`` is an instance bound to that client; this module's
    functions are the methods of :data:`default`, bound to the default client.

    Args:
        client: A zero-argument callable returning the client to send through.

    Example::

        shop = EcommerceEvents(lambda: my_client)
        shop.product_added("user_1", cart_id="c-1", product_id="p-1", quantity=2)
    """

    __slots__ = ()

    CHECKS: ClassVar[Mapping[str, Check]] = {
        "query": text_or_mapping,
        "list_id": identifier,
        "category": text,
        "products": mapping_list,
        "filters": mapping_list,
        "sorts": mapping_list,
        "promotion_id": identifier,
        "creative": text,
        "name": text,
        "position": scalar,
        "product_id": identifier,
        "sku": text,
        "brand": text,
        "variant": text,
        "price": number,
        "quantity": number,
        "coupon": text,
        "url": text,
        "image_url": text,
        "currency": text,
        "value": number,
        "cart_id": identifier,
        "order_id": identifier,
        "checkout_id": identifier,
        "affiliation": text,
        "subtotal": number,
        "total": number,
        "revenue": number,
        "shipping": number,
        "tax": number,
        "discount": number,
        "step": integer,
        "shipping_method": text,
        "payment_method": text,
        "coupon_id": identifier,
        "coupon_name": text,
        "reason": text,
        "wishlist_id": identifier,
        "wishlist_name": text,
        "share_via": text,
        "share_message": text,
        "recipient": text,
        "review_id": identifier,
        "review_body": text,
        "rating": scalar,
    }

    def products_searched(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        query: str | Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Products Searched``: the person searched for products.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            query: What the person searched for (a str, or a dict of search terms).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.products_searched("user_1", query="blue roses")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCTS_SEARCHED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            query=query,
        )

    def product_list_viewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        list_id: str | int | None = None,
        category: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product List Viewed``: the person viewed a product list or category.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            list_id: The id of the product list.
            category: The category being viewed.
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_list_viewed(
                "user_1", list_id="deals", products=[{"product_id": "p-1", "price": 19}]
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_LIST_VIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            list_id=list_id,
            category=category,
            products=products,
        )

    def product_list_filtered(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        list_id: str | int | None = None,
        category: str | None = None,
        filters: Sequence[ListFilter | Mapping[str, Any]] | None = None,
        sorts: Sequence[ListSort | Mapping[str, Any]] | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product List Filtered``: the person filtered or sorted a product list.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            list_id: The id of the product list.
            category: The category being viewed.
            filters: The filters in use, as :class:`ListFilter` dicts.
            sorts: The sort orders in use, as :class:`ListSort` dicts.
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_list_filtered(
                "user_1", list_id="deals", filters=[{"type": "price", "value": "under-25"}]
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_LIST_FILTERED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            list_id=list_id,
            category=category,
            filters=filters,
            sorts=sorts,
            products=products,
        )

    def promotion_viewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        promotion_id: str | int | None = None,
        creative: str | None = None,
        name: str | None = None,
        position: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Promotion Viewed``: the person saw an internal promotion.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            promotion_id: The promotion's id.
            creative: The promotion's creative (e.g. ``top_banner_2``).
            name: The promotion's name.
            position: Where the promotion is shown (e.g. ``home_banner_top``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.promotion_viewed(
                "user_1", promotion_id="promo_1", name="Spring sale"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PROMOTION_VIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            promotion_id=promotion_id,
            creative=creative,
            name=name,
            position=position,
        )

    def promotion_clicked(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        promotion_id: str | int | None = None,
        creative: str | None = None,
        name: str | None = None,
        position: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Promotion Clicked``: the person clicked an internal promotion.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            promotion_id: The promotion's id.
            creative: The promotion's creative (e.g. ``top_banner_2``).
            name: The promotion's name.
            position: Where the promotion is shown (e.g. ``home_banner_top``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.promotion_clicked(
                "user_1", promotion_id="promo_1", creative="top_banner_2"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PROMOTION_CLICKED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            promotion_id=promotion_id,
            creative=creative,
            name=name,
            position=position,
        )

    def product_clicked(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Clicked``: the person clicked a product.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_clicked(
                "user_1", product_id="p-1", name="Monopoly", price=18.99
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_CLICKED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def product_viewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        currency: str | None = None,
        value: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Viewed``: the person viewed a product's details.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            currency: The currency, as an ISO 4217 code (``USD``).
            value: The monetary value of the event.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_viewed(
                "user_1", product_id="p-1", price=18.99, currency="USD"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_VIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
            currency=currency,
            value=value,
        )

    def product_added(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        cart_id: str | int | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Added``: the person added a product to their cart.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            cart_id: The shopping cart's id.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_added(
                "user_1", cart_id="c-1", product_id="p-1", quantity=2
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_ADDED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            cart_id=cart_id,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def product_removed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        cart_id: str | int | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Removed``: the person removed a product from their cart.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            cart_id: The shopping cart's id.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_removed("user_1", cart_id="c-1", product_id="p-1")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_REMOVED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            cart_id=cart_id,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def cart_viewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        cart_id: str | int | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Cart Viewed``: the person viewed their cart.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            cart_id: The shopping cart's id.
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.cart_viewed(
                "user_1", cart_id="c-1", products=[{"product_id": "p-1", "quantity": 2}]
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.CART_VIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            cart_id=cart_id,
            products=products,
        )

    def checkout_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        affiliation: str | None = None,
        value: Number | None = None,
        revenue: Number | None = None,
        shipping: Number | None = None,
        tax: Number | None = None,
        discount: Number | None = None,
        coupon: str | None = None,
        currency: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Checkout Started``: the person started checking out.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            affiliation: The store or affiliate the order came through.
            value: The monetary value of the event.
            revenue: Revenue, without shipping and taxes.
            shipping: The shipping cost.
            tax: The total tax.
            discount: The total discount.
            coupon: A coupon code.
            currency: The currency, as an ISO 4217 code (``USD``).
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.checkout_started(
                "user_1", order_id="o-1", value=30, currency="USD"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.CHECKOUT_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            affiliation=affiliation,
            value=value,
            revenue=revenue,
            shipping=shipping,
            tax=tax,
            discount=discount,
            coupon=coupon,
            currency=currency,
            products=products,
        )

    def checkout_step_viewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        checkout_id: str | int | None = None,
        step: int | None = None,
        shipping_method: str | None = None,
        payment_method: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Checkout Step Viewed``: the person viewed a checkout step.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            checkout_id: The checkout's id.
            step: The checkout step number.
            shipping_method: The chosen shipping method.
            payment_method: The chosen payment method.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.checkout_step_viewed("user_1", checkout_id="k-1", step=2)

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.CHECKOUT_STEP_VIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            checkout_id=checkout_id,
            step=step,
            shipping_method=shipping_method,
            payment_method=payment_method,
        )

    def checkout_step_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        checkout_id: str | int | None = None,
        step: int | None = None,
        shipping_method: str | None = None,
        payment_method: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Checkout Step Completed``: the person completed a checkout step.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            checkout_id: The checkout's id.
            step: The checkout step number.
            shipping_method: The chosen shipping method.
            payment_method: The chosen payment method.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.checkout_step_completed(
                "user_1", checkout_id="k-1", step=2, shipping_method="ups"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.CHECKOUT_STEP_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            checkout_id=checkout_id,
            step=step,
            shipping_method=shipping_method,
            payment_method=payment_method,
        )

    def payment_info_entered(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        checkout_id: str | int | None = None,
        order_id: str | int | None = None,
        step: int | None = None,
        shipping_method: str | None = None,
        payment_method: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Payment Info Entered``: the person entered payment details.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            checkout_id: The checkout's id.
            order_id: The order's id.
            step: The checkout step number.
            shipping_method: The chosen shipping method.
            payment_method: The chosen payment method.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.payment_info_entered(
                "user_1", checkout_id="k-1", payment_method="card"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PAYMENT_INFO_ENTERED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            checkout_id=checkout_id,
            order_id=order_id,
            step=step,
            shipping_method=shipping_method,
            payment_method=payment_method,
        )

    def order_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        checkout_id: str | int | None = None,
        order_id: str | int | None = None,
        affiliation: str | None = None,
        subtotal: Number | None = None,
        total: Number | None = None,
        revenue: Number | None = None,
        shipping: Number | None = None,
        tax: Number | None = None,
        discount: Number | None = None,
        coupon: str | None = None,
        currency: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Order Completed``: the person completed an order.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            checkout_id: The checkout's id.
            order_id: The order's id.
            affiliation: The store or affiliate the order came through.
            subtotal: Order total after discounts, before shipping and taxes.
            total: Revenue with discounts and coupons applied.
            revenue: Revenue, without shipping and taxes.
            shipping: The shipping cost.
            tax: The total tax.
            discount: The total discount.
            coupon: A coupon code.
            currency: The currency, as an ISO 4217 code (``USD``).
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.order_completed(
                "user_1", order_id="o-1", total=42.5, currency="USD"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.ORDER_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            checkout_id=checkout_id,
            order_id=order_id,
            affiliation=affiliation,
            subtotal=subtotal,
            total=total,
            revenue=revenue,
            shipping=shipping,
            tax=tax,
            discount=discount,
            coupon=coupon,
            currency=currency,
            products=products,
        )

    def order_updated(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        affiliation: str | None = None,
        total: Number | None = None,
        revenue: Number | None = None,
        shipping: Number | None = None,
        tax: Number | None = None,
        discount: Number | None = None,
        coupon: str | None = None,
        currency: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Order Updated``: an order was changed.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            affiliation: The store or affiliate the order came through.
            total: Revenue with discounts and coupons applied.
            revenue: Revenue, without shipping and taxes.
            shipping: The shipping cost.
            tax: The total tax.
            discount: The total discount.
            coupon: A coupon code.
            currency: The currency, as an ISO 4217 code (``USD``).
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.order_updated("user_1", order_id="o-1", total=40.0)

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.ORDER_UPDATED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            affiliation=affiliation,
            total=total,
            revenue=revenue,
            shipping=shipping,
            tax=tax,
            discount=discount,
            coupon=coupon,
            currency=currency,
            products=products,
        )

    def order_cancelled(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        affiliation: str | None = None,
        total: Number | None = None,
        revenue: Number | None = None,
        shipping: Number | None = None,
        tax: Number | None = None,
        discount: Number | None = None,
        coupon: str | None = None,
        currency: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Order Cancelled``: an order was cancelled.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            affiliation: The store or affiliate the order came through.
            total: Revenue with discounts and coupons applied.
            revenue: Revenue, without shipping and taxes.
            shipping: The shipping cost.
            tax: The total tax.
            discount: The total discount.
            coupon: A coupon code.
            currency: The currency, as an ISO 4217 code (``USD``).
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.order_cancelled("user_1", order_id="o-1")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.ORDER_CANCELLED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            affiliation=affiliation,
            total=total,
            revenue=revenue,
            shipping=shipping,
            tax=tax,
            discount=discount,
            coupon=coupon,
            currency=currency,
            products=products,
        )

    def order_refunded(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        total: Number | None = None,
        currency: str | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Order Refunded``: an order was refunded (fully or in part).

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            total: Revenue with discounts and coupons applied.
            currency: The currency, as an ISO 4217 code (``USD``).
            products: The products involved, as :class:`Product` dicts.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.order_refunded(
                "user_1", order_id="o-1", total=42.5, currency="USD"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.ORDER_REFUNDED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            total=total,
            currency=currency,
            products=products,
        )

    def coupon_entered(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        cart_id: str | int | None = None,
        coupon_id: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Coupon Entered``: the person entered a coupon.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            cart_id: The shopping cart's id.
            coupon_id: The coupon's id.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.coupon_entered("user_1", cart_id="c-1", coupon_id="SPRING")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.COUPON_ENTERED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            cart_id=cart_id,
            coupon_id=coupon_id,
        )

    def coupon_applied(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        cart_id: str | int | None = None,
        coupon_id: str | int | None = None,
        coupon_name: str | None = None,
        discount: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Coupon Applied``: a coupon was applied.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            cart_id: The shopping cart's id.
            coupon_id: The coupon's id.
            coupon_name: The coupon's name.
            discount: The total discount.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.coupon_applied("user_1", coupon_id="SPRING", discount=5)

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.COUPON_APPLIED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            cart_id=cart_id,
            coupon_id=coupon_id,
            coupon_name=coupon_name,
            discount=discount,
        )

    def coupon_removed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        cart_id: str | int | None = None,
        coupon_id: str | int | None = None,
        coupon_name: str | None = None,
        discount: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Coupon Removed``: the person removed a coupon.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            cart_id: The shopping cart's id.
            coupon_id: The coupon's id.
            coupon_name: The coupon's name.
            discount: The total discount.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.coupon_removed("user_1", coupon_id="SPRING")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.COUPON_REMOVED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            cart_id=cart_id,
            coupon_id=coupon_id,
            coupon_name=coupon_name,
            discount=discount,
        )

    def coupon_denied(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        order_id: str | int | None = None,
        cart_id: str | int | None = None,
        coupon_id: str | int | None = None,
        coupon_name: str | None = None,
        reason: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Coupon Denied``: a coupon was refused.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            order_id: The order's id.
            cart_id: The shopping cart's id.
            coupon_id: The coupon's id.
            coupon_name: The coupon's name.
            reason: Why the coupon was denied.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.coupon_denied("user_1", coupon_id="OLD", reason="expired")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.COUPON_DENIED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            order_id=order_id,
            cart_id=cart_id,
            coupon_id=coupon_id,
            coupon_name=coupon_name,
            reason=reason,
        )

    def product_added_to_wishlist(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        wishlist_id: str | int | None = None,
        wishlist_name: str | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Added to Wishlist``: the person added a product to a wishlist.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            wishlist_id: The wishlist's id.
            wishlist_name: The wishlist's name.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_added_to_wishlist(
                "user_1", wishlist_id="w-1", product_id="p-1"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_ADDED_TO_WISHLIST,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            wishlist_id=wishlist_id,
            wishlist_name=wishlist_name,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def product_removed_from_wishlist(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        wishlist_id: str | int | None = None,
        wishlist_name: str | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Removed from Wishlist``: the person removed a product from a wishlist.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            wishlist_id: The wishlist's id.
            wishlist_name: The wishlist's name.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_removed_from_wishlist(
                "user_1", wishlist_id="w-1", product_id="p-1"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_REMOVED_FROM_WISHLIST,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            wishlist_id=wishlist_id,
            wishlist_name=wishlist_name,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def wishlist_product_added_to_cart(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        wishlist_id: str | int | None = None,
        wishlist_name: str | None = None,
        cart_id: str | int | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        quantity: Number | None = None,
        coupon: str | None = None,
        position: int | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Wishlist Product Added to Cart``: a wishlist product moved to the cart.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            wishlist_id: The wishlist's id.
            wishlist_name: The wishlist's name.
            cart_id: The shopping cart's id.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            quantity: How many units.
            coupon: A coupon code.
            position: The product's position in the list (1-based).
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.wishlist_product_added_to_cart(
                "user_1", wishlist_id="w-1", cart_id="c-1", product_id="p-1"
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.WISHLIST_PRODUCT_ADDED_TO_CART,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            wishlist_id=wishlist_id,
            wishlist_name=wishlist_name,
            cart_id=cart_id,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            quantity=quantity,
            coupon=coupon,
            position=position,
            url=url,
            image_url=image_url,
        )

    def product_shared(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        share_via: str | None = None,
        share_message: str | None = None,
        recipient: str | None = None,
        product_id: str | int | None = None,
        sku: str | None = None,
        category: str | None = None,
        name: str | None = None,
        brand: str | None = None,
        variant: str | None = None,
        price: Number | None = None,
        url: str | None = None,
        image_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Shared``: the person shared a product.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            share_via: How it was shared (``email``, ``sms`` ...).
            share_message: The message the sender wrote.
            recipient: Who it was shared with.
            product_id: The product's id in your database.
            sku: The product's SKU.
            category: The product category.
            name: The product's name.
            brand: The product's brand.
            variant: The product's variant (e.g. ``Black``).
            price: The product's unit price.
            url: The URL of the product page.
            image_url: The URL of the product's image.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_shared("user_1", share_via="email", product_id="p-1")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_SHARED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            share_via=share_via,
            share_message=share_message,
            recipient=recipient,
            product_id=product_id,
            sku=sku,
            category=category,
            name=name,
            brand=brand,
            variant=variant,
            price=price,
            url=url,
            image_url=image_url,
        )

    def cart_shared(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        share_via: str | None = None,
        share_message: str | None = None,
        recipient: str | None = None,
        cart_id: str | int | None = None,
        products: Sequence[Product | Mapping[str, Any]] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Cart Shared``: the person shared their cart.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            share_via: How it was shared (``email``, ``sms`` ...).
            share_message: The message the sender wrote.
            recipient: Who it was shared with.
            cart_id: The shopping cart's id.
            products: The shared products (``[{"product_id": ...}]``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.cart_shared(
                "user_1", cart_id="c-1", products=[{"product_id": "p-1"}]
            )

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.CART_SHARED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            share_via=share_via,
            share_message=share_message,
            recipient=recipient,
            cart_id=cart_id,
            products=products,
        )

    def product_reviewed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        product_id: str | int | None = None,
        review_id: str | int | None = None,
        review_body: str | None = None,
        rating: str | Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Product Reviewed``: the person reviewed a product.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            product_id: The product's id in your database.
            review_id: The review's id.
            review_body: The text of the review.
            rating: The rating given (the spec documents a str such as ``"5"``;
                numbers are sent as given).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.ecommerce.product_reviewed("user_1", product_id="p-1", rating="5")

        Returns:
            The message id.
        """
        return self._send(
            EcommerceEvent.PRODUCT_REVIEWED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            product_id=product_id,
            review_id=review_id,
            review_body=review_body,
            rating=rating,
        )


#: The helpers bound to the default client (``cio_analytics.get_client()``).
