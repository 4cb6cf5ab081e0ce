"""GENERATED from sdks/routes.json by sdks/python/generate.py: do not edit, run `make sdks`."""
