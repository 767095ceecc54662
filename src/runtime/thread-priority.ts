// Lowering one thread's priority (Linux): /proc/thread-self names the calling thread's id, and
// setpriority on a thread id changes that thread alone. Only ever raised from the thread's current
// nice value, which needs no privilege and never puts the thread ahead of the event loop; off Linux
// the read fails and the thread keeps the process's priority. The checkpoint and report threads
// lower themselves with it.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Raises the calling thread's nice value by `steps` (at most to 19), where the system allows. */
export function lowerThisThreadPriority(steps: number): void {
  if (steps <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
  } catch {
    // Not Linux: the thread keeps the process's priority (see above).
  }
}
