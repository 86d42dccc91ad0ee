/**
 * What every store module shares: `Sql` is a pool or a client inside the caller's transaction, and `Where` builds
 * a filter from the conditions a request actually sets, each value bound as a parameter.
 */
import type pg from 'pg';

export type Sql = Pick<pg.PoolClient, 'query'>;

export interface Page {
  limit: number;
  offset: number;
}

export class Where {
  readonly args: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Binds a value and returns its placeholder (`$n`). */
  bind(value: unknown): string {
    this.args.push(value);
    return `$${this.args.length}`;
  }

  /** Adds a condition built from placeholders of `bind`. */
  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Adds `condition(placeholder)` only when the value is set. */
  when(value: unknown, condition: (placeholder: string) => string): this {
    if (value !== undefined && value !== null) this.add(condition(this.bind(value)));
    return this;
  }

  toString(): string {
    return this.conditions.length ? this.conditions.join(' and ') : 'true';
  }
}

/** `ilike` pattern matching the text literally: the user's %, _ and \ are escaped. */
export const containing = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** The PostgreSQL error code of a failed statement (`23505` unique, `23503` foreign key), if any. */
export const pgCode = (err: unknown): string | undefined => (err as { code?: string }).code;
