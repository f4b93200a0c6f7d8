// Tests for lib/providers/google.ts, through NextAuth's real request handler (lib/test/next-auth.ts).
import type { NextAuthOptions } from "next-auth";
import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { APP_URL, effective, fakeIssuer, oauth, signInRedirect } from "../test/next-auth";
import { googleProvider } from "./google";

const env: Env = { GOOGLE_CLIENT_ID: "google-client", GOOGLE_CLIENT_SECRET: "google-secret" };

/** NextAuth configured with this provider alone. */
function withProvider(env: Env): NextAuthOptions {
  return { providers: [googleProvider(env)] };
}

const issuer = fakeIssuer();

describe("Google", () => {
  it("uses accounts.google.com unless GOOGLE_ISSUER is set", () => {
    const google = oauth(withProvider(env), "google");
    expect(effective(google, "wellKnown")).toBe("https://accounts.google.com/.well-known/openid-configuration");
    expect(effective(google, "issuer")).toBe("https://accounts.google.com");

    const moved = oauth(withProvider({ ...env, GOOGLE_ISSUER: "http://localhost:9999/google/" }), "google");
    expect(effective(moved, "wellKnown")).toBe("http://localhost:9999/google/.well-known/openid-configuration");
    expect(effective(moved, "issuer")).toBe("http://localhost:9999/google");
  });

  it("redirects to the discovered authorize endpoint, asking for offline access and consent", async () => {
    const options = withProvider({ ...env, GOOGLE_ISSUER: `${issuer.url}/google` });
    const url = await signInRedirect(options, "google");
    expect(url.origin + url.pathname).toBe(`${issuer.url}/google/authorize`);
    const q = url.searchParams;
    expect(q.get("client_id")).toBe("google-client");
    expect(q.get("redirect_uri")).toBe(`${APP_URL}/api/auth/callback/google`);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("scope")).toBe("openid email profile");
    // A refresh token is issued only for offline access, and only on a (forced) consent.
    expect(q.get("access_type")).toBe("offline");
    expect(q.get("prompt")).toBe("consent");
    // CSRF and code-interception protection.
    expect(q.get("state")).toBeTruthy();
    expect(q.get("code_challenge")).toBeTruthy();
    expect(q.get("code_challenge_method")).toBe("S256");
  });
});
