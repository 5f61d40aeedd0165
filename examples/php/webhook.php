<?php
// A webhook endpoint for Moderato's signed deliveries (for `php -S 127.0.0.1:8090 webhook.php`, or
// behind any PHP server). Genuine deliveries are appended to MODERATO_EXAMPLE_LOG as "SEQ ID STATUS";
// a delivery whose signature or timestamp fails is refused with 401 and ignored.
require __DIR__ . '/Moderato.php';

$body = file_get_contents('php://input');
$genuine = Moderato::verifyWebhook(getenv('MODERATO_WEBHOOK_SECRET') ?: '', $_SERVER['HTTP_X_MODERATO_TIMESTAMP'] ?? null,
                                   $_SERVER['HTTP_X_MODERATO_SIGNATURE'] ?? null, $body);
if (!$genuine) {
    http_response_code(401);
    exit;
}
$decision = json_decode($body, true);
// Here a website publishes or hides the comment; the example records what it would do.
file_put_contents(getenv('MODERATO_EXAMPLE_LOG') ?: 'php://stderr',
                  "{$decision['seq']} {$decision['id']} {$decision['status']}\n", FILE_APPEND | LOCK_EX);
http_response_code(204);
