// Tests for lib/providers/kakao.ts, through NextAuth's real request handler (lib/test/next-auth.ts).
import type { NextAuthOptions } from "next-auth";
import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { APP_URL, fakeIssuer, oauth, signInRedirect } from "../test/next-auth";
import { kakaoProvider } from "./kakao";

const env: Env = { KAKAO_CLIENT_ID: "kakao-client", KAKAO_CLIENT_SECRET: "kakao-secret" };

/** NextAuth configured with this provider alone. */
function withProvider(env: Env): NextAuthOptions {
  return { providers: [kakaoProvider(env)] };
}

const issuer = fakeIssuer();

describe("Kakao (OpenID Connect on)", () => {
  it("verifies the id_token and sends the client secret in the POST body", () => {
    const kakao = oauth(withProvider({ ...env, KAKAO_ISSUER: "http://localhost:9999/kakao", KAKAO_API_URL: "http://localhost:9999/kakao-api" }), "kakao");
    expect(kakao.type).toBe("oauth");
    expect(kakao.idToken).toBe(true);
    expect(kakao.client?.token_endpoint_auth_method).toBe("client_secret_post");
    expect(kakao.wellKnown).toBe("http://localhost:9999/kakao/.well-known/openid-configuration");
    expect(kakao.issuer).toBe("http://localhost:9999/kakao");
    expect(kakao.userinfo).toBe("http://localhost:9999/kakao-api/v2/user/me");

    const real = oauth(withProvider(env), "kakao");
    expect(real.wellKnown).toBe("https://kauth.kakao.com/.well-known/openid-configuration");
    expect(real.userinfo).toBe("https://kapi.kakao.com/v2/user/me");
  });

  it("redirects to the discovered authorize endpoint without scope=openid (KOE205)", async () => {
    const options = withProvider({ ...env, KAKAO_ISSUER: `${issuer.url}/kakao` });
    const url = await signInRedirect(options, "kakao");
    expect(url.origin + url.pathname).toBe(`${issuer.url}/kakao/authorize`);
    const q = url.searchParams;
    expect(q.get("client_id")).toBe("kakao-client");
    expect(q.get("redirect_uri")).toBe(`${APP_URL}/api/auth/callback/kakao`);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("scope") ?? "").not.toContain("openid");
    expect(q.get("state")).toBeTruthy();
    expect(q.get("nonce")).toBeTruthy();
  });

  it("maps the id_token claims to the user", async () => {
    const kakao = oauth(withProvider(env), "kakao");
    const claims = { iss: "https://kauth.kakao.com", aud: "kakao-client", sub: "1234567890", nickname: "카카오유저", picture: "https://k.example/p.jpg" };
    expect(await kakao.profile(claims, {})).toEqual({ id: "1234567890", name: "카카오유저", email: null, image: "https://k.example/p.jpg" });
  });
});
