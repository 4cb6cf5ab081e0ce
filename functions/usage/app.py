"""GET /v1/usage: rate-limit windows, API calls this month and entitlement usage (routes only)."""

from platform_api.domain import usage as domain
from platform_api.http import create_app, current_principal, lambda_handler, requires
from platform_api.models.envelopes import Envelope, answers
from platform_api.models.usage import UsageOut

app = create_app()


@app.get(
    "/v1/usage",
    summary="Your rate-limit windows, API calls this month and entitlement usage",
    tags=["usage"],
    operation_id="getUsage",
    responses=answers(Envelope[UsageOut]),
)
@requires("read:usage")
def get_usage() -> dict:
    return {"data": domain.summary(current_principal())}


handler = lambda_handler(app)
