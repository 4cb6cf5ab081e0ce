<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 5xx, after the retries.
 */
class ServerError extends ApiError
{
}
