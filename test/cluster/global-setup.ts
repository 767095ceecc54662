// Runs once before the cluster suite: CLUSTER_DATABASE_URL must name a reachable primary. Unset or
// unreachable fails the run: the suite exists to run on the cluster, never to be skipped.
import pg from 'pg';
import { dropLeftoverPgSchemas } from '../support/backends.js';

export default async function setup() {
  const runId = Date.now().toString(36);
  process.env.TEST_RUN_ID = runId;
  const url = process.env.CLUSTER_DATABASE_URL;
  if (!url) {
    throw new Error('CLUSTER_DATABASE_URL is not set: run `npm run cluster:up` and set it to the DATABASE_URL it prints');
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`the cluster at CLUSTER_DATABASE_URL is unreachable (${(error as Error).message}): is it up (npm run cluster:up)?`);
  } finally {
    await client.end().catch(() => {});
  }
  await dropLeftoverPgSchemas(url);
  return async function teardown() {
    const left = await dropLeftoverPgSchemas(url, runId);
    if (left.length) console.log(`[cluster tests] dropped ${left.length} schema(s) left behind by this run`);
  };
}
