<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 404, no such thing, or one of another tenant (the API answers both alike).
 */
class NotFoundError extends ApiError
{
}
