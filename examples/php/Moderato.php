<?php
// A small Moderato client for PHP websites: no extension beyond PHP's own HTTP streams.
//
//   $moderato = new Moderato('http://127.0.0.1:8088', getenv('MODERATO_API_TOKEN'));
//   $moderato->submit(['id' => 'c-1', 'article_id' => 'news-42', 'author' => 'Ann', 'body' => '…', 'rating' => 4]);
//   foreach ($moderato->decisions($lastSeq)['decisions'] as $d) { /* publish or hide $d['id'] */ }
//
// A webhook endpoint checks each delivery with Moderato::verifyWebhook() before trusting it.

final class ModeratoError extends RuntimeException {}

final class Moderato
{
    public function __construct(private string $baseUrl, private string $token) {}

    /** Forwards a new comment; returns {"id", "status"} once Moderato has stored it. */
    public function submit(array $comment): array
    {
        return $this->request('POST', '/v1/comments', $comment, [202]);
    }

    /** A comment's current verdict: {"id", "status", "score", "reasons"}. */
    public function comment(string $id): array
    {
        return $this->request('GET', '/v1/comments/' . rawurlencode($id), null, [200]);
    }

    /** Decisions after a feed position, oldest first: {"decisions": [...], "next": SEQ}. */
    public function decisions(int $after, int $limit = 100): array
    {
        return $this->request('GET', '/v1/decisions?after=' . $after . '&limit=' . $limit, null, [200]);
    }

    /**
     * Whether a webhook delivery is genuine: the signature is the HMAC-SHA256, keyed with the shared
     * secret, of "TIMESTAMP.BODY", and the timestamp is at most $maxAge seconds old (replays fail).
     */
    public static function verifyWebhook(string $secret, ?string $timestamp, ?string $signature, string $body, int $maxAge = 300): bool
    {
        if ($timestamp === null || $signature === null || !ctype_digit($timestamp)) {
            return false;
        }
        if (abs(time() - (int) $timestamp) > $maxAge) {
            return false;
        }
        $expected = 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $secret);
        return hash_equals($expected, $signature);
    }

    private function request(string $method, string $path, ?array $body, array $expected): array
    {
        $headers = ['Authorization: Bearer ' . $this->token, 'Accept: application/json'];
        $options = ['method' => $method, 'ignore_errors' => true, 'timeout' => 10];
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
            $options['content'] = json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        }
        $options['header'] = implode("\r\n", $headers);
        $response = @file_get_contents($this->baseUrl . $path, false, stream_context_create(['http' => $options]));
        if ($response === false) {
            throw new ModeratoError("cannot reach Moderato at {$this->baseUrl}");
        }
        // $http_response_header is set by the HTTP stream: its first line holds the status.
        preg_match('#^HTTP/\S+ (\d{3})#', $http_response_header[0] ?? '', $match);
        $status = (int) ($match[1] ?? 0);
        $decoded = json_decode($response, true);
        if (!in_array($status, $expected, true)) {
            $message = $decoded['error']['message'] ?? $response;
            throw new ModeratoError("Moderato answered $status: $message");
        }
        return $decoded;
    }
}
