"""The HTTP boundary: ASGI guards every request passes before any door (GraphQL, pages,
downloads) does work for it.

From the outside in (see :func:`sprocket.app.create_app`): request metrics; security headers
on every answer; the client's address from trusted proxies only; a body size limit; a time
limit on execution; the cross-site upload preflight; the caller, read once; the response
cache; the per-client rate limit on uncached work. Each refusal is a typed error with the
JSON shape of GraphQL errors (``errors[].extensions.code``).
"""
