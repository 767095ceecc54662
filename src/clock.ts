// Time is passed in, never read deep inside: tests drive a controllable clock.
export interface Clock { now(): number }

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number { return this.ms; }
  set(ms: number): void { this.ms = ms; }
  advance(ms: number): void { this.ms += ms; }
}
