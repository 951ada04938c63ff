"""Pages of liaison, one module per responsibility; their routes are in ``liaison/urls.py``."""
