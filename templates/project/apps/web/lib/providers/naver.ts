// Naver: the next-auth provider configuration. Every endpoint is read with baseURL, so
// it can be pointed somewhere else (the offline stand-in dev/mock-oauth, a test server)
// without touching code; the default is the real Naver. Console setup: docs/oauth/naver.md.
import "server-only";
import type { Provider } from "next-auth/providers/index";
import NaverProvider from "next-auth/providers/naver";
import { baseURL, type Env } from "../env";

/**
 * Naver is plain OAuth 2.0 (no OpenID Connect): the profile comes from the profile API.
 * Naver has no `scope` parameter; the fields you get are the ones chosen in the Naver
 * console (제공 정보 선택), so the e-mail may be missing.
 */
export function naverProvider(env: Env = process.env): Provider {
  const auth = baseURL(env, "NAVER_AUTH_URL", "https://nid.naver.com");
  const api = baseURL(env, "NAVER_API_URL", "https://openapi.naver.com");
  return NaverProvider({
    clientId: env.NAVER_CLIENT_ID ?? "",
    clientSecret: env.NAVER_CLIENT_SECRET ?? "",
    authorization: { url: `${auth}/oauth2.0/authorize`, params: {} },
    token: `${auth}/oauth2.0/token`,
    userinfo: `${api}/v1/nid/me`,
  });
}
