import pg from 'pg';

/** What each PostgreSQL data exception (SQLSTATE class 22) says about the input, in the words of a 400. */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22001': 'a text is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time is malformed',
  '22008': 'a date or time is out of range',
  '22009': 'a time zone offset is out of range',
  '22021': 'a text holds a character that cannot be stored',
  '22P02': 'a value is malformed',
};

/**
 * The 400 message for a PostgreSQL data exception (SQLSTATE class 22), or undefined for any other error. Such an
 * error means a value that the request carried passed its schema but not the column or cast it reached: the
 * client's error, not the server's. The schemas should refuse it first (lib/request-schemas.ts); this is the net
 * under them, so a gap answers 400 and is logged as a warning naming the route (without PostgreSQL's message, which
 * quotes the value and may hold personal data).
 */
export function clientDataError(err: unknown): { message: string; code: string } | undefined {
  if (!(err instanceof pg.DatabaseError) || typeof err.code !== 'string' || !err.code.startsWith('22')) return undefined;
  return { message: `invalid input: ${DATA_EXCEPTIONS[err.code] ?? 'a value is out of range or malformed'}`, code: err.code };
}
