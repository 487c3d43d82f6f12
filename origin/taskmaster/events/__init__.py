"""Events out: task and deployment changes delivered to subscribers as signed POSTs.

Events are recorded by database triggers (migration ``…_create_outbound_events``), so every write
path records them; ``routes`` manages subscriptions; ``service.deliver_due`` delivers (called by
the origin's background loop and by maintenance). See docs/events.md.
"""
