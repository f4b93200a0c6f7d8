// The web server's client for the Go gateway (services/gateway). Server side only: the
// /auth/* endpoints need GATEWAY_INTERNAL_SECRET, which must never reach the browser.
//
//   POST /auth/exchange  provider tokens → the gateway's own access JWT + refresh token
//   POST /auth/refresh   gateway refresh token → new access JWT + new refresh token (rotation)
//   POST /auth/logout    revoke the refresh token (and the provider refresh token it keeps)
//   GET  /api/users/me   the example service behind the gateway, with the access JWT

// "server-only" turns an import from a client component into a build error, so the secret
// cannot end up in a browser bundle by mistake.
import "server-only";
import { baseURL, type Env } from "./env";

/** Where the gateway listens: GATEWAY_URL, default http://localhost:8080 (no trailing slash). */
export function gatewayURL(env: Env = process.env): string {
  return baseURL(env, "GATEWAY_URL", "http://localhost:8080");
}

/** The user in every /auth/exchange and /auth/refresh answer. `id` is the gateway user id. */
export interface GatewayUser {
  id: string;
  provider: string;
  email?: string;
  name?: string;
  image?: string;
}

/** The answer of /auth/exchange and /auth/refresh. */
export interface GatewayTokens {
  access_token: string;
  token_type: string;
  /** Seconds until access_token expires. */
  expires_in: number;
  refresh_token: string;
  /** Seconds until refresh_token expires. */
  refresh_expires_in: number;
  user: GatewayUser;
}

/**
 * A call to the gateway that did not succeed. `status` is the HTTP status (undefined when
 * the gateway could not be reached); `code` is its JSON `error` field. The message never
 * contains a token.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "GatewayError";
  }

  /** Worth trying again later: unreachable, rate-limited or a server-side problem. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** Gives up on a gateway call after this long, so a hung gateway cannot hang sign-in. */
const TIMEOUT_MS = 10_000;

/** POSTs a JSON body to an /auth/* endpoint with the internal secret. */
async function post(env: Env, path: string, body: unknown): Promise<Response> {
  const secret = env.GATEWAY_INTERNAL_SECRET;
  if (!secret) {
    throw new GatewayError("GATEWAY_INTERNAL_SECRET is not set (see .env.example)");
  }
  const url = `${gatewayURL(env)}${path}`;
  try {
    return await fetch(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${secret}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify(body),
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new GatewayError(`the gateway at ${url} is unreachable (${reason(err)})`);
  }
}

function reason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ? `${err.message}: ${cause}` : err.message;
  }
  return String(err);
}

/** Turns a non-2xx answer into a GatewayError carrying the gateway's own explanation. */
async function failure(path: string, res: Response): Promise<GatewayError> {
  let code: string | undefined;
  let description = "";
  try {
    const body = (await res.json()) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === "string") code = body.error;
    if (typeof body.error_description === "string") description = body.error_description;
  } catch {
    // Not JSON (a proxy's HTML error page, say): the status says enough.
  }
  const detail = [code, description].filter(Boolean).join(": ");
  return new GatewayError(`the gateway refused ${path} with HTTP ${res.status}${detail ? ` (${detail})` : ""}`, res.status, code);
}

/** Reads and checks a token answer, so a half-broken one fails here and not later. */
async function tokens(path: string, res: Response): Promise<GatewayTokens> {
  if (!res.ok) throw await failure(path, res);
  let body: Partial<GatewayTokens>;
  try {
    body = (await res.json()) as Partial<GatewayTokens>;
  } catch {
    throw new GatewayError(`the gateway answered ${path} with something that is not JSON`, res.status);
  }
  if (
    typeof body.access_token !== "string" ||
    typeof body.refresh_token !== "string" ||
    typeof body.expires_in !== "number" ||
    typeof body.user?.id !== "string"
  ) {
    throw new GatewayError(`the gateway answered ${path} without access_token, refresh_token, expires_in or user.id`, res.status);
  }
  return body as GatewayTokens;
}

/** What NextAuth got from the provider at sign-in (its Account fields of the same names). */
export interface ProviderTokens {
  provider: string;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  /** Unix seconds. */
  expires_at?: number;
}

/** POST /auth/exchange (the exchange at sign-in): the gateway verifies the provider tokens with the provider. */
export async function exchange(env: Env, provider: ProviderTokens): Promise<GatewayTokens> {
  const body = {
    provider: provider.provider,
    access_token: provider.access_token,
    refresh_token: provider.refresh_token,
    id_token: provider.id_token,
    expires_at: provider.expires_at,
  };
  return tokens("/auth/exchange", await post(env, "/auth/exchange", body));
}

/** POST /auth/refresh: rotates the refresh token (the one passed in is used up). */
export async function refresh(env: Env, refreshToken: string): Promise<GatewayTokens> {
  return tokens("/auth/refresh", await post(env, "/auth/refresh", { refresh_token: refreshToken }));
}

/** POST /auth/logout: revokes the refresh token's family. 204 also for an unknown token. */
export async function logout(env: Env, refreshToken: string): Promise<void> {
  const res = await post(env, "/auth/logout", { refresh_token: refreshToken });
  if (!res.ok) throw await failure("/auth/logout", res);
}

/** What services/users answers on GET /me (through the gateway: /api/users/me). */
export interface Me {
  id: string;
  provider: string;
  email?: string;
  name?: string;
}

/**
 * The gateway continues this server's trace on /api/* (the page's request, its call to the
 * gateway and the service as one trace) only when the request proves it comes from here;
 * a browser's traceparent starts a new trace. The gateway never forwards this header.
 */
function traceTrust(env: Env): Record<string, string> {
  const secret = env.GATEWAY_INTERNAL_SECRET;
  return secret ? { "X-Gateway-Internal-Secret": secret } : {};
}

export type MeResult = { ok: true; me: Me } | { ok: false; status?: number; message: string };

/**
 * GET /api/users/me through the gateway with the gateway access token: the whole MSA path
 * (web server → gateway → users service). Never throws: the page shows `message` instead.
 */
export async function fetchMe(accessToken: string, env: Env = process.env): Promise<MeResult> {
  const url = `${gatewayURL(env)}/api/users/me`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json", ...traceTrust(env) },
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    console.warn(`GET ${url} failed: ${reason(err)}`);
    return { ok: false, message: "게이트웨이에 연결하지 못했습니다. services/gateway가 실행 중인지, GATEWAY_URL이 맞는지 확인하세요." };
  }
  if (!res.ok) {
    const err = await failure("/api/users/me", res);
    console.warn(err.message);
    if (res.status === 401) {
      return { ok: false, status: 401, message: "사용자 서비스가 인증을 거부했습니다. 다시 로그인해 주세요." };
    }
    return { ok: false, status: res.status, message: `사용자 서비스(services/users)가 응답하지 않습니다 (HTTP ${res.status}). 서비스가 실행 중인지 확인하세요.` };
  }
  try {
    const me = (await res.json()) as Me;
    if (typeof me.id !== "string") throw new Error("no id");
    return { ok: true, me };
  } catch {
    return { ok: false, status: res.status, message: "사용자 서비스의 응답을 읽지 못했습니다." };
  }
}
