<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 409, a conflict: a duplicate, a state that does not allow it, or the same Idempotency-Key still running.
 */
class ConflictError extends ApiError
{
}
