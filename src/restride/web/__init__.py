"""The web app: server-rendered pages with HTMX, a JSON API, and the sign-in state behind them.

`restride.web.app.create_app(database)` builds it; `restride serve` runs it with uvicorn.
"""
