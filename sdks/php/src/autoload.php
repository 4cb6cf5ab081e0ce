<?php

declare(strict_types=1);

/*
 * A PSR-4 autoloader for CorePhp\SDK\ -> this directory, for using the SDK without Composer:
 *
 *     require '/path/to/sdks/php/src/autoload.php';
 *
 * With Composer, composer.json's "autoload" maps the same namespace and this file is not needed.
 */

spl_autoload_register(static function (string $class): void {
    $prefix = 'CorePhp\\SDK\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
