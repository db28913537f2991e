// oidc-provider ships no types; the tests use a handful of its members, typed where they are used.
declare module "oidc-provider" {
  const Provider: new (issuer: string, configuration: unknown) => {
    on(event: string, listener: (...args: any[]) => void): void;
    registerGrantType(name: string, handler: (ctx: any) => Promise<void>, parameters: string[]): void;
    callback(): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;
  };
  export default Provider;
}
