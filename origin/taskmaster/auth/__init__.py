"""Authentication and authorization at the origin, one stage per module.

- ``scopes``: the one table saying which scope each path needs (public, edge-only, or a scope).
- ``edge``: verification of the identity the edge asserts in signed ``X-Edge-*`` headers.
- ``cache``: the in-process key verdict cache and its LISTEN/NOTIFY invalidation.
- ``authenticate``: the request stage that ties them together (runs before every handler).
- ``recorder``: per-key usage and ``api_access_logs``, written in batches off the request path.
- ``cf_access``: optional Cloudflare Access JWT verification.
"""
