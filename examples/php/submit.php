<?php
// Forwards comments to Moderato and follows the decision feed until each has a verdict.
//
//   MODERATO_URL=http://127.0.0.1:8088 MODERATO_API_TOKEN=… php examples/php/submit.php comments.json
//
// comments.json holds a JSON array of comments. Prints "ID STATUS" for each as its verdict arrives.
require __DIR__ . '/Moderato.php';

$moderato = new Moderato(getenv('MODERATO_URL') ?: 'http://127.0.0.1:8088', getenv('MODERATO_API_TOKEN') ?: '');
$comments = json_decode(file_get_contents($argv[1] ?? 'php://stdin'), true, 512, JSON_THROW_ON_ERROR);
$waiting = [];
foreach ($comments as $comment) {
    $moderato->submit($comment);
    $waiting[$comment['id']] = true;
}
$after = 0;
$deadline = time() + 30;
while ($waiting && time() < $deadline) {
    $page = $moderato->decisions($after);
    foreach ($page['decisions'] as $decision) {
        if (isset($waiting[$decision['id']])) {
            echo $decision['id'], ' ', $decision['status'], "\n";
            unset($waiting[$decision['id']]);
        }
    }
    $after = $page['next'];
    if (!$page['decisions']) {
        usleep(200000);
    }
}
exit($waiting ? 1 : 0);
