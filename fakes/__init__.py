"""Test peers that stand in for outside services in development and tests (never imported by the app)."""
