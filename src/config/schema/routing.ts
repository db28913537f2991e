import { Type, type Static } from "@sinclair/typebox";
import { ItemKind, Labels, strictObject } from "./common.js";

export const Naming = strictObject(
  {
    prefix: Type.Optional(
      Type.Union([Type.Literal("always"), Type.Literal("on-conflict"), Type.Literal("never")], {
        default: "always",
        description:
          "When a backend's namespace is put before tool and prompt names. always (default): adding a backend never renames an existing tool. on-conflict: only names that collide. never: collisions are reported.",
      }),
    ),
    separator: Type.Optional(
      Type.String({ pattern: "^[A-Za-z0-9_.-]{1,4}$", default: "__", description: "Put between namespace and name." }),
    ),
  },
  "How names from several backends are merged into one surface.",
);
export type Naming = Static<typeof Naming>;

export const Route = strictObject(
  {
    backend: Type.String({ minLength: 1, description: "Backend that owns the item." }),
    kind: ItemKind,
    name: Type.String({ minLength: 1, description: "The item's original name (tools, prompts) or URI / URI template (resources) at the backend." }),
    rename: Type.Optional(
      Type.String({ pattern: "^[A-Za-z0-9_.-]{1,64}$", description: "Exposed name, used as it is (no prefix). Tools and prompts only." }),
    ),
    hide: Type.Optional(Type.Boolean({ description: "Hide the item: it is neither listed nor callable." })),
    description: Type.Optional(Type.String({ description: "Description shown to clients instead of the backend's." })),
    labels: Type.Optional(Labels),
  },
  "An override for one item, matched on (backend, kind, original name).",
);
export type Route = Static<typeof Route>;

export const Routes = Type.Array(Route, { description: "Per-item renames, hides, description overrides and labels." });
