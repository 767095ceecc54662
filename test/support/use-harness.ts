// One harness per suite: `const h = useHarness(backend)` inside `forEachBackend` creates the
// harness before the suite's first test and closes it after its last one.
import { afterAll, beforeAll } from 'vitest';
import type { Backend } from './backends.js';
import { Harness, type HarnessOptions } from './harness.js';

/**
 * Registers the suite's beforeAll / afterAll and returns a stand-in for the harness they make:
 * every property read reaches the harness of the moment, so test code and helpers keep taking
 * `h`. Hooks registered after this call run after it (vitest's default 'stack' order), so they see
 * the harness made; afterAll hooks registered after it run before the harness closes.
 */
export function useHarness(backend: Backend, options: Omit<HarnessOptions, 'backend'> = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => { current = await Harness.create({ ...options, backend }); });
  afterAll(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  const harness = (): Harness => {
    if (!current) throw new Error('useHarness: the harness exists only inside the tests and hooks of the suite that made it');
    return current;
  };
  return new Proxy(Object.create(Harness.prototype) as Harness, {
    get(_target, key) {
      const h = harness();
      const value = Reflect.get(h, key, h);
      return typeof value === 'function' ? value.bind(h) : value;
    },
    has: (_target, key) => Reflect.has(harness(), key),
    set: () => { throw new Error('useHarness: the harness is read-only'); },
  });
}
