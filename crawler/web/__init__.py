"""The web dashboard, its JSON API and its feeds (see crawler/web/app.py)."""
