import { describe, expect, it } from "vitest";
import { checkEnv, requiredVariables } from "./env";

const complete: Record<string, string> = Object.fromEntries(requiredVariables.map((name) => [name, "value"]));

describe("checkEnv", () => {
  it("accepts an environment where every required variable has a value", () => {
    expect(() => checkEnv(complete)).not.toThrow();
  });

  it("names the variable that is missing", () => {
    for (const name of requiredVariables) {
      const env = { ...complete };
      delete env[name];
      expect(() => checkEnv(env)).toThrow(new RegExp(`^${name} is not set: set it in \\.env\\.local`));
    }
  });

  it("treats a blank value as missing", () => {
    expect(() => checkEnv({ ...complete, NEXTAUTH_SECRET: "  " })).toThrow(/^NEXTAUTH_SECRET is empty/);
  });
});
