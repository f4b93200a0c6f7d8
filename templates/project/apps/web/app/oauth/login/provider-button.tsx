"use client";

// One social-login button. signIn() posts to /api/auth/signin/<id> (with the CSRF token);
// NextAuth answers with the provider's authorization URL and the browser goes there.
// After the provider sends the user back to /api/auth/callback/<id>, NextAuth sets the
// session cookie and redirects to callbackUrl ("/").
import { signIn } from "next-auth/react";
import { useState } from "react";

/** `id` is the NextAuth provider id (lib/providers/<id>.ts); its logo is public/logos/<id>.svg. */
export function ProviderButton({ id, label }: { id: string; label: string }) {
  const [pending, setPending] = useState(false);

  return (
    <button
      type="button"
      data-provider={id}
      className={`login-button login-button--${id}`}
      disabled={pending}
      onClick={() => {
        setPending(true);
        // If the redirect does not happen (network error), let the user try again.
        signIn(id, { callbackUrl: "/" }).catch(() => setPending(false));
      }}
    >
      {/* A plain <img>: a 20px local SVG gains nothing from next/image optimisation.
          alt="" because the label next to it already names the provider. */}
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={`/logos/${id}.svg`} alt="" width={20} height={20} className="login-button__logo" />
      <span className="login-button__label">{label}</span>
    </button>
  );
}
