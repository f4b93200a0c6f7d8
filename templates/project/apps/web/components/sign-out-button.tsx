"use client";

// signOut() runs in the browser (it posts to /api/auth/signout with the CSRF token), so
// this button is a client component; the page that shows it stays a server component.
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" className="button button--secondary" onClick={() => signOut({ callbackUrl: "/" })}>
      로그아웃
    </button>
  );
}
