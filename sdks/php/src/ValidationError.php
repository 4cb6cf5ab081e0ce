<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 400 or 422: the request is invalid (`details` maps fields to messages), or an Idempotency-Key reused with another body.
 */
class ValidationError extends ApiError
{
}
