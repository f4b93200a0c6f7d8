"use client";

// SessionProvider is a React context that only works in client components, while
// layout.tsx is a server component: this small wrapper is the bridge between them.
// Client components below it can call useSession(), signIn() and signOut().
import { SessionProvider } from "next-auth/react";
import type { ReactNode } from "react";

export function Providers({ children }: { children: ReactNode }) {
  return <SessionProvider>{children}</SessionProvider>;
}
