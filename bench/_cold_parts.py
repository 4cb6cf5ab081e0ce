"""Where a cold start goes, piece by piece: `python bench/_cold_parts.py RESULT.json`, a fresh interpreter per run.

Standalone like _cold_child.py. Each step is timed on top of the ones before it, in the order an API function pays
them, so the steps add up to a function's floor of work; the floor baseline itself is `import boto3` + the first
client (bench/baselines/floor). Run with the dependencies on sys.path (the venv) and no AWS request is made.
"""

import time

MARKS = [("start", time.monotonic())]


def mark(name):
    MARKS.append((name, time.monotonic()))


import json  # noqa: E402
import sys  # noqa: E402

import botocore.session  # noqa: E402

mark("import botocore")
session = botocore.session.get_session()
session.create_client("dynamodb", region_name="us-east-1")
mark("first client (dynamodb)")
session.create_client("secretsmanager", region_name="us-east-1")
mark("second client (secretsmanager)")
import pydantic  # noqa: E402

mark("import pydantic")


class Model(pydantic.BaseModel):
    value: int


mark("first pydantic model class")
import aws_lambda_powertools  # noqa: E402, F401

mark("import aws_lambda_powertools (Logger, Metrics, Tracer)")
from aws_lambda_powertools.event_handler import APIGatewayRestResolver  # noqa: E402

APIGatewayRestResolver(enable_validation=True)
mark("event handler + a validating resolver")
import pynamodb.models  # noqa: E402, F401

mark("import pynamodb")
sys.modules["cryptography"] = None  # as platform_api.tokens loads it: HS256 needs no cryptography
import jwt  # noqa: E402, F401

del sys.modules["cryptography"]
mark("import PyJWT (HS256 only)")
from cryptography import x509  # noqa: E402, F401
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402, F401
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa  # noqa: E402, F401

mark("what PyJWT would add with cryptography (RSA/EC)")
import boto3  # noqa: E402, F401

mark("import boto3 on top of botocore (the floor pays it)")

with open(sys.argv[1], "w") as f:
    json.dump([[name, at - MARKS[i][1]] for i, (name, at) in enumerate(MARKS[1:])], f)
