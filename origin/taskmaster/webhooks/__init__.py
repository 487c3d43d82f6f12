"""Webhooks in: GitHub and Linear deliveries, verified by HMAC, stored, then mapped onto tasks.

``routes`` receives (signature check, dedupe, store as ``pending``); ``service.process_due`` is the
asynchronous half (claim with ``FOR UPDATE SKIP LOCKED``, map, retry with backoff). To handle a new
event, add a mapper to ``mapping.MAPPERS``; to add a provider, add its verifier to ``signatures``
and a route.
"""
