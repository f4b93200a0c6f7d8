// Tests for lib/providers/naver.ts, through NextAuth's real request handler (lib/test/next-auth.ts).
import type { NextAuthOptions } from "next-auth";
import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { APP_URL, effective, oauth, signInRedirect } from "../test/next-auth";
import { naverProvider } from "./naver";

const env: Env = { NAVER_CLIENT_ID: "naver-client", NAVER_CLIENT_SECRET: "naver-secret" };

/** NextAuth configured with this provider alone. */
function withProvider(env: Env): NextAuthOptions {
  return { providers: [naverProvider(env)] };
}

describe("Naver", () => {
  it("redirects to NAVER_AUTH_URL and reads the profile from NAVER_API_URL", async () => {
    const options = withProvider({
      ...env,
      NAVER_AUTH_URL: "http://localhost:9999/naver",
      NAVER_API_URL: "http://localhost:9999/naver-api",
    });
    const naver = oauth(options, "naver");
    expect(effective(naver, "token")).toBe("http://localhost:9999/naver/oauth2.0/token");
    expect(effective(naver, "userinfo")).toBe("http://localhost:9999/naver-api/v1/nid/me");

    const url = await signInRedirect(options, "naver");
    expect(url.origin + url.pathname).toBe("http://localhost:9999/naver/oauth2.0/authorize");
    expect(url.searchParams.get("client_id")).toBe("naver-client");
    expect(url.searchParams.get("redirect_uri")).toBe(`${APP_URL}/api/auth/callback/naver`);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("state")).toBeTruthy();
  });

  it("defaults to nid.naver.com and openapi.naver.com", async () => {
    const options = withProvider(env);
    expect(effective(oauth(options, "naver"), "userinfo")).toBe("https://openapi.naver.com/v1/nid/me");
    const url = await signInRedirect(options, "naver");
    expect(url.origin + url.pathname).toBe("https://nid.naver.com/oauth2.0/authorize");
  });

  it("accepts a profile without e-mail", async () => {
    const naver = oauth(withProvider(env), "naver");
    const profile = await naver.profile({ resultcode: "00", message: "success", response: { id: "naver-1", nickname: "네이버유저" } }, {});
    expect(profile).toMatchObject({ id: "naver-1", name: "네이버유저" });
    expect(profile.email ?? undefined).toBeUndefined();
  });
});
