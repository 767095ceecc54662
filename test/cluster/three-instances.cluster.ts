// Three service instances on the replicated cluster (Patroni, synchronous replication, HAProxy to
// the primary): the multi-instance scenarios of test/scale/multi-instance.test.ts, same code, on
// the database production runs. Run by scripts/cluster/ci.sh through vitest.cluster.config.ts.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { notificationAcrossInstances, overLimitRace, sharedBootstrap, useFleet } from '../support/multi-instance.js';

const clusterUrl = () => process.env.CLUSTER_DATABASE_URL!;

describe('three instances on the PostgreSQL cluster', () => {
  const fleet = useFleet({
    databaseUrl: clusterUrl, instances: 3,
    // A connection to a node HAProxy gave up on fails fast rather than hanging a request.
    env: { PG_CONNECT_TIMEOUT_MS: '2000' },
  });

  it('talks to a primary whose commits wait for a synchronous standby', async () => {
    const client = new pg.Client({ connectionString: clusterUrl() });
    await client.connect();
    try {
      const { rows: [node] } = await client.query<{ recovery: boolean; sync: string }>(
        'select pg_is_in_recovery() as recovery, current_setting(\'synchronous_standby_names\') as sync');
      expect(node).toMatchObject({ recovery: false });
      expect(node.sync).not.toBe('');
      const { rows: standbys } = await client.query<{ sync_state: string }>('select sync_state from pg_stat_replication');
      expect(standbys.map((s) => s.sync_state)).toContain('sync');
    } finally {
      await client.end();
    }
  });

  it('answers exactly one of 200 concurrent over-limit authorizations across the three instances with an approval, and the database agrees', () =>
    overLimitRace(fleet));

  it('pushes a purchase authorized through instance C to the cardholder\'s event stream on instance A', () =>
    notificationAcrossInstances(fleet, { streamOn: 0, answerOn: 2, transaction: 'purchase' }));

  it('pushes a blocked attempt answered by instance A to the cardholder\'s event stream on instance C', () =>
    notificationAcrossInstances(fleet, { streamOn: 2, answerOn: 0, transaction: 'atm_withdrawal' }));

  it('shares one set of data keys and one bootstrap network client, built by whichever instance came first', () =>
    sharedBootstrap(fleet));
});
