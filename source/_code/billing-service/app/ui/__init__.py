"""Web pages. May import app.domain; the domain never imports this package."""
