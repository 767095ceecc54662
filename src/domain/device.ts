// The device a sign-in came from, as a customer names it ("Chrome on Android"), read from the
// browser's User-Agent. A sign-in alert names this, not an address: an address means nothing to a
// customer, and a device they do not own is what tells them someone else signed in.

export interface Device { browser: string | null; system: string | null }

// Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux".
const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'], [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'], [/Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/iPhone/, 'iPhone'], [/iPad/, 'iPad'], [/Android/, 'Android'], [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'Mac'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
];

const first = (table: Array<[RegExp, string]>, userAgent: string) => table.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;

export function deviceOf(userAgent: string | null | undefined): Device {
  if (!userAgent) return { browser: null, system: null };
  return { browser: first(BROWSERS, userAgent), system: first(SYSTEMS, userAgent) };
}

/** The device in English, for the stored message: "Chrome on Android", "Android", or null. */
export function deviceName(d: Device): string | null {
  if (d.browser && d.system) return `${d.browser} on ${d.system}`;
  return d.browser ?? d.system;
}
