"""Events out: task and deployment changes delivered to subscribers as signed POSTs.

Events come from the event log (written by database triggers on every write path);
``service.deliver_due`` dispatches them to subscriptions (``dispatch_event_log``) and delivers
(called by the origin's background loop and by maintenance); ``routes`` manages subscriptions.
See docs/events.md.
"""
