declare module 'autocannon' {
  interface Histogram { average: number; mean: number; p50: number; p90: number; p99: number; p99_9: number; max: number; min: number; total?: number }
  interface Result {
    requests: Histogram; latency: Histogram; duration: number; errors: number; timeouts: number; non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** A run with skipAggregateResult: histograms still encoded, for aggregateResult. */
  interface RawResult { totalCompletedRequests: number; duration: number; errors: number; non2xx: number; statusCodeStats: Record<string, { count: number }> }
  interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request }
  interface Options { url: string; connections?: number; duration?: number; requests?: Request[]; pipelining?: number; timeout?: number }
  function autocannon(options: Options & { skipAggregateResult: true }): Promise<RawResult> & { stop(): void };
  function autocannon(options: Options): Promise<Result> & { stop(): void };
  namespace autocannon {
    function aggregateResult(results: RawResult[], options: { url: string; connections?: number }): Result;
  }
  export type { RawResult };
  export default autocannon;
}
