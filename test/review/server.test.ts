/**
 * The review server over HTTP against the local S3: the page and its API, items whose image is
 * gone or which are malformed, a decision race between two reviewers' servers, and requests
 * meant to break it (none may, and none gets a 500).
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import type { ItemView } from '../../src/review/api.ts';
import { type ReviewServer, startReviewServer } from '../../src/review/server.ts';
import { hostileRequest, sendRaw } from '../support/hostile-requests.ts';
import {
  getText,
  type LocalReviewBucket,
  listKeys,
  putItem,
  putObject,
  reviewItem,
  startLocalReviewBucket,
} from './fixtures.ts';

let store: LocalReviewBucket;
let ana: ReviewServer;
let ben: ReviewServer;
let png: Buffer;

beforeAll(async () => {
  store = await startLocalReviewBucket();
  png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  await putObject(store, 'images/ok.png', png);
  await putObject(store, 'images/ok.tiff', await sharp(png).tiff().toBuffer());
  await putObject(store, 'images/text.png', 'this is not an image');
  await putItem(store, 'ok-1', reviewItem({ s3_key: 'images/ok.png' }));
  await putItem(store, 'tiff-1', reviewItem({ s3_key: 'images/ok.tiff' }));
  await putItem(store, 'gone-1', reviewItem({ s3_key: 'images/deleted.png' }));
  await putItem(store, 'text-1', reviewItem({ s3_key: 'images/text.png' }));
  await putItem(store, 'broken-1', '{"this is": "not a review item"}');
  const silent = () => undefined;
  ana = await startReviewServer({ ...store, s3: store.newClient(), reviewer: 'ana', log: silent });
  ben = await startReviewServer({ ...store, s3: store.newClient(), reviewer: 'ben', log: silent });
});

afterAll(async () => {
  await ana?.stop();
  await ben?.stop();
  await store?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, their shape is what the assertions check
type Answer = { status: number; headers: Headers; body: any };

const api = async (server: ReviewServer, path: string, init?: RequestInit): Promise<Answer> => {
  const response = await fetch(new URL(path, server.url), init);
  const type = response.headers.get('content-type') ?? '';
  const body = type.startsWith('application/json')
    ? await response.json()
    : Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
};

const decide = (server: ReviewServer, id: string, body: unknown) =>
  api(server, `/api/items/${encodeURIComponent(id)}/decision`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A request with headers fetch will not send (Host, a foreign Origin). */
