"""GET /v1/health — no authentication; proves API Gateway → Lambda → layers works end to end."""

from platform_api import __version__
from platform_api.http import create_app, lambda_handler
from platform_api.models.health import Health
from platform_api.settings import get_settings

app = create_app(public_routes=[("GET", "/v1/health")])


@app.get("/v1/health", summary="Service health", tags=["health"], operation_id="getHealth")
def health() -> Health:
    settings = get_settings()
    return Health(status="ok", version=__version__, stage=settings.stage_name, environment=settings.environment)


handler = lambda_handler(app)
