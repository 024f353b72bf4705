import { FakeHttpServer } from '../support/fake-http';
import type { FakeResponse } from '../support/fake-http';

/**
 * An OAuth2 authorization server's token endpoint for the client-credentials grant, as RFC 6749
 * section 4.4 describes it: POST `grant_type=client_credentials` with the client's id and secret
 * (in the form, section 2.3.1, or HTTP Basic); a bearer token with `expires_in`; a refused client is
 * 401 `invalid_client`, another grant 400 `unsupported_grant_type` (section 5.2). It issues the one
 * token the resource server in front of it accepts.
 */
export class OAuth2TokenServer {
  private constructor(
    private readonly http: FakeHttpServer,
    private readonly counts: { issued: number },
  ) {}

  static async start(options: {
    clientId: string;
    clientSecret: string;
    accessToken: string;
  }): Promise<OAuth2TokenServer> {
    const client = { id: options.clientId, secret: options.clientSecret };
    const counts = { issued: 0 };
    const http = await FakeHttpServer.start((request): FakeResponse => {
      if (request.method !== 'POST' || request.path !== '/oauth2/token')
        return { status: 404, json: { error: 'not_found' } };
      const form = request.form ?? new URLSearchParams();
      if (form.get('grant_type') !== 'client_credentials') {
        return { status: 400, json: { error: 'unsupported_grant_type' } };
      }
      const [basicId, basicSecret] = basicCredentials(request.headers.authorization);
      const id = form.get('client_id') ?? basicId;
      const secret = form.get('client_secret') ?? basicSecret;
      if (id !== client.id || secret !== client.secret) {
        return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
      }
      counts.issued += 1;
      return { status: 200, json: { access_token: options.accessToken, token_type: 'Bearer', expires_in: 3600 } };
    });
    return new OAuth2TokenServer(http, counts);
  }

  get tokenUrl(): string {
    return `${this.http.url}/oauth2/token`;
  }

  /** Tokens issued so far. */
  get tokensIssued(): number {
    return this.counts.issued;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

function basicCredentials(header: string | undefined): [string | undefined, string | undefined] {
  if (!header?.startsWith('Basic ')) return [undefined, undefined];
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [undefined, undefined] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}
