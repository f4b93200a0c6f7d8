// NextAuth's HTTP endpoints under /api/auth/*: sign-in redirects, the OAuth callbacks
// (/api/auth/callback/<provider>, the redirect URI you register with each provider),
// /api/auth/session, /api/auth/csrf, sign-out.
// The options live in lib/auth.ts: a route.ts may only export HTTP method handlers.
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth";

const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };
