"""Request and response schemas of API v1 (marshmallow), declared once: they validate requests,
shape answers and make the OpenAPI document. `base` has the strict fields and the base classes."""
