"""Content-team tools: validate, author, preview, new."""
