"""The warm-latency baseline: a bare Powertools APIGatewayRestResolver route returning a constant."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()


@app.get("/v1/health")
def health() -> dict:
    return {"status": "ok"}


def handler(event, context):
    return app.resolve(event, context)