function rawRequest(
  server: ReviewServer,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body = '',
) {
  const url = new URL(server.url);
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('review server', () => {
  it('serves the page and its files with a strict content security policy', async () => {
    const page = await api(ana, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(String(page.body)).toContain('<script type="module" src="/review.js">');
    for (const file of ['/review.js', '/review.css', '/favicon.svg'])
      expect((await api(ana, file)).status).toBe(200);
    expect((await api(ana, '/api/session')).body).toMatchObject({
      reviewer: 'ana',
      bucket: store.bucket,
      labels: [
        { label: 'bicycle', route: 'short-range' },
        { label: 'motorcycle', route: 'long-range' },
        { label: 'neither', route: 'not-routed' },
      ],
    });
  });

  it('lists items with their prediction, and shows malformed ones as such', async () => {
    const { status, body } = await api(ana, '/api/items?offset=0&limit=50');
    expect(status).toBe(200);
    expect(body.total).toBe(5);
    const byId = new Map<string, ItemView>(body.items.map((item: ItemView) => [item.id, item]));
    expect(byId.get('ok-1')).toMatchObject({
      status: 'ok',
      inferenceId: 'ok-1',
      prediction: {
        label: 'motorcycle',
        confidence: 0.62,
        threshold: 0.8,
        image: `s3://${store.bucket}/images/ok.png`,
        probabilities: [
          { label: 'bicycle', probability: 0.38 },
          { label: 'motorcycle', probability: 0.62 },
        ],
      },
      imageUrl: '/api/items/ok-1/image',
    });
    expect(byId.get('broken-1')?.status).toBe('malformed');
    expect(byId.get('broken-1')?.problem).toMatch(/s3_bucket/);
  });

  it('proxies images from S3, converts what browsers cannot show, and names what is wrong', async () => {
    const ok = await api(ana, '/api/items/ok-1/image');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.body).toEqual(png);
    const tiff = await api(ana, '/api/items/tiff-1/image');
    expect(tiff.headers.get('content-type')).toBe('image/png');
    expect((await sharp(tiff.body as Buffer).metadata()).format).toBe('png');
    const gone = await api(ana, '/api/items/gone-1/image');
    expect(gone).toMatchObject({ status: 404, body: { error: 'image_missing' } });
    expect(gone.body.message).toContain('images/deleted.png');
    expect(await api(ana, '/api/items/text-1/image')).toMatchObject({
      status: 422,
      body: { error: 'not_an_image' },
    });
    expect(await api(ana, '/api/items/broken-1/image')).toMatchObject({
      status: 422,
      body: { error: 'malformed_item' },
    });
  });

  it('lets one of two reviewers decide an item and tells the other who did', async () => {
    const [first, second] = await Promise.all([
      decide(ana, 'ok-1', { label: 'bicycle' }),
      decide(ben, 'ok-1', { label: 'motorcycle' }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = first.status === 200 ? first.body : second.body;
    const loser = first.status === 409 ? first.body : second.body;
    expect(loser).toMatchObject({
      error: 'already_closed',
      closed: { reviewer: winner.reviewer, label: winner.label },
    });
    expect(loser.message).toContain(`by ${winner.reviewer}`);
    expect(await listKeys(store, 'ground_truth/')).toEqual([winner.ground_truth_key]);
    // Both servers stop listing it.
    for (const server of [ana, ben]) {
      const { body } = await api(server, '/api/items?limit=50');
      expect(body.items.map((item: ItemView) => item.id)).not.toContain('ok-1');
    }
  });

  it('dismisses an item whose image is gone and a malformed one, keeping both in their closing records', async () => {
    const gone = await decide(ana, 'gone-1', {
      dismiss: 'image_missing: No object s3://.../images/deleted.png',
    });
    expect(gone).toMatchObject({
      status: 200,
      body: { outcome: 'dismissed', reason: expect.stringMatching(/^image_missing/) },
    });
    const broken = await decide(ana, 'broken-1', { dismiss: 'malformed' });
    expect(broken.body.item).toEqual({ 'this is': 'not a review item' });
    expect(JSON.parse((await getText(store, 'review/closed/broken-1.json')) ?? '{}').reviewer).toBe('ana');
    expect(await decide(ana, 'text-1', { label: 'car' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_decision' },
    });
    expect(await decide(ana, 'nope', { label: 'bicycle' })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
  });

  it('refuses bad requests with a clear 4xx and keeps serving', async () => {
    const cases: [string, RequestInit | undefined, number, string][] = [
      ['/api/items?limit=0', undefined, 400, 'invalid_parameter'],
      ['/api/items?offset=-1', undefined, 400, 'invalid_parameter'],
      ['/api/items/%zz/image', undefined, 400, 'invalid_id'],
      ['/api/items/..%2Fsecret/image', undefined, 400, 'invalid_id'],
      ['/nothing', undefined, 404, 'not_found'],
      ['/api/items/tiff-1/decision', undefined, 405, 'method_not_allowed'],
      [
        '/api/items/tiff-1/decision',
        { method: 'POST', body: '{"label":"bicycle"}' },
        415,
        'unsupported_media_type',
      ],
      [
        '/api/items/tiff-1/decision',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"label":' },
        400,
        'invalid_json',
      ],
      [
        '/api/items/tiff-1/decision',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(20_000) },
        413,
        'body_too_large',
      ],
    ];
    for (const [path, init, status, error] of cases) {
      expect(await api(ana, path, init), path).toMatchObject({ status, body: { error } });
    }
    // A target that `new URL(target, base)` would read as a host name: here it is a path (not found).
    expect(await rawRequest(ana, '//..%2f..%2f', { Host: new URL(ana.url).host })).toBe(404);
    // Another site's page: a DNS-rebinding host name, a cross-origin write.
    expect(await rawRequest(ana, '/api/session', { Host: 'evil.example:80' })).toBe(403);
    const write = {
      Host: new URL(ana.url).host,
      Origin: 'http://evil.example',
      'Content-Type': 'application/json',
    };
    expect(await rawRequest(ana, '/api/items/tiff-1/decision', write, 'POST', '{"label":"bicycle"}')).toBe(
      403,
    );
    expect(await getText(store, 'review/tiff-1.json')).toBeDefined();
    expect((await api(ana, '/api/session')).status).toBe(200);
  });

  it('survives hostile requests without a 500 or a crash', async () => {
    const url = new URL(ana.url);
    const target = { host: url.hostname, port: Number(url.port), basePath: '' };
    const routes = [
      '/',
      '/api/items',
      '/api/items/tiff-1/image',
      '/api/items/tiff-1/decision',
      '/api/session',
    ];
    await fc.assert(
      fc.asyncProperty(hostileRequest(target, { routes }), async ({ bytes }) => {
        const outcome = await sendRaw(target, bytes);
        expect(outcome.status ?? 0).not.toBe(500);
      }),
      { numRuns: 300 },
    );
    expect((await api(ana, '/api/session')).status).toBe(200);
  });

  it('answers 502 naming S3 when the bucket is missing or S3 does not answer, and keeps serving', async () => {
    const missing = await startReviewServer({
      ...store,
      bucket: 'no-such-bucket',
      reviewer: 'ana',
      log: () => undefined,
    });
    const answer = await api(missing, '/api/items');
    expect(answer).toMatchObject({ status: 502, body: { error: 's3_error' } });
    expect(answer.body.message).toContain('NoSuchBucket');
    expect((await api(missing, '/api/session')).status).toBe(200);
    await missing.stop();

    // A port nobody listens on: the connection is refused.
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const config = loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` });
    const s3 = createS3Client(config, { maxAttempts: 1 });
    const unreachable = await startReviewServer({ ...store, s3, reviewer: 'ana', log: () => undefined });
    try {
      expect(await api(unreachable, '/api/items')).toMatchObject({
        status: 502,
        body: { error: 's3_unreachable' },
      });
      expect((await api(unreachable, '/api/session')).status).toBe(200);
    } finally {
      await unreachable.stop();
      s3.destroy();
    }
  });
});
