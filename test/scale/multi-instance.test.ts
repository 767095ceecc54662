// Several stateless instances against one PostgreSQL database (issue 4): three real server
// processes, 200 concurrent over-limit authorizations at one account spread across them. Exactly
// one is approved (the over-limit allowance), the ledger balances, and every approved answer the client
// received is in the database. A cardholder's event stream held by one instance hears an
// authorization answered by another (LISTEN/NOTIFY relay). The scenarios live in
// test/support/multi-instance.ts; the cluster suite runs them on Patroni too.
import { describe, it } from 'vitest';
import { backendUrl } from '../support/backends.js';
import { notificationAcrossInstances, overLimitRace, sharedBootstrap, useFleet } from '../support/multi-instance.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('three instances on one PostgreSQL database', () => {
  const fleet = useFleet({ databaseUrl: () => backendUrl('postgres')!, instances: 3 });

  it('answers exactly one of 200 concurrent over-limit authorizations with an approval, and the database agrees', () =>
    overLimitRace(fleet));

  it('pushes a notification to the cardholder\'s event stream on another instance than the one that answered', () =>
    notificationAcrossInstances(fleet, { streamOn: 2, answerOn: 0, transaction: 'atm_withdrawal' }));

  it('shares one set of data keys and one bootstrap network client, built by whichever instance came first', () =>
    sharedBootstrap(fleet));
});
