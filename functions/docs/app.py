"""GET /v1/openapi.json and GET /v1/docs (Swagger UI), public.

Serves the document `make openapi` generates from every function's routes and models and packages next
to this file, so this function imports no other group's code and their cost never lands here. Swagger
UI's assets are the copies Powertools ships (no CDN at runtime).
"""

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from platform_api.http import create_app, lambda_handler

DOCUMENT = Path(__file__).with_name("openapi.json")
CACHE = {"Cache-Control": "public, max-age=300"}
SPEC_LINK = 'currentUrl.pathname + "?format=json"'

app = create_app(public_routes=[("GET", "/v1/openapi.json"), ("GET", "/v1/docs")])


@lru_cache(maxsize=1)
def _document() -> str:
    return DOCUMENT.read_text()


@lru_cache(maxsize=1)
def _swagger_page() -> str:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import html

    assets = Path(html.__file__).parent
    page = html.generate_swagger_html(
        spec=_document(),
        swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(),
        swagger_css=(assets / "swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
        persist_authorization=False,  # a bearer token typed into the page is never kept in localStorage
    )
    # Powertools links the page to `/v1/docs?format=json`, which this function answers with the page itself: point
    # the link under the title at the document (`/v1/openapi.json`, or `/api/v1/openapi.json` on the stage path).
    if SPEC_LINK not in page:
        raise RuntimeError("Swagger UI page changed: the document link is no longer where it was")
    return page.replace(SPEC_LINK, 'currentUrl.pathname.replace(/docs$/, "openapi.json")')


@lru_cache(maxsize=1)
def _page_headers() -> dict[str, str]:
    """A strict policy for the page: its own inline scripts only (by hash), no framing, no other origin."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in re.findall(r"<script[^>]*>(.*?)</script>", _swagger_page(), flags=re.S)
    )
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return {
        **CACHE,
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


@app.get(
    "/v1/openapi.json",
    summary="The OpenAPI 3.1 document of the whole API",
    tags=["docs"],
    operation_id="getOpenApiDocument",
)
def openapi_document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=_document(), headers=CACHE)


@app.get("/v1/docs", summary="Swagger UI over the OpenAPI document", tags=["docs"], operation_id="getSwaggerUi")
def swagger_ui() -> Response[str]:
    page = _swagger_page()
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=_page_headers())


handler = lambda_handler(app)
