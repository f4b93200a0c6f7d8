"use client";

// Signs the user out when the login can no longer be renewed: session.error is
// "RefreshTokenError" (lib/auth.ts) when the gateway refused POST /auth/refresh
// (lib/gateway-session.ts: the refresh token expired, was revoked by a sign-out elsewhere,
// or was reused). Rendered once in layout.tsx; it shows nothing.
import { signOut, useSession } from "next-auth/react";
import { useEffect } from "react";

export function SessionGuard() {
  const { data: session } = useSession();
  const error = session?.error;

  useEffect(() => {
    if (error) {
      void signOut({ callbackUrl: `/oauth/login?error=${encodeURIComponent(error)}` });
    }
  }, [error]);

  return null;
}
