"""Views of the recommendations app, one module per group of pages (lists.py, dashboard.py, detail.py)."""
