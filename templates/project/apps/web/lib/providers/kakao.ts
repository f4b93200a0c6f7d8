// Kakao: the next-auth provider configuration. Every endpoint is read with baseURL, so
// it can be pointed somewhere else (the offline stand-in dev/mock-oauth, a test server)
// without touching code; the default is the real Kakao. Console setup: docs/oauth/kakao.md.
import "server-only";
import type { OAuthConfig } from "next-auth/providers/index";
import { baseURL, type Env } from "../env";

/** The claims of a Kakao id_token (Kakao Login with OpenID Connect turned on). */
export interface KakaoIdTokenClaims {
  iss: string;
  aud: string;
  /** The Kakao user id (the same number as `id` of /v2/user/me), as a string. */
  sub: string;
  nickname?: string;
  picture?: string;
  /** Present only for apps allowed to ask for the e-mail (비즈 앱) and users who agreed. */
  email?: string;
}

/**
 * Kakao with OpenID Connect turned on in the Kakao console (docs/oauth/kakao.md).
 *
 * Why not next-auth's own `KakaoProvider`? It is plain OAuth. With OIDC on, Kakao always
 * returns an id_token, and the plain-OAuth code path of next-auth v4 (openid-client) then
 * fails with "id_token detected in the response, you must use client.callback()".
 * So this is KakaoProvider's configuration switched to the OIDC code path: endpoints from
 * Kakao's discovery document, the id_token is verified (signature, iss, aud, exp, nonce)
 * and the profile is read from its claims.
 */
export function kakaoProvider(env: Env = process.env): OAuthConfig<KakaoIdTokenClaims> {
  const issuer = baseURL(env, "KAKAO_ISSUER", "https://kauth.kakao.com");
  const api = baseURL(env, "KAKAO_API_URL", "https://kapi.kakao.com");
  return {
    id: "kakao",
    name: "Kakao",
    type: "oauth",
    clientId: env.KAKAO_CLIENT_ID ?? "",
    clientSecret: env.KAKAO_CLIENT_SECRET ?? "",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    idToken: true,
    // A nonce is sent with the authorization request and must come back inside the
    // id_token; PKCE is not used for Kakao.
    checks: ["state", "nonce"],
    authorization: {
      // An empty scope: Kakao then grants the consent items configured in its console.
      // Do NOT send scope=openid (or account_email for a non-biz app): Kakao answers
      // KOE205. With OIDC on, Kakao issues the id_token without it.
      params: { scope: "" },
    },
    // Kakao wants the client secret in the POST body; HTTP Basic gives invalid_client.
    client: { token_endpoint_auth_method: "client_secret_post" },
    // Kakao's user API. next-auth does not call it (the profile comes from the id_token);
    // it is kept here as the documented place to fetch more of the Kakao profile.
    userinfo: `${api}/v2/user/me`,
    profile(claims) {
      return {
        id: claims.sub,
        name: claims.nickname ?? null,
        email: claims.email ?? null,
        image: claims.picture ?? null,
      };
    },
  };
}
