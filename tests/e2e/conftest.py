"""The e2e tests use the session-wide local stack from tests/conftest.py (`base_url`, `http`)."""
