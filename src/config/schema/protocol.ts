import { Type, type Static } from "@sinclair/typebox";
import { SecretRef, strictObject } from "./common.js";

export const Protocol = strictObject(
  {
    requestStateKey: Type.Optional(
      Type.Unsafe<SecretRef>({
        ...SecretRef,
        description:
        "Key that seals the `requestState` the proxy gives 2026-07-28 clients between input_required rounds (AES-256-GCM; at least 32 bytes, stretched by SHA-256). Give every replica the same key so a retry may reach any of them; without one each process makes its own and accepts only its own states.",
      }),
    ),
  },
  "Protocol eras: the proxy serves legacy (initialize, sessions) and 2026-07-28 (stateless) clients on the same endpoints.",
);
export type Protocol = Static<typeof Protocol>;
