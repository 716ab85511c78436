"""The owner's admin pages (see admin.views)."""
