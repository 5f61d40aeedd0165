// Forwards comments to Moderato and follows the decision feed until each has a verdict.
//
//   MODERATO_URL=http://127.0.0.1:8088 MODERATO_API_TOKEN=… node examples/node/submit.mjs comments.json
//
// comments.json holds a JSON array of comments. Prints "ID STATUS" for each as its verdict arrives.
import { readFileSync } from 'node:fs';
import { Moderato } from './moderato.mjs';

const moderato = new Moderato(process.env.MODERATO_URL ?? 'http://127.0.0.1:8088', process.env.MODERATO_API_TOKEN ?? '');
const comments = JSON.parse(readFileSync(process.argv[2] ?? 0, 'utf8'));
const waiting = new Set();
for (const comment of comments) {
  await moderato.submit(comment);
  waiting.add(comment.id);
}
let after = 0;
const deadline = Date.now() + 30000;
while (waiting.size > 0 && Date.now() < deadline) {
  const page = await moderato.decisions(after);
  for (const decision of page.decisions) {
    if (waiting.delete(decision.id)) console.log(`${decision.id} ${decision.status}`);
  }
  after = page.next;
  if (page.decisions.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
}
process.exitCode = waiting.size > 0 ? 1 : 0;
