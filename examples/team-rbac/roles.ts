// Kept apart from the config so reviewers see role changes as their own diff.
export const ENGINEERS = ["alice", "bob"];
export const isEngineer = { in: [{ var: "identity.sub" }, ENGINEERS] };
export const isAdmin = { in: ["admin", { var: "identity.roles" }] };
