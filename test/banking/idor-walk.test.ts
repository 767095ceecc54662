// Walks EVERY documented card route (/v1/banking/cards/{id}…, read from /openapi.json so routes
// added later are covered without touching this test) with another customer's session and a
// well-formed request: each answers 404 not_found, and nothing of the victim's changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { documentedOperations, expectMatchesRoute, sampleFromSchema, type DocumentedOperation } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let alice: Awaited<ReturnType<Harness['cardholder']>>;
let mallory: Awaited<ReturnType<Harness['cardholder']>>;
let operations: DocumentedOperation[];
let doc: Record<string, any>;
beforeAll(async () => {
  alice = await h.cardholder(100_000);
  mallory = await h.cardholder(100_000);
  // Something to see on Alice's card, so a leaking read would have content.
  await h.authorize(alice, { amount: 1_234 });
  doc = (await h.request('GET', '/openapi.json')).body;
  operations = await documentedOperations(h, '/v1/banking/cards/{id}');
});

function concretePath(op: DocumentedOperation, cardId: string): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'id') return cardId;
    const param = (op.operation.parameters ?? []).find((p: { name: string }) => p.name === name);
    return encodeURIComponent(String(sampleFromSchema(doc, param?.schema) ?? '2026-11'));
  });
}

function requestBody(op: DocumentedOperation): unknown {
  const schema = op.operation.requestBody?.content?.['application/json']?.schema;
  return schema ? sampleFromSchema(doc, schema) : undefined;
}

async function aliceState() {
  const db = h.deps.handle.db;
  const card = (await h.banking(alice.token, 'GET', `/v1/banking/cards/${alice.card.id}`)).body;
  const notifications = await db.selectFrom('notifications').select('id').where('customer_id', '=', alice.customer.id).execute();
  const audit = await db.selectFrom('audit_log').select('id').where('account_id', '=', alice.card.accountId).execute();
  const cards = await db.selectFrom('cards').select(['id', 'status']).where('customer_id', '=', alice.customer.id).execute();
  return { card, notifications: notifications.length, audit: audit.length, cards };
}

describe("every card route with another customer's session", () => {
  it('covers the card routes known today (the walk is not empty)', () => {
    const seen = operations.map((o) => `${o.method} ${o.path}`);
    for (const expected of [
      'GET /v1/banking/cards/{id}', 'POST /v1/banking/cards/{id}/reveal', 'PUT /v1/banking/cards/{id}/limit',
      'PUT /v1/banking/cards/{id}/over-limit', 'POST /v1/banking/cards/{id}/freeze', 'POST /v1/banking/cards/{id}/unfreeze',
      'POST /v1/banking/cards/{id}/report', 'POST /v1/banking/cards/{id}/replace', 'POST /v1/banking/cards/{id}/cancel',
      'GET /v1/banking/cards/{id}/transactions',
    ]) expect(seen).toContain(expected);
  });

  it('answers 404 not_found on each, and changes nothing of the owner', async () => {
    const before = await aliceState();
    const answers: string[] = [];
    for (const op of operations) {
      const path = concretePath(op, alice.card.id);
      const res = await h.banking(mallory.token, op.method, path, requestBody(op));
      answers.push(`${op.method} ${op.path} → ${res.status} ${res.body?.code}`);
      expect(res.headers.get('content-type'), `${op.method} ${op.path}`).toContain('application/problem+json');
      expectMatchesRoute(h, op.method, path, res);
      expect(res.text).not.toContain(alice.pan);
      expect(res.text).not.toContain(alice.card.accountId);
    }
    expect(answers.filter((a) => !a.endsWith('→ 404 not_found'))).toEqual([]);
    expect(await aliceState()).toEqual(before);
  });

  it('answers exactly as for a card that does not exist', async () => {
    for (const op of operations) {
      const theirs = await h.banking(mallory.token, op.method, concretePath(op, alice.card.id), requestBody(op));
      const missing = await h.banking(mallory.token, op.method, concretePath(op, 'card_00000000000000000000'), requestBody(op));
      const shape = (r: typeof theirs) => ({ status: r.status, code: r.body?.code, title: r.body?.title, detail: r.body?.detail });
      expect(shape(theirs), `${op.method} ${op.path}`).toEqual(shape(missing));
    }
  });

  it("the owner's own session gets past the ownership check on each (no route is 404 for everyone)", async () => {
    for (const op of operations) {
      if (['replace', 'cancel'].some((verb) => op.path.endsWith(verb))) continue; // would end the card
      const stranger = await h.banking(mallory.token, op.method, concretePath(op, alice.card.id), requestBody(op));
      const owner = await h.banking(alice.token, op.method, concretePath(op, alice.card.id), requestBody(op));
      // The owner may still be refused (a sample body, a code), but not with the stranger's answer.
      expect({ status: owner.status, detail: owner.body?.detail }, `${op.method} ${op.path}`)
        .not.toEqual({ status: stranger.status, detail: stranger.body?.detail });
    }
  });
});
});
