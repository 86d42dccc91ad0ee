/**
 * The signed-in official as every HTTP layer sees it. The workflow authenticates (workflow/auth.ts) and sets
 * `req.user`; lib's ApiBuilder and the stages' routes only read it, so the type lives here, below all of them.
 */
export interface AuthUser {
  id: string;
  login: string;
  displayName: string;
  roles: { role: string; organizationId: string | null }[];
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}
