"""The web door: server-rendered pages (Jinja2 templates in ``templates/``, our own stylesheet
in :mod:`sprocket.static`), one router module per area (:mod:`.home`, ...), assembled by
:func:`sprocket.web.door.web_router`. Like every door it only translates a request into
service calls and the answer into a page: no query and no rule lives here."""
