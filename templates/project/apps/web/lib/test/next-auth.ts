// Test helpers shared by lib/auth.test.ts and lib/providers/*.test.ts: a minimal driver
// for NextAuth's real request handler, so tests check what a browser would get, not just
// what a config object looks like.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import NextAuth, { type NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/index";
import { afterAll, beforeAll, beforeEach, expect, vi } from "vitest";

export const SECRET = "test-secret-that-is-long-enough-for-next-auth";
export const APP_URL = "http://localhost:3000";

// next-auth reads its own origin from NEXTAUTH_URL; every file that imports this module
// gets it.
beforeEach(() => {
  vi.stubEnv("NEXTAUTH_URL", APP_URL);
  return () => vi.unstubAllEnvs();
});

/**
 * Starts a fake OpenID Connect issuer for the tests of the calling file: it serves
 * discovery documents under /<provider>/, which is all next-auth reads before it redirects
 * to the authorize endpoint. `url` is set once the server listens (in beforeAll).
 */
export function fakeIssuer(): { url: string } {
  const issuer = { url: "" };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const match = /^\/(\w+)\/\.well-known\/openid-configuration$/.exec(req.url ?? "");
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const base = `${issuer.url}/${match[1]}`;
      res.writeHead(200, { "Content-Type": "application/json" }).end(
        JSON.stringify({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          userinfo_endpoint: `${base}/userinfo`,
          jwks_uri: `${base}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  return issuer;
}

// --- a minimal driver for NextAuth's request handler ----------------------------------
export interface Reply {
  status: number;
  location?: string;
  body: unknown;
  cookies: Record<string, string>;
}

/** Sends one request to NextAuth's handler (/api/auth/<path...>) in-process. */
export async function call(
  options: NextAuthOptions,
  method: "GET" | "POST",
  path: string[],
  {
    body,
    cookies = {},
    query = {},
  }: { body?: Record<string, string>; cookies?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<Reply> {
  const req = {
    method,
    query: { ...query, nextauth: path },
    body,
    cookies,
    headers: { host: "localhost:3000", "content-type": "application/x-www-form-urlencoded" },
  };
  const headers: Record<string, string | string[]> = {};
  const reply: Reply = { status: 200, body: undefined, cookies: {} };
  await new Promise<void>((resolve) => {
    const res = {
      status(code: number) {
        reply.status = code;
        return res;
      },
      getHeader: (name: string) => headers[name.toLowerCase()],
      setHeader(name: string, value: string | string[]) {
        headers[name.toLowerCase()] = value;
        return res;
      },
      end() {
        resolve();
      },
      json(data: unknown) {
        reply.body = data;
        resolve();
      },
      send(data: unknown) {
        reply.body = data;
        resolve();
      },
    };
    // The (req, res, options) form is the Pages-Router signature; the App Router route
    // handler ends up in the same core (AuthHandler).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    void NextAuth(req as any, res as any, { ...options, secret: SECRET });
  });
  reply.location = headers.location as string | undefined;
  const setCookie = headers["set-cookie"] ?? [];
  for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const pair = line.split(";")[0];
    const eq = pair.indexOf("=");
    reply.cookies[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
  }
  return reply;
}

/** Clicks "sign in with <provider>" the way next-auth/react's signIn() does. */
export async function signInRedirect(options: NextAuthOptions, provider: string): Promise<URL> {
  const csrf = await call(options, "GET", ["csrf"]);
  const { csrfToken } = csrf.body as { csrfToken: string };
  const reply = await call(options, "POST", ["signin", provider], {
    body: { csrfToken, callbackUrl: "/" },
    cookies: csrf.cookies,
  });
  expect(reply.status).toBe(302);
  expect(reply.location).toBeDefined();
  return new URL(reply.location!);
}

export function oauth(options: NextAuthOptions, id: string): OAuthConfig<unknown> {
  const provider = options.providers.find((p) => p.id === id);
  if (!provider) throw new Error(`provider ${id} is not configured`);
  return provider as OAuthConfig<unknown>;
}

/** The value next-auth ends up using: the provider's own option, else its default. */
export function effective<K extends keyof OAuthConfig<unknown>>(provider: OAuthConfig<unknown>, key: K) {
  return provider.options?.[key as keyof typeof provider.options] ?? provider[key];
}
