// Next.js calls register() once when a server starts (`next dev`, `next start`, the
// standalone server.js of the Docker image), before it serves a request. Checking the
// environment here makes a missing secret stop the server with the variable's name,
// instead of failing the first sign-in. Tracing starts here too (lib/telemetry.ts), so the
// first request is already traced.
export async function register() {
  // This app runs on Node.js only. The modules are imported inside this test, the form the
  // Next.js docs give, so the Edge build of this file drops them with their Node.js APIs.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { exitUnlessEnvComplete } = await import("./lib/env");
    exitUnlessEnvComplete(process.env);
    const { registerTelemetry } = await import("./lib/telemetry");
    await registerTelemetry(process.env);
  }
}
