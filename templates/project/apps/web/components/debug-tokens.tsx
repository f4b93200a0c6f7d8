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
import { useEffect, useRef } from "react";

export function DebugTokens() {
  const { data: session } = useSession();
  const tokens = session?.debugProviderTokens;
  const provider = session?.provider;
  // The session is fetched again (e.g. when the tab gets focus) and React runs effects
  // twice in development: remember what was logged so each sign-in is logged once.
  const logged = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!tokens || logged.current === tokens.accessToken) return;
    logged.current = tokens.accessToken;
    console.log(`[debug-tokens] ${provider ?? "provider"} tokens (development only):`, {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
    });
  }, [tokens, provider]);

  return null;
}
