<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * A webhook delivery whose signature or timestamp does not verify (Webhook::constructEvent).
 */
class WebhookVerificationError extends \UnexpectedValueException
{
}
