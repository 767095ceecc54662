// Our own descriptors on a database file (src/runtime/file-descriptors.ts): closing any descriptor of
// a file drops every POSIX lock the process holds on it, SQLite's among them, so one descriptor per
// file is shared and closed only when its last user lets go. Checked on real files and handles.
import { fstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { acquireDescriptor, descriptorUsers, releaseDescriptor } from '../../src/runtime/file-descriptors.js';
import { prewarmFile } from '../../src/runtime/prewarm.js';

const dir = mkdtempSync(join(tmpdir(), 'isc-fds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared descriptors of a database file', () => {
  it('opens a file once for all its users, and closes it when the last lets go', () => {
    const file = join(dir, 'shared');
    writeFileSync(file, 'x');
    const first = acquireDescriptor(file);
    const second = acquireDescriptor(join(dir, '.', 'shared')); // the same file, named otherwise
    expect(second).toBe(first);
    expect(fstatSync(first).ino).toBe(statSync(file).ino);
    releaseDescriptor(file);
    expect(descriptorUsers(file)).toBe(1);
    expect(fstatSync(first).ino).toBe(statSync(file).ino); // still open for the other user
    releaseDescriptor(file);
    expect(descriptorUsers(file)).toBe(0);
    releaseDescriptor(file); // one release too many changes nothing
    expect(descriptorUsers(file)).toBe(0);
  });

  it('throws for a file that is not there, and remembers nothing', () => {
    expect(() => acquireDescriptor(join(dir, 'missing'))).toThrow(/ENOENT/);
    expect(descriptorUsers(join(dir, 'missing'))).toBe(0);
  });

  it('a handle on a database file holds the descriptor until its connections are closed; two handles, until both are', async () => {
    const url = `sqlite:${join(dir, 'two.db')}`;
    const a = openDatabase(url);
    const b = openDatabase(url);
    const file = a.sqlite!.name;
    expect(descriptorUsers(file)).toBe(2);
    await a.close();
    expect(descriptorUsers(file)).toBe(1);
    await b.close();
    await b.close(); // closing twice lets go once
    expect(descriptorUsers(file)).toBe(0);
  });

  it('the prewarm reads through the shared descriptor and lets go of it when done', async () => {
    const url = `sqlite:${join(dir, 'warm.db')}`;
    const handle = openDatabase(url);
    const file = handle.sqlite!.name;
    try {
      handle.sqlite!.exec('create table t (v text); insert into t values (\'x\')');
      const read = prewarmFile(file, { maxBytes: 2 ** 20 });
      expect(descriptorUsers(file)).toBe(2);
      expect((await read).bytes).toBeGreaterThan(0);
      expect(descriptorUsers(file)).toBe(1);
    } finally {
      await handle.close();
    }
    expect(descriptorUsers(file)).toBe(0);
  });
});
