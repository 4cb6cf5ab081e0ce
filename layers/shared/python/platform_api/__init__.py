"""Shared code of the platform API, shipped to every function as the `SharedLayer`.

Layout (one hop from a route to its storage):
    core modules (this folder)  settings, ids, errors, http, observability, timeutil, db, pagination
    models/<group>.py           pydantic models: what comes in and what goes out
    domain/<group>.py           business rules, no HTTP
    dal/<group>.py              pynamodb models and DynamoDB access for one group
"""

__version__ = "0.1.0"
