// A real OpenID Provider for sign-in tests: node-oidc-provider with its development login and
// consent pages, an in-memory store, and one confidential client.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

/**
 * The account behind any login typed into the provider's login page: the login is the subject,
 * and the email is derived from it and always verified.
 */
export function accountFor(login) {
  const name = login
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ');
  return { sub: login, email: `${login}@example.org`, email_verified: true, name: name || login };
}

function configuration(client, redirectUri) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clients: [
      {
        ...client,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: {
      keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }],
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    conformIdTokenClaims: false,
    pkce: { methods: ['S256'], required: () => true },
    features: {
      devInteractions: { enabled: true },
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return accountFor(id);
        },
      };
    },
  };
}

/**
 * Starts the provider on `host:port` and returns its issuer, the client it knows, the errors
 * it reported, and `close()`.
 *
 * The client authenticates at the token endpoint with HTTP Basic (`client_secret_basic`), which
 * the `openidconnect` crate uses by default. PKCE with S256 is required of every authorization
 * request. ID tokens carry the claims of the granted scopes (`conformIdTokenClaims: false`), so
 * the sign-ins here take email and name from the ID token; the API asks UserInfo only when the
 * ID token lacks them (the Rust suite covers that path against its in-process provider).
 */
export async function startIdentityProvider({ host, port, redirectUri }) {
  const issuer = `http://${host}:${port}`;
  const client = {
    client_id: 'peerlearn-e2e',
    client_secret: randomBytes(32).toString('base64url'),
  };

  // The in-memory store and the development login and consent pages are what this provider is
  // for: its start-up warnings about them are expected and dropped; any other warning passes.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING: a quick start development-only')) {
      warn(...args);
    }
  };
  let provider;
  try {
    provider = new Provider(issuer, configuration(client, redirectUri));
  } finally {
    console.warn = warn;
  }

  const events = [];
  for (const name of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'discovery.error', 'jwks.error']) {
    provider.on(name, (...args) => {
      const err = args.find((arg) => arg instanceof Error);
      const detail = err ? `${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}` : '';
      events.push(`${name} ${detail}`.trim());
    });
  }

  const server = await new Promise((resolveListen, reject) => {
    const listening = provider.listen(port, host, () => resolveListen(listening));
    listening.once('error', reject);
  });

  return {
    issuer,
    client,
    events,
    close() {
      return new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}
