// Which errors are "the database cannot be reached now" (answered 91 / 503) and which are bugs (500).
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable, withinMs } from '../../src/store/db-unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['SQLSTATE class 08', withCode('08006')],
    ['admin shutdown (a node stopped or crashed)', withCode('57P01')],
    ['starting up', withCode('57P03')],
    ['a write on a node no longer primary', withCode('25006')],
    ['statement timeout', withCode('57014')],
    ['too many connections', withCode('53300')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg: client connect timeout', new Error('timeout expired')],
    ['pg-pool: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg: broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['wrapped', new Error('outer', { cause: withCode('ECONNREFUSED') })],
    ['our own deadline', new DatabaseUnavailableError('late')],
  ])('%s: yes', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['unique violation', withCode('23505')],
    ['serialization failure', withCode('40001')],
    ['missing table', withCode('42P01')],
    ['SQLite busy', withCode('SQLITE_BUSY')],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'timeout expired'],
    ['nothing', undefined],
  ])('%s: no', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe('withinMs', () => {
  it('passes an answer through, and fails as unavailable when none comes in time', async () => {
    await expect(withinMs(200, Promise.resolve(7), 'quick')).resolves.toBe(7);
    const started = performance.now();
    const late = withinMs(50, new Promise(() => {}), 'never');
    await expect(late).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
