// A webhook endpoint for Moderato's signed deliveries: PORT=8090 node examples/node/webhook.mjs.
// Genuine deliveries are appended to MODERATO_EXAMPLE_LOG as "SEQ ID STATUS"; a delivery whose
// signature or timestamp fails is refused with 401 and ignored.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { verifyWebhook } from './moderato.mjs';

const secret = process.env.MODERATO_WEBHOOK_SECRET ?? '';
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!verifyWebhook(secret, request.headers['x-moderato-timestamp'], request.headers['x-moderato-signature'], body)) {
      response.writeHead(401).end();
      return;
    }
    const decision = JSON.parse(body.toString('utf8'));
    // Here a website publishes or hides the comment; the example records what it would do.
    appendFileSync(process.env.MODERATO_EXAMPLE_LOG ?? '/dev/stderr', `${decision.seq} ${decision.id} ${decision.status}\n`);
    response.writeHead(204).end();
  });
});
server.listen(Number(process.env.PORT ?? 8090), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
