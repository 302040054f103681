"""The plain HTTP doors beside GraphQL, one ``APIRouter`` module each: :mod:`.health`
(/healthz, /readyz), :mod:`.metrics` (/metrics), :mod:`.replays` (replay downloads) and
:mod:`.site` (the schema document and the static files).
:func:`sprocket.app.create_app` includes them."""
