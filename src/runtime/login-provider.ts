import { randomBytes } from "node:crypto";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthClientProvider, OAuthDiscoveryState, OAuthTokens } from "@modelcontextprotocol/client";

/**
 * What the SDK's `auth()` asks of a client during `mcp-proxy login`, held in memory for the
 * one run: the registered client (RFC 7591), the PKCE verifier, the discovery results and
 * the tokens. The command stores the outcome encrypted once the code is exchanged; nothing
 * is written before then, so an abandoned login leaves no half state.
 */
export class LoginProvider implements OAuthClientProvider {
  readonly #state = randomBytes(24).toString("base64url");
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier: string | undefined;
  #discovery: OAuthDiscoveryState | undefined;
  #resource: string | undefined;

  constructor(
    readonly redirectUrl: string,
    private readonly scope: string | undefined,
    /** The authorization URL a person opens in a browser (the command prints it). */
    private readonly onAuthorizationUrl: (url: URL) => void,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "mcp-portcullis gateway (mcp-proxy login)",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // A public client: PKCE protects the code, and no secret has to be kept for it.
      token_endpoint_auth_method: "none",
      ...(this.scope ? { scope: this.scope } : {}),
    } as OAuthClientMetadata;
  }

  /** The value the callback must carry back (CSRF protection, RFC 6749 §10.12). */
  get expectedState(): string {
    return this.#state;
  }

  state(): string {
    return this.#state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#client = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }

  redirectToAuthorization(url: URL): void {
    this.onAuthorizationUrl(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.#verifier) throw new Error("no PKCE code verifier was created for this login");
    return this.#verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  saveResourceUrl(resource: string): void {
    this.#resource = resource;
  }

  get resource(): string | undefined {
    return this.#resource;
  }
}
