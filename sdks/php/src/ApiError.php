<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * Every error the SDK raises for a call: an error answer of the API (4xx/5xx, in the envelope
 * `{"error": {"code", "message", "details", "request_id"}}`) or a network failure (NetworkError, status 0).
 *
 * `$e->status` is the HTTP status, `$e->errorCode` the API's error code (`resource_not_found`; also readable as
 * `$e->code`, and `getCode()` returns the status as an int, as PHP requires), `$e->details` the field => messages
 * map, `$e->requestId` the request id to quote to support. Subclasses per status: AuthenticationError (401),
 * PermissionDeniedError (403), NotFoundError (404), ConflictError (409), ValidationError (400, 422),
 * RateLimitError (429), ServerError (5xx).
 *
 * @property-read string $code the API's error code (same as $errorCode)
 */
class ApiError extends \RuntimeException
{
    /**
     * @param array<string, mixed> $details
     * @param array<string, string> $headers response headers, lower-case names
     * @param array<string, mixed>|null $body the decoded error body, when it was JSON
     */
    public function __construct(
        string $message,
        public readonly int $status = 0,
        public readonly string $errorCode = '',
        public readonly array $details = [],
        public readonly ?string $requestId = null,
        public readonly array $headers = [],
        public readonly ?array $body = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $status, $previous);
    }

    public function __get(string $name): mixed
    {
        return match ($name) {
            'code' => $this->errorCode,
            'message' => $this->getMessage(),
            'request_id' => $this->requestId,
            default => throw new \LogicException(static::class . " has no property {$name}"),
        };
    }

    public function __isset(string $name): bool
    {
        return in_array($name, ['code', 'message', 'request_id'], true);
    }

    /**
     * The error for an HTTP answer: the subclass of its status, with the envelope's fields.
     *
     * @param array<string, string> $headers lower-case names
     */
    public static function fromResponse(int $status, array $headers, string $body): self
    {
        $decoded = json_decode($body, true);
        $decoded = is_array($decoded) ? $decoded : null;
        $error = is_array($decoded['error'] ?? null) ? $decoded['error'] : [];
        $message = is_string($error['message'] ?? null) ? $error['message'] : (trim($body) !== '' ? trim($body) : "HTTP {$status}");
        $code = is_string($error['code'] ?? null) ? $error['code'] : "http_{$status}";
        $details = is_array($error['details'] ?? null) ? $error['details'] : [];
        $requestId = is_string($error['request_id'] ?? null) ? $error['request_id'] : ($headers['x-request-id'] ?? null);
        $args = [$message, $status, $code, $details, $requestId, $headers, $decoded];
        if ($status === 429) {
            $retryAfter = RateLimitError::retryAfterOf($headers, $error);
            return new RateLimitError(...[...$args, null, $retryAfter]);
        }
        return match (true) {
            $status === 400, $status === 422 => new ValidationError(...$args),
            $status === 401 => new AuthenticationError(...$args),
            $status === 403 => new PermissionDeniedError(...$args),
            $status === 404 => new NotFoundError(...$args),
            $status === 409 => new ConflictError(...$args),
            $status >= 500 => new ServerError(...$args),
            default => new self(...$args),
        };
    }

    public function __toString(): string
    {
        $id = $this->requestId !== null ? " (request {$this->requestId})" : '';
        return static::class . ": [{$this->status} {$this->errorCode}] {$this->getMessage()}{$id}";
    }
}
