// The sealed requestState a modern client carries between input_required rounds: whatever the
// client does to it, or wherever it takes it, only the issuing caller's retry of the same
// request, within the TTL and once, opens it.
import { describe, expect, it } from "vitest";
import { ProxyError } from "../../src/core/errors.js";
import { RequestStateSeal } from "../../src/runtime/era/request-state.js";

const issued = { caller: "http\u0000alice", digest: "d1", responses: { "elicitation-0": { action: "accept" } }, pending: ["elicitation-1"] };
const forIssued = { caller: issued.caller, digest: issued.digest };

async function refusalOf(open: Promise<unknown>): Promise<string> {
  try {
    await open;
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).code).toBe("INVALID_REQUEST_STATE");
    return (error as Error).message;
  }
  throw new Error("the state was accepted");
}

describe("RequestStateSeal", () => {
  it("opens its own state for the caller and request it was issued to, once", async () => {
    const seal = new RequestStateSeal("k", 60_000);
    const token = seal.seal(issued);
    expect(await seal.open(token, forIssued)).toMatchObject({ responses: issued.responses, pending: issued.pending });
    expect(await refusalOf(seal.open(token, forIssued))).toContain("already used");
  });

  it("refuses it to another caller (another identity, or the same one on another binding) and for another request", async () => {
    const seal = new RequestStateSeal("k", 60_000);
    const token = seal.seal(issued);
    expect(await refusalOf(seal.open(token, { ...forIssued, caller: "http\u0000mallory" }))).toContain("another caller");
    expect(await refusalOf(seal.open(token, { ...forIssued, caller: "stdio\u0000alice" }))).toContain("another caller");
    expect(await refusalOf(seal.open(token, { ...forIssued, digest: "d2" }))).toContain("another request");
    // Refusals for a wrong caller or request do not use the state up: its own retry still works.
    expect(await seal.open(token, forIssued)).toMatchObject({ pending: issued.pending });
  });

  it("refuses an expired state, one sealed with another key, and anything that is not a state", async () => {
    expect(await refusalOf(new RequestStateSeal("k", -1).open(new RequestStateSeal("k", -1).seal(issued), forIssued))).toContain("expired");
    const theirs = new RequestStateSeal("other key", 60_000).seal(issued);
    expect(await refusalOf(new RequestStateSeal("k", 60_000).open(theirs, forIssued))).toContain("failed verification");
    // Without a configured key each process has its own: another process's state fails too.
    expect(await refusalOf(new RequestStateSeal(undefined, 60_000).open(new RequestStateSeal(undefined, 60_000).seal(issued), forIssued))).toContain("failed verification");
    const seal = new RequestStateSeal("k", 60_000);
    for (const junk of [42, "", "AQ", "x".repeat(2_000_000), Buffer.from([1, ...new Array(40).fill(0)]).toString("base64url")]) await refusalOf(seal.open(junk, forIssued));
  });
});
