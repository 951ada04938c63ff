"""Leaders' dashboards: the site's read of every app's indicators (no app imports this)."""
