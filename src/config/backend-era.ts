/** The era settings of one backend as written: `era`, or `versionNegotiation` (the SDK's name for it). */
interface EraSettings {
  readonly era?: "legacy" | "auto" | "modern";
  readonly versionNegotiation?: "legacy" | "auto" | { readonly pin: string };
}

type BackendEra = NonNullable<EraSettings["era"]>;

function negotiatedEra(negotiation: NonNullable<EraSettings["versionNegotiation"]>): BackendEra {
  return typeof negotiation === "string" ? negotiation : "modern";
}

/** The era the proxy speaks with the backend: whichever of the two settings is given, legacy without either. */
export function eraOf(backend: EraSettings): BackendEra {
  if (backend.versionNegotiation !== undefined) return negotiatedEra(backend.versionNegotiation);
  return backend.era ?? "legacy";
}

/** Why the two settings cannot both stand, when they say different things; undefined when they agree or one is absent. */
export function eraConflict(backend: EraSettings): string | undefined {
  const negotiation = backend.versionNegotiation;
  if (negotiation === undefined || backend.era === undefined) return undefined;
  const implied = negotiatedEra(negotiation);
  if (implied === backend.era) return undefined;
  return `says era ${JSON.stringify(implied)} but era is ${JSON.stringify(backend.era)}; set one of them (versionNegotiation "legacy", "auto" or { pin: "2026-07-28" } is era legacy, auto or modern)`;
}
