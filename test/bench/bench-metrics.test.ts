// The bench reads the service's /metrics text (scripts/bench/service.ts): histogram totals summed
// over every label set, as the WAL restart holds are labelled by outcome.
import { describe, expect, it } from 'vitest';
import { histogramDelta, histogramMean, histogramTotals } from '../../scripts/bench/service.js';

const text = [
  '# TYPE db_wal_restart_hold_seconds histogram',
  'db_wal_restart_hold_seconds_bucket{le="0.01",outcome="restarted"} 7',
  'db_wal_restart_hold_seconds_sum{outcome="restarted"} 0.5',
  'db_wal_restart_hold_seconds_count{outcome="restarted"} 10',
  'db_wal_restart_hold_seconds_sum{outcome="not_copied_back"} 0.1',
  'db_wal_restart_hold_seconds_count{outcome="not_copied_back"} 2',
  'db_group_commit_batch_size_sum 40',
  'db_group_commit_batch_size_count 2',
].join('\n');

describe('bench metrics', () => {
  it('sums a histogram\'s count and sum over its label sets, and ignores its buckets', () => {
    expect(histogramTotals(text, 'db_wal_restart_hold_seconds')).toEqual({ count: 12, sum: expect.closeTo(0.6, 9) });
  });

  it('reads nothing as zero holds (a service on PostgreSQL or in memory has no such histogram)', () => {
    expect(histogramTotals('', 'db_wal_restart_hold_seconds')).toEqual({ count: 0, sum: 0 });
  });

  it('means a histogram without labels', () => {
    expect(histogramMean(text, 'db_group_commit_batch_size')).toBe(20);
    expect(histogramMean('', 'db_group_commit_batch_size')).toBeNaN();
  });

  it('takes what a histogram observed between two scrapes', () => {
    const later = text.replace('db_group_commit_batch_size_sum 40', 'db_group_commit_batch_size_sum 100').replace('db_group_commit_batch_size_count 2', 'db_group_commit_batch_size_count 5');
    expect(histogramDelta(text, later, 'db_group_commit_batch_size')).toEqual({ count: 3, sum: 60 });
  });
});
