"""What Customer.io means by each operation and semantic event (its vocabulary).

Nothing here does I/O: operations and helpers build messages and hand them to
an Emitter (a client queues them, a bulk send collects them).
"""
