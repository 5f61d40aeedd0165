// A small Moderato client for Node.js websites (Node 18 or later: fetch and crypto are built in).
//
//   const moderato = new Moderato('http://127.0.0.1:8088', process.env.MODERATO_API_TOKEN);
//   await moderato.submit({ id: 'c-1', article_id: 'news-42', author: 'Ann', body: '…', rating: 4 });
//   const { decisions, next } = await moderato.decisions(lastSeq);
//
// A webhook endpoint checks each delivery with verifyWebhook() before trusting it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class ModeratoError extends Error {}

export class Moderato {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** Forwards a new comment; resolves to {id, status} once Moderato has stored it. */
  submit(comment) {
    return this.#request('POST', '/v1/comments', comment, [202]);
  }

  /** A comment's current verdict: {id, status, score, reasons}. */
  comment(id) {
    return this.#request('GET', `/v1/comments/${encodeURIComponent(id)}`, undefined, [200]);
  }

  /** Decisions after a feed position, oldest first: {decisions, next}. */
  decisions(after, limit = 100) {
    return this.#request('GET', `/v1/decisions?after=${after}&limit=${limit}`, undefined, [200]);
  }

  async #request(method, path, body, expected) {
    const headers = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(this.baseUrl + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000),
      });
    } catch (error) {
      throw new ModeratoError(`cannot reach Moderato at ${this.baseUrl}: ${error.message}`);
    }
    const decoded = await response.json().catch(() => ({}));
    if (!expected.includes(response.status)) {
      throw new ModeratoError(`Moderato answered ${response.status}: ${decoded?.error?.message ?? response.statusText}`);
    }
    return decoded;
  }
}

/**
 * Whether a webhook delivery is genuine: the signature is the HMAC-SHA256, keyed with the shared
 * secret, of "TIMESTAMP.BODY" (the raw body bytes), and the timestamp is at most maxAge seconds old.
 */
export function verifyWebhook(secret, timestamp, signature, rawBody, maxAge = 300) {
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > maxAge) return false;
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex'));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
