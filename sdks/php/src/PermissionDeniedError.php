<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 403, the credential may not do this (scope, role, tier).
 */
class PermissionDeniedError extends ApiError
{
}
