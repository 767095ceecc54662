// transmissionTime (ISO DE 7) names an instant, and idempotency compares it as one, to the second
// (SPEC §4): noon and half a second at +03:00 and 09:00:00 Z on the same day are the same request.
// A time without an offset is UTC, as DE 7 is.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))?$/;

/** The canonical form `YYYY-MM-DDThh:mm:ssZ` (UTC, fraction dropped); the text itself if it is not an ISO time. */
export function transmissionInstant(text: string): string {
  // The common case, already canonical, costs one test.
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */ && ISO_TIME.test(text)) return text;
  const m = ISO_TIME.exec(text);
  if (!m) return text;
  const offsetMinutes = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) - offsetMinutes * 60_000;
  const date = new Date(ms);
  if (Number.isNaN(ms) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return text;
  return `${date.toISOString().slice(0, 19)}Z`;
}
