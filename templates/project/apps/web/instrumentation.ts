// Next.js calls register() once when a server starts (`next dev`, `next start`, the
// standalone server.js of the Docker image), before it serves a request. Checking the
// environment here makes a missing secret stop the server with the variable's name,
// instead of failing the first sign-in.
export async function register() {
  // The Edge runtime has no process.env to check (this app runs only on Node.js), and
  // `next build` needs no secrets: a Docker build has no .env.local.
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { checkEnv } = await import("./lib/env");
  try {
    checkEnv(process.env);
  } catch (err) {
    // Next.js would log a stack trace and keep serving a server that cannot sign anyone
    // in: say what is wrong in one line and stop.
    console.error(`web server: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
