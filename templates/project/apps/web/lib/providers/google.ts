// Google: the next-auth provider configuration. Every endpoint is read with baseURL, so
// it can be pointed somewhere else (the offline stand-in dev/mock-oauth, a test server)
// without touching code; the default is the real Google. Console setup: docs/oauth/google.md.
import "server-only";
import type { Provider } from "next-auth/providers/index";
import GoogleProvider from "next-auth/providers/google";
import { baseURL, type Env } from "../env";

/**
 * Google is a full OpenID Connect provider: next-auth reads its endpoints from the
 * discovery document and takes the profile from the signed id_token.
 */
export function googleProvider(env: Env = process.env): Provider {
  const issuer = baseURL(env, "GOOGLE_ISSUER", "https://accounts.google.com");
  return GoogleProvider({
    clientId: env.GOOGLE_CLIENT_ID ?? "",
    clientSecret: env.GOOGLE_CLIENT_SECRET ?? "",
    // Overriding `issuer` alone is not enough: next-auth prefers `wellKnown`, and the
    // default one points at accounts.google.com.
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    authorization: {
      params: {
        // Google returns a refresh token only when asked for offline access, and only on
        // the first consent unless `prompt=consent` makes it ask again.
        prompt: "consent",
        access_type: "offline",
        response_type: "code",
        scope: "openid email profile",
      },
    },
    // Google's defaults stay: PKCE + state checks and the id_token (idToken: true).
  });
}
