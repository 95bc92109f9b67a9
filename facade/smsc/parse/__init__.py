"""Parsers: one module per endpoint area, each reading fmt 0-3 bodies into domain objects."""
