// Structured logs (pino). Redaction is a second line of defence: no code logs a PAN, CVV2, secret
// or body in the first place (test/security/no-pan-in-logs.test.ts checks).
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'pan', '*.pan', 'cvv2', '*.cvv2', 'password', '*.password', 'secret', '*.secret', 'otp', '*.otp',
  'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers["x-signature"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'isc' },
  }, destination);
}
