<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 401, a missing, invalid, expired or revoked credential.
 */
class AuthenticationError extends ApiError
{
}
