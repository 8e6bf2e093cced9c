"""How queued bytes reach Customer.io: consumer, batches, retries, rate limit, transport.

Nothing here knows what a message means; it moves encoded messages and gives
each one exactly one outcome (delivered, or reported to on_error).
"""
