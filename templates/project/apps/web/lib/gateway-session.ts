// The session of a signed-in user when the web app signs in through the gateway
// (services/gateway): the NextAuth JWT holds the gateway's tokens, never the provider's,
// and the gateway access token is renewed before it expires. lib/auth.ts wires these into
// NextAuth's callbacks.
import "server-only";
import type { Account, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import type { Env } from "./env";
import { exchange, GatewayError, logout, refresh, type GatewayTokens } from "./gateway";

/**
 * The gateway access token is refreshed this long before it expires (at most a quarter of
 * its lifetime), so a request that starts just before the expiry does not reach a service
 * with an expired token.
 */
export const REFRESH_EARLY_MS = 60_000;

/** A gateway token answer and when, in epoch ms, its access token expires and is due for a refresh. */
interface Issued {
  answer: GatewayTokens;
  accessTokenExpires: number;
  refreshAt: number;
}

function issued(answer: GatewayTokens): Issued {
  const lifetime = answer.expires_in * 1000;
  const now = Date.now();
  return { answer, accessTokenExpires: now + lifetime, refreshAt: now + lifetime - Math.min(REFRESH_EARLY_MS, lifetime / 4) };
}

/**
 * The NextAuth JWT (the encrypted, httpOnly session cookie) after a gateway answer: the
 * gateway's user and tokens. `sub` is the gateway user id. The refresh token stays in here,
 * server side: the session callback in lib/auth.ts never passes it to the browser.
 */
function gatewayToken(base: JWT, { answer, accessTokenExpires, refreshAt }: Issued): JWT {
  const next: JWT = {
    ...base,
    sub: answer.user.id,
    name: answer.user.name || base.name || null,
    email: answer.user.email || base.email || null,
    picture: answer.user.image || base.picture || null,
    provider: answer.user.provider || base.provider,
    accessToken: answer.access_token,
    accessTokenExpires,
    refreshAt,
    refreshToken: answer.refresh_token,
  };
  delete next.error;
  return next;
}

/**
 * Builds the token stored in the session cookie at sign-in: exchange, then keep only the
 * gateway's tokens. The provider's tokens go to the gateway (POST /auth/exchange, server to
 * server), which verifies them with the provider and keeps the provider refresh token
 * itself. What comes back, the gateway's own access and refresh tokens and its user, is all
 * that is kept; the provider's access, refresh and id tokens are dropped here.
 *
 * If the gateway refuses or cannot be reached, this throws: NextAuth logs the error, sets
 * no session cookie and sends the browser to /oauth/login?error=Callback.
 */
export async function signInToken(token: JWT, account: Account, user: User, env: Env): Promise<JWT> {
  const answer = await exchange(env, {
    provider: account.provider,
    access_token: account.access_token,
    refresh_token: account.refresh_token,
    id_token: account.id_token,
    expires_at: account.expires_at,
  });
  const base: JWT = {
    name: user.name ?? token.name ?? null,
    email: user.email ?? token.email ?? null,
    picture: user.image ?? token.picture ?? null,
    provider: account.provider,
  };
  return gatewayToken(base, issued(answer));
}

/** A /auth/refresh in progress or done. */
interface Rotation {
  promise: Promise<Issued>;
  /** Until when the result is handed to anyone presenting the same refresh token. */
  keepUntil: number;
}

/**
 * Refreshes in progress or just done, by the refresh token they used up. Kept on
 * globalThis so every bundle of this server process (route handlers, server components)
 * shares one map.
 *
 * - Single flight: parallel requests of one browser (a page and its API calls) that all
 *   see an expiring token share one POST /auth/refresh instead of racing the rotation.
 * - Server components cannot write cookies, so a refresh done while rendering a page
 *   (getServerSession in app/page.tsx) is not saved in the browser, which presents the
 *   old refresh token again later. Until the new access token is itself due for a
 *   refresh, it gets the same successor from here instead of a second /auth/refresh
 *   (which the gateway would treat as reuse after its grace window and revoke the login).
 *   The next response that can set cookies (GET /api/auth/session, which the browser
 *   calls on load and on focus) then saves the successor.
 */
const rotations: Map<string, Rotation> = ((globalThis as { [key: symbol]: unknown })[
  Symbol.for("nextmsa.gatewayRotations")
] ??= new Map<string, Rotation>()) as Map<string, Rotation>;

function rotate(env: Env, refreshToken: string): Rotation["promise"] {
  const now = Date.now();
  const known = rotations.get(refreshToken);
  if (known && now < known.keepUntil) return known.promise;
  for (const [key, old] of rotations) {
    if (old.keepUntil <= now) rotations.delete(key);
  }
  const rotation: Rotation = {
    promise: refresh(env, refreshToken).then(issued),
    keepUntil: Number.POSITIVE_INFINITY,
  };
  rotations.set(refreshToken, rotation);
  rotation.promise.then(
    ({ refreshAt }) => {
      rotation.keepUntil = refreshAt;
    },
    () => {
      if (rotations.get(refreshToken) === rotation) rotations.delete(refreshToken);
    },
  );
  return rotation.promise;
}

/**
 * On every later read of the session: refresh the gateway access token through
 * POST /auth/refresh shortly before it expires. A refresh the gateway refuses (revoked,
 * expired, reused) marks the token with `error`; the session passes that on and
 * components/session-guard.tsx signs the user out. A gateway that is only unreachable
 * while the access token is still valid is tried again on the next request.
 */
export async function refreshIfDue(token: JWT, env: Env): Promise<JWT> {
  if (token.error) return token;
  if (!token.refreshToken) {
    // A cookie from before the gateway (or from a no-gateway run of this app): sign in again.
    return { ...token, error: "RefreshTokenError" };
  }
  const expires = token.accessTokenExpires ?? 0;
  if (Date.now() < (token.refreshAt ?? expires)) return token;
  try {
    return gatewayToken(token, await rotate(env, token.refreshToken));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof GatewayError && err.transient && Date.now() < expires) {
      console.warn(`gateway refresh failed, trying again on the next request: ${message}`);
      return token;
    }
    console.warn(`gateway refresh failed, the user has to sign in again: ${message}`);
    // The refresh token stays (server side) so that signing out can still revoke it.
    const failed: JWT = { ...token, error: "RefreshTokenError" };
    delete failed.accessToken;
    delete failed.accessTokenExpires;
    delete failed.refreshAt;
    return failed;
  }
}

/**
 * Signing out ends the login at the gateway too: POST /auth/logout revokes the refresh
 * token (and the provider refresh token the gateway kept). Best effort: the cookie is
 * deleted anyway, and a refresh token nobody holds only waits to expire.
 */
export async function endLogin(env: Env, token: JWT | null): Promise<void> {
  if (!token?.refreshToken) return;
  try {
    await logout(env, token.refreshToken);
  } catch (err) {
    console.warn(`gateway logout failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
