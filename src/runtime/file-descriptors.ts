// Descriptors of our own on a SQLite database file (the prewarm's reads). POSIX record locks
// belong to the process and the file: closing *any* descriptor of the file releases every lock the
// process holds on it, SQLite's among them (sqlite.org/howtocorrupt.html, 2.2), and another process
// could then take the file over while our connections still use it. So each file is opened here
// once, shared, and closed only when its last user lets go; a database handle on the file is one
// user from its opening until its connections are closed (store/db.ts), so a reader that finishes
// early never closes the descriptor under them.
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';

const descriptors = new Map<string, { fd: number; users: number }>();

/** A read-only descriptor of `path`, shared within the process; throws as openSync does. */
export function acquireDescriptor(path: string): number {
  const key = resolve(path);
  let entry = descriptors.get(key);
  if (!entry) descriptors.set(key, (entry = { fd: openSync(key, 'r'), users: 0 }));
  entry.users++;
  return entry.fd;
}

/** One user of `path`'s descriptor is done with it; the last closes it. */
export function releaseDescriptor(path: string): void {
  const key = resolve(path);
  const entry = descriptors.get(key);
  if (!entry) return;
  if (--entry.users > 0) return;
  descriptors.delete(key);
  closeSync(entry.fd);
}

/** How many users `path`'s descriptor has (tests). */
export function descriptorUsers(path: string): number {
  return descriptors.get(resolve(path))?.users ?? 0;
}
