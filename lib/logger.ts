import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Personal data (contacts, raw payloads, texts of citizens) and secrets must never reach the logs:
 * log lines leave the region's perimeter far more easily than the database does.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-signature"]',
  'contact',
  '*.contact',
  'phone',
  '*.phone',
  'email',
  '*.email',
  'name',
  '*.name',
  'raw',
  '*.raw',
  'text',
  '*.text',
  'address',
  '*.address',
  // Reply recipients, channel user ids and one-time code destinations are personal data too.
  'target',
  '*.target',
  'channelUserId',
  '*.channelUserId',
  'chatId',
  '*.chatId',
  'destination',
  '*.destination',
];

export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'otklik' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
