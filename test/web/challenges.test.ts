// 3-D Secure approvals page: approve with a code, decline, another customer's challenge untouched.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { readThreeDs, setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); await setThreeDsThreshold(h, 1_000); });
afterAll(() => h.close());

it('lists a challenge; a wrong code keeps it open; the right code approves; decline refuses', async () => {
  const holder = await h.cardholder();
  const web = webSession(h, holder.token);
  const first = (await startThreeDs(h, holder, { amount: 5_000, merchantName: 'Big Screen Store' })).body;
  expect(first.transStatus).toBe('C');

  const list = await web.get('/approvals');
  expect(list.status).toBe(200);
  expect(list.text).toContain('Big Screen Store asks to charge KD\u00a05.000'); // the amount never wraps away from KD
  expect(list.text).toMatch(/<label for="otp-[^"]+">/); // one code field per challenge, each its own id
  expect(list.text).toContain('The bank never asks for your codes');

  const wrong = await web.post(`/approvals/${first.id}/approve`, { otp: '000000' });
  expect(wrong.status).toBe(403);
  expect(wrong.text).toContain('The code is wrong');
  expect((await readThreeDs(h, first.id)).body.transStatus).toBe('C');

  const approved = await web.post(`/approvals/${first.id}/approve`, { otp: await h.otp(holder.totpSecret) });
  expect(approved.headers.get('location')).toBe('/approvals?done=approved');
  expect((await readThreeDs(h, first.id)).body.transStatus).toBe('Y');

  const second = (await startThreeDs(h, holder, { amount: 5_000 })).body;
  const stranger = await h.cardholder();
  expect((await webSession(h, stranger.token).post(`/approvals/${second.id}/decline`)).status).toBe(404);
  expect((await readThreeDs(h, second.id)).body.transStatus).toBe('C');
  const declined = await web.post(`/approvals/${second.id}/decline`);
  expect(declined.headers.get('location')).toBe('/approvals?done=declined');
  expect((await readThreeDs(h, second.id)).body.transStatus).toBe('N');

  const empty = await web.get('/approvals?done=declined&lang=ar');
  expect(empty.text).toMatch(/dir="rtl"/);
  // Answered requests say so.
  expect(empty.text).toContain('data-outcome="approved"');
  expect(empty.text).toContain('data-outcome="declined"');
  expect(empty.text).toContain('تمت الإجابة');
});
