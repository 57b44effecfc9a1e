"""Views of the recommendations app, one module per group of pages (lists, dashboard, detail, inspections)."""
