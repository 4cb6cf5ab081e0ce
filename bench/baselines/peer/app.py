"""The peer: the same GET /v1/health written the common way, FastAPI + Mangum + boto3."""

import os

import boto3
from fastapi import FastAPI
from mangum import Mangum
from pydantic import BaseModel

dynamodb = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"))
api = FastAPI()


class Health(BaseModel):
    status: str
    version: str
    stage: str
    environment: str


@api.get("/v1/health")
def health() -> Health:
    return Health(
        status="ok",
        version="0.1.0",
        stage=os.environ.get("STAGE_NAME", "api"),
        environment=os.environ.get("ENVIRONMENT", "dev"),
    )


handler = Mangum(api, lifespan="off", api_gateway_base_path="/")
