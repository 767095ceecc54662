// A chain page is the keyset page the (created_at, id) index gave: whatever the ties, the cursor and
// the page size, and a walk resumed where the page says gives the next page.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainPage, recordedAt, type ChainRow } from '../../src/domain/authorization-chain.js';
import { compareNewestFirst, type CursorKey } from '../../src/domain/cursor.js';

const key = (r: ChainRow): CursorKey => ({ createdAt: r.created_at, id: r.id });
const isOlder = (r: ChainRow, before: CursorKey | null) => !before || compareNewestFirst(key(r), before) > 0;

/** What the index answered: sort everything, keep what is older than the cursor, take the limit. */
function indexPage(rows: ChainRow[], before: CursorKey | null, limit: number): ChainRow[] {
  return rows.filter((r) => isOlder(r, before)).sort((a, b) => compareNewestFirst(key(a), key(b))).slice(0, limit);
}

/** Feeds the chain from `start` (an index into walk order) until the page says stop; `ended`: it never did. */
function walk(chain: ChainRow[], start: number, before: CursorKey | null, limit: number) {
  const page = new ChainPage(before, limit);
  let fed = 0;
  for (let i = start; i < chain.length; i++) {
    fed++;
    if (!page.add(chain[i])) return { page, fed, ended: false };
  }
  return { page, fed, ended: true };
}

/**
 * A chain as authorize writes it: newest first, created_at never increasing, and ids that do not
 * follow the walk within a millisecond (another process's ids, or ids made after the clock stepped).
 */
const chainArb = fc.array(fc.record({ step: fc.integer({ min: 0, max: 2 }), id: fc.integer({ min: 0, max: 999 }) }), { maxLength: 40 })
  .map((specs) => {
    let at = 1_000;
    const seen = new Set<string>();
    const oldestFirst: ChainRow[] = [];
    for (const s of specs) {
      at += s.step;
      const id = `auth_${String(s.id).padStart(3, '0')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      oldestFirst.push({ id, created_at: at });
    }
    return oldestFirst.reverse();
  });

describe('ChainPage', () => {
  it('gives the index\'s page for any chain, cursor and size, reading at most the page, its tie group and one row', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 1, max: 8 }), fc.option(fc.record({
      createdAt: fc.integer({ min: 999, max: 1_082 }), id: fc.integer({ min: 0, max: 999 }).map((n) => `auth_${String(n).padStart(3, '0')}`),
    })), (chain, limit, before) => {
      const { page, fed } = walk(chain, 0, before, limit);
      expect(page.rows()).toEqual(indexPage(chain, before, limit));
      const older = chain.filter((r) => isOlder(r, before));
      if (older.length > limit) {
        // Stopped early: past the page's oldest time it read one look-ahead row, if there was one.
        const cut = page.rows()[limit - 1].created_at;
        const newerOrTied = chain.filter((r) => r.created_at >= cut).length;
        expect(fed).toBe(Math.min(newerOrTied + 1, chain.length));
      }
    }));
  });

  it('resumes: walking from resumeAt(last shown) gives exactly the next page, page after page', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 1, max: 5 }), (chain, limit) => {
      const shown: ChainRow[] = [];
      let before: CursorKey | null = null;
      let start = 0;
      for (let pages = 0; pages <= chain.length + 1; pages++) {
        const { page } = walk(chain, start, before, limit);
        const rows = page.rows();
        shown.push(...rows);
        if (rows.length < limit) break;
        before = key(rows[rows.length - 1]);
        const resume = page.resumeAt(before);
        start = chain.findIndex((r) => r.id === resume);
      }
      expect(shown).toEqual(indexPage(chain, null, chain.length));
    }));
  });

  it('resumes where a shorter page of another list cut it: any key between the page\'s rows', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 1, max: 6 }), fc.nat(), (chain, limit, pick) => {
      fc.pre(chain.length > 0);
      const { page } = walk(chain, 0, null, limit);
      // The merged page ended on some other table's row: its key may fall anywhere in the chain's span.
      const anchor = chain[pick % chain.length];
      const cut: CursorKey = { createdAt: anchor.created_at, id: `${anchor.id}m` };
      const resume = page.resumeAt(cut);
      const from = chain.findIndex((r) => r.id === resume);
      expect(walk(chain, from, cut, chain.length).page.rows()).toEqual(indexPage(chain, cut, chain.length));
    }));
  });

  it('says a chain is used up at a key exactly when its walk ran to the end and nothing older than the key is in it', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 1, max: 6 }), fc.nat(), fc.boolean(), (chain, limit, pick, onPage) => {
      const { page, ended } = walk(chain, 0, null, limit);
      // The key a merged page ended on: one of the chain's rows, or a row of another list beside one.
      const anchor = chain.length ? chain[pick % chain.length] : { id: 'auth_500', created_at: 1_000 };
      const next: CursorKey = onPage ? key(anchor) : { createdAt: anchor.created_at, id: `${anchor.id}m` };
      expect(page.usedUpAt(next, ended)).toBe(ended && indexPage(chain, next, chain.length).length === 0);
    }));
  });

  it('refuses a walk that passes more than maxNewer rows newer than the cursor, and only then', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 0, max: 6 }), fc.nat(), (chain, maxNewer, pick) => {
      fc.pre(chain.length > 0);
      const before = key(chain[pick % chain.length]);
      const page = new ChainPage(before, 3, maxNewer);
      for (const row of chain) if (!page.add(row)) break;
      const newer = chain.filter((r) => !isOlder(r, before)).length;
      expect(page.refused()).toBe(newer > maxNewer);
      if (!page.refused()) expect(page.rows()).toEqual(indexPage(chain, before, 3));
    }));
  });

  it('says when nothing was walked (a resume id not on this chain)', () => {
    const page = new ChainPage(null, 3);
    expect(page.nothingWalked()).toBe(true);
    expect(page.rows()).toEqual([]);
    expect(page.resumeAt({ createdAt: 1, id: 'auth_1' })).toBeNull();
    page.add({ id: 'auth_1', created_at: 1 });
    expect(page.nothingWalked()).toBe(false);
  });
});

describe('recordedAt', () => {
  it('is now, unless the account\'s newest authorization is later: then that time', () => {
    expect(recordedAt(2_000, null)).toBe(2_000);
    expect(recordedAt(2_000, 1_500)).toBe(2_000);
    expect(recordedAt(2_000, 2_000)).toBe(2_000);
    expect(recordedAt(2_000, 2_700)).toBe(2_700);
  });
});
