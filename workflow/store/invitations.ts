/** `staff_invitations`: one-time, expiring activation links; only the token's hash is stored. */
import type { Sql } from './sql.js';

/** A new invitation for the user; earlier unused ones stop working. */
export async function insertInvitation(sql: Sql, i: { tokenHash: string; userId: string; createdBy: string | null; at: Date; expiresAt: Date }): Promise<void> {
  await sql.query('delete from staff_invitations where user_id = $1 and used_at is null', [i.userId]);
  await sql.query('insert into staff_invitations (token_hash, user_id, created_by, created_at, expires_at) values ($1, $2, $3, $4, $5)', [i.tokenHash, i.userId,
    i.createdBy, i.at, i.expiresAt]);
}

export interface InvitationRow {
  userId: string;
  login: string;
  displayName: string;
  active: boolean;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function findInvitation(sql: Sql, tokenHash: string, forUpdate = false): Promise<InvitationRow | undefined> {
  const r = await sql.query<InvitationRow>(
    `select i.user_id as "userId", u.login, u.display_name as "displayName", u.active, i.expires_at as "expiresAt", i.used_at as "usedAt"
       from staff_invitations i join users u on u.id = i.user_id where i.token_hash = $1 ${forUpdate ? 'for update of i' : ''}`,
    [tokenHash],
  );
  return r.rows[0];
}

/** The password an invited user chose: the account is active from now; the link is spent; sessions (none yet) end. */
export async function activateByInvitation(sql: Sql, tokenHash: string, userId: string, passwordHash: string, at: Date): Promise<void> {
  await sql.query('update staff_invitations set used_at = $2 where token_hash = $1', [tokenHash, at]);
  await sql.query('update users set password_hash = $2, activated_at = $3 where id = $1', [userId, passwordHash, at]);
  await sql.query('delete from sessions where user_id = $1', [userId]);
}
