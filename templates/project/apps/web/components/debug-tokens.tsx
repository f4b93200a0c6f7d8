"use client";

// --debug-tokens: logs the provider's access and refresh tokens to the browser console
// after sign-in, so you can see what Google / Naver / Kakao issued while learning OAuth.
//
// Why this is off by default: a refresh token is a long-lived credential. Anything browser
// JavaScript can read can be stolen by one XSS bug or a malicious extension, so in a real
// app no refresh token should ever reach the browser. Here the tokens reach the browser
// only in development: layout.tsx renders this component only when
// NODE_ENV === "development", and lib/auth.ts stores and exposes the tokens only then.
// To turn it off, delete this file and the debug parts of lib/auth.ts, layout.tsx and
// types/next-auth.d.ts (or generate the project again without --debug-tokens).
import { useSession } from "next-auth/react";
import { useEffect } from "react";

export function DebugTokens() {
  const { data: session } = useSession();
  const tokens = session?.debugProviderTokens;

  useEffect(() => {
    if (!tokens) return;
    console.log(`[debug-tokens] ${session?.provider ?? "provider"} tokens (development only):`, {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
    });
  }, [tokens, session?.provider]);

  return null;
}
