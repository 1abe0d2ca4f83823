"""Session store (SQLite) and teacher reports (HTML)."""
