// End-to-end sign-in through a real OpenID Provider: node-oidc-provider runs in this process on
// 127.0.0.1, `peerlearn serve` runs against it with a throwaway SQLite database, and a headless
// browser (plain HTTP, manual redirects, a cookie jar) goes through the provider's login and
// consent pages. Covers the web flow (session cookie) and the mobile flow (RFC 8252 code,
// PKCE, rotating refresh tokens) described in docs/auth.md.
//
// Environment:
//   PEERLEARN_BIN  path to the server binary (default: ../../target/debug/peerlearn)
//
// Exit status: 0 when every check passes, 1 otherwise or when a server cannot be started.

import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Browser, parseCookieHeader, parseForms } from './support/browser.mjs';
import { accountFor, startIdentityProvider } from './support/identity-provider.mjs';
import { PeerlearnServer, freePort } from './support/peerlearn.mjs';
import { runSuite, state, summarize } from './support/suite.mjs';

const HOST = '127.0.0.1';
const PROVIDER = 'oidc';
const COOKIE = 'peerlearn_session';
const MOBILE_REDIRECT = 'org.example.peerlearn:/oauth/callback';
const APP_STATE = 'xyz';
const LOGIN = 'ada.lovelace';
const ACCOUNT = accountFor(LOGIN);
const SESSION_MAX_AGE = 14 * 24 * 3600;
const MAX_HOPS = 20;

const scriptDir = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.PEERLEARN_BIN || join(scriptDir, '../../target/debug/peerlearn'));

let workDir = null;
let server = null;
let idp = null;

// --- checks -------------------------------------------------------------------------------

/** A failed expectation; its message says what was expected and what came instead. */
class CheckFailed extends Error {}

/** Thrown out of a flow when a check that later checks depend on has failed. */
class FlowAborted extends Error {}

const results = [];

function expect(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

/**
 * Runs one check and prints its line. A failed `required` check ends its flow; any other
 * failure is recorded and the flow goes on. Returns the check's value.
 */
async function check(name, fn, { required = false } = {}) {
  if (state.exiting) {
    throw new FlowAborted('interrupted');
  }
  try {
    const value = await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name}${value?.note ? ` (${value.note})` : ''}`);
    return value;
  } catch (err) {
    const reason = err instanceof CheckFailed ? err.message : `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
    results.push({ name, ok: false });
    console.log(`FAIL  ${name}: ${reason}`);
    if (required) {
      throw new FlowAborted(name);
    }
    return undefined;
  }
}

/** Runs a flow; when a required check fails, says which checks were skipped. */
async function flow(label, fn) {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof FlowAborted)) {
      throw err;
    }
    if (!state.exiting) {
      console.log(`skip  ${label}: the remaining checks depend on "${err.message}"`);
    }
  }
}

// --- HTTP helpers -------------------------------------------------------------------------

function snippet(text, length = 300) {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}...` : flat;
}

function describe(res) {
  const location = res.location ? `, Location ${res.location}` : '';
  const body = res.text ? `, body ${snippet(res.text)}` : '';
  return `HTTP ${res.status}${location}${body}`;
}

function json(res) {
  try {
    return JSON.parse(res.text);
  } catch {
    return null;
  }
}

/** POSTs a GraphQL query as a web app or a mobile app would. */
function graphql(client, base, query, { headers = {}, cookies = true } = {}) {
  return client.request(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
    cookies,
  });
}

function tokenRequest(client, base, params) {
  return client.request(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
}

function expectViewer(res, fields) {
  expect(res.status === 200, `expected HTTP 200, got ${describe(res)}`);
  const body = json(res);
  expect(body && !body.errors, `expected no GraphQL errors, got ${snippet(res.text)}`);
  const viewer = body.data?.viewer;
  expect(viewer, `expected a viewer, got ${snippet(res.text)}`);
  for (const [key, value] of Object.entries(fields)) {
    expect(viewer[key] === value, `expected viewer.${key} ${JSON.stringify(value)}, got ${JSON.stringify(viewer[key])}`);
  }
  return viewer;
}

function expectUnauthorized(res) {
  const body = json(res);
  const code = body?.errors?.[0]?.extensions?.code;
  expect(res.status === 401, `expected HTTP 401, got ${describe(res)}`);
  return { note: `HTTP 401${code ? ` ${code}` : ''}` };
}

function expectInvalidGrant(res) {
  expect(res.status === 400, `expected HTTP 400, got ${describe(res)}`);
  const body = json(res);
  expect(body?.error === 'invalid_grant', `expected error invalid_grant, got ${snippet(res.text)}`);
  return { note: 'HTTP 400 invalid_grant' };
}

/** Checks the start redirect: the provider's authorization endpoint with PKCE S256. */
function expectAuthorizationRedirect(res, ctx) {
  expect(res.status === 302, `expected HTTP 302, got ${describe(res)}`);
  const url = new URL(res.location);
  expect(`${url.origin}${url.pathname}` === ctx.authorizationEndpoint, `expected a redirect to ${ctx.authorizationEndpoint}, got ${res.location}`);
  const params = url.searchParams;
  const problems = [];
  const want = {
    response_type: 'code',
    client_id: idp.client.client_id,
    redirect_uri: ctx.callbackUrl,
    code_challenge_method: 'S256',
  };
  for (const [key, value] of Object.entries(want)) {
    if (params.get(key) !== value) {
      problems.push(`${key}=${params.get(key)} (expected ${value})`);
    }
  }
  const scopes = (params.get('scope') ?? '').split(' ');
  for (const scope of ['openid', 'email', 'profile']) {
    if (!scopes.includes(scope)) {
      problems.push(`scope lacks ${scope}`);
    }
  }
  for (const key of ['state', 'nonce']) {
    if (!params.get(key)) {
      problems.push(`no ${key}`);
    }
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(params.get('code_challenge') ?? '')) {
    problems.push(`code_challenge ${params.get('code_challenge')} is not an S256 challenge`);
  }
  expect(problems.length === 0, `authorization request: ${problems.join('; ')}`);
  return params;
}

/**
 * Follows redirects from `url` through the provider, filling in its login form (any login
 * works) and confirming its consent form, until a redirect leaves the provider. Returns that
 * URL and the pages passed ("login", "consent"). A provider session from an earlier sign-in
 * may skip both pages.
 */
async function throughProvider(browser, url) {
  const pages = [];
  let next = url;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (new URL(next).origin !== idp.issuer) {
      return { url: next, pages };
    }
    let res = await browser.request(next);
    if (res.status === 200) {
      const [form] = parseForms(res.text, res.url);
      expect(form, `the provider page ${res.url} has no form: ${snippet(res.text)}`);
      if ('login' in form.fields) {
        pages.push('login');
        res = await browser.submit(form, { login: LOGIN, password: 'any password' });
      } else {
        pages.push(form.fields.prompt ?? 'form');
        res = await browser.submit(form);
      }
    }
    expect([302, 303].includes(res.status) && res.location, `the provider answered ${describe(res)}`);
    next = res.location;
  }
  throw new CheckFailed(`more than ${MAX_HOPS} redirects at the provider`);
}

/** Checks the provider's redirect back to the API: the callback with code, state and iss. */
function expectCallback(url, ctx, state) {
  const callback = new URL(url);
  expect(`${callback.origin}${callback.pathname}` === ctx.callbackUrl, `expected a redirect to ${ctx.callbackUrl}, got ${url}`);
  const params = callback.searchParams;
  expect(!params.has('error'), `the provider returned error=${params.get('error')} (${params.get('error_description')})`);
  expect(params.get('code'), `no code in ${url}`);
  expect(params.get('state') === state, `expected state ${state}, got ${params.get('state')}`);
  expect(params.get('iss') === idp.issuer, `expected iss ${idp.issuer}, got ${params.get('iss')}`);
}

// --- flows --------------------------------------------------------------------------------

async function webFlow(ctx) {
  const browser = new Browser({ userAgent: 'peerlearn-e2e browser' });
  const start = `${ctx.api}/auth/${PROVIDER}/start?${new URLSearchParams({ return_to: ctx.webRedirect })}`;
  const csrf = { 'x-requested-with': 'fetch' };

  const authorization = await check(
    'web: GET /auth/oidc/start redirects to the provider with state, nonce and an S256 PKCE challenge',
    async () => {
      const res = await browser.request(start);
      return { params: expectAuthorizationRedirect(res, ctx), location: res.location };
    },
    { required: true },
  );

  const walk = await check(
    'web: login and consent at the provider lead back to /auth/oidc/callback with code, state and iss',
    async () => {
      const result = await throughProvider(browser, authorization.location);
      expectCallback(result.url, ctx, authorization.params.get('state'));
      expect(result.pages.includes('login'), `expected the provider's login page, passed ${result.pages.join(', ') || 'none'}`);
      return { ...result, note: `pages: ${result.pages.join(', ')}` };
    },
    { required: true },
  );

  const signedIn = await check(
    'web: the callback redirects to return_to and sets the session cookie',
    async () => {
      const res = await browser.request(walk.url);
      expect(res.status === 302, `expected HTTP 302, got ${describe(res)}`);
      expect(res.location === ctx.webRedirect, `expected Location ${ctx.webRedirect}, got ${res.location}`);
      const header = res.setCookies.find((h) => parseCookieHeader(h)?.name === COOKIE);
      expect(header, `no ${COOKIE} cookie; Set-Cookie: ${JSON.stringify(res.setCookies)}`);
      const cookie = parseCookieHeader(header);
      expect(cookie.value.startsWith('pls_'), `expected a pls_ session, got ${cookie.value.slice(0, 8)}...`);
      return { cookie };
    },
    { required: true },
  );

  await check('web: the session cookie is HttpOnly, SameSite=Lax, Path=/, Max-Age 14 days', async () => {
    const { attributes } = signedIn.cookie;
    const problems = [];
    if (attributes.httponly !== true) problems.push('not HttpOnly');
    if (String(attributes.samesite).toLowerCase() !== 'lax') problems.push(`SameSite=${attributes.samesite}`);
    if (attributes.path !== '/') problems.push(`Path=${attributes.path}`);
    if (attributes['max-age'] !== String(SESSION_MAX_AGE)) problems.push(`Max-Age=${attributes['max-age']}`);
    expect(problems.length === 0, problems.join('; '));
  });

  await check('web: the callback\'s state cannot be used again (400 invalid_state)', async () => {
    const res = await browser.request(walk.url);
    expect(res.status === 400, `expected HTTP 400, got ${describe(res)}`);
    expect(json(res)?.error === 'invalid_state', `expected error invalid_state, got ${snippet(res.text)}`);
  });

  await check(
    'web: POST /graphql with the cookie and X-Requested-With returns the signed-in viewer',
    async () => {
      const res = await graphql(browser, ctx.api, '{ viewer { id name email identities { nodes { issuer } } } }', { headers: csrf });
      const viewer = expectViewer(res, { name: ACCOUNT.name, email: ACCOUNT.email });
      const issuers = viewer.identities?.nodes?.map((n) => n.issuer) ?? [];
      expect(issuers.length === 1 && issuers[0] === idp.issuer, `expected one identity with issuer ${idp.issuer}, got ${JSON.stringify(issuers)}`);
      ctx.userId = viewer.id;
      return { note: `${viewer.name} <${viewer.email}>` };
    },
    { required: true },
  );

  await check('web: the cookie without X-Requested-With is refused (403)', async () => {
    const res = await graphql(browser, ctx.api, '{ viewer { name } }');
    expect(res.status === 403, `expected HTTP 403, got ${describe(res)}`);
  });

  await check('web: POST /auth/logout without X-Requested-With is refused (403)', async () => {
    const res = await browser.request(`${ctx.api}/auth/logout`, { method: 'POST' });
    expect(res.status === 403, `expected HTTP 403, got ${describe(res)}`);
    const still = await graphql(browser, ctx.api, '{ viewer { name } }', { headers: csrf });
    expectViewer(still, { name: ACCOUNT.name });
  });

  await check(
    'web: POST /auth/logout with X-Requested-With ends the session and clears the cookie',
    async () => {
      const res = await browser.request(`${ctx.api}/auth/logout`, { method: 'POST', headers: csrf });
      expect(res.status === 204, `expected HTTP 204, got ${describe(res)}`);
      const header = res.setCookies.find((h) => parseCookieHeader(h)?.name === COOKIE);
      expect(header, `expected a Set-Cookie removing ${COOKIE}; Set-Cookie: ${JSON.stringify(res.setCookies)}`);
      expect(browser.jar.get(ctx.api, COOKIE) === undefined, `the cookie is still set: ${header}`);
    },
    { required: true },
  );

  await check('web: the ended session\'s cookie is rejected by /graphql (401)', async () => {
    const res = await graphql(browser, ctx.api, '{ viewer { name } }', {
      headers: { ...csrf, cookie: `${COOKIE}=${signedIn.cookie.value}` },
      cookies: false,
    });
    return expectUnauthorized(res);
  });

  return browser;
}

async function mobileFlow(ctx, browser) {
  // The app's side: PKCE verifier and challenge, and an HTTP client without the browser's
  // cookies.
  const app = new Browser({ userAgent: 'peerlearn-e2e app' });
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const start = `${ctx.api}/auth/${PROVIDER}/start?${new URLSearchParams({
    client: 'mobile',
    redirect_uri: MOBILE_REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: APP_STATE,
  })}`;

  const authorization = await check(
    'mobile: GET /auth/oidc/start?client=mobile redirects to the provider with its own state, nonce and PKCE',
    async () => {
      const res = await browser.request(start);
      const params = expectAuthorizationRedirect(res, ctx);
      expect(params.get('state') !== APP_STATE, 'the app\'s state was passed to the provider');
      expect(params.get('code_challenge') !== challenge, 'the app\'s code challenge was passed to the provider');
      return { params, location: res.location };
    },
    { required: true },
  );

  const walk = await check(
    'mobile: the provider leads back to /auth/oidc/callback with code, state and iss',
    async () => {
      const result = await throughProvider(browser, authorization.location);
      expectCallback(result.url, ctx, authorization.params.get('state'));
      return { ...result, note: result.pages.length ? `pages: ${result.pages.join(', ')}` : 'provider session reused' };
    },
    { required: true },
  );

  const code = await check(
    `mobile: the callback redirects to ${MOBILE_REDIRECT}?code=...&state=${APP_STATE}`,
    async () => {
      const res = await browser.request(walk.url);
      expect(res.status === 302, `expected HTTP 302, got ${describe(res)}`);
      expect(res.location?.startsWith(`${MOBILE_REDIRECT}?`), `expected Location ${MOBILE_REDIRECT}?..., got ${res.location}`);
      const params = new URL(res.location).searchParams;
      expect(!params.has('error'), `got error=${params.get('error')}`);
      expect(params.get('state') === APP_STATE, `expected state ${APP_STATE}, got ${params.get('state')}`);
      expect(params.get('code'), `no code in ${res.location}`);
      expect(!res.setCookies.some((h) => parseCookieHeader(h)?.name === COOKIE), 'a mobile sign-in set a session cookie');
      return params.get('code');
    },
    { required: true },
  );

  const first = await check(
    'mobile: POST /auth/token (authorization_code + code_verifier) returns an access and a refresh token',
    async () => {
      const res = await tokenRequest(app, ctx.api, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: MOBILE_REDIRECT,
      });
      return expectTokenPair(res);
    },
    { required: true },
  );

  await check('mobile: the code works only once (400 invalid_grant)', async () => {
    const res = await tokenRequest(app, ctx.api, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: MOBILE_REDIRECT,
    });
    return expectInvalidGrant(res);
  });

  const viewer = await check(
    'mobile: /graphql with the Bearer access token returns the viewer',
    async () => {
      const res = await graphql(app, ctx.api, '{ viewer { id name identities { nodes { issuer } } } }', {
        headers: { authorization: `Bearer ${first.access_token}` },
      });
      return expectViewer(res, { name: ACCOUNT.name });
    },
    { required: true },
  );

  if (ctx.userId) {
    await check('mobile: signing in again found the same user and identity (no duplicate)', async () => {
      expect(viewer.id === ctx.userId, `expected user ${ctx.userId}, got ${viewer.id}`);
      const issuers = viewer.identities?.nodes?.map((n) => n.issuer) ?? [];
      expect(issuers.length === 1 && issuers[0] === idp.issuer, `expected one identity with issuer ${idp.issuer}, got ${JSON.stringify(issuers)}`);
    });
  }

  const second = await check(
    'mobile: grant_type=refresh_token returns a new access and refresh token',
    async () => {
      const res = await tokenRequest(app, ctx.api, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
      const pair = expectTokenPair(res);
      expect(pair.access_token !== first.access_token, 'the access token was not renewed');
      expect(pair.refresh_token !== first.refresh_token, 'the refresh token was not rotated');
      return pair;
    },
    { required: true },
  );

  await check(
    'mobile: the new access token works',
    async () => {
      const res = await graphql(app, ctx.api, '{ viewer { name } }', { headers: { authorization: `Bearer ${second.access_token}` } });
      expectViewer(res, { name: ACCOUNT.name });
    },
    { required: true },
  );

  await check('mobile: re-using the old refresh token fails (400 invalid_grant)', async () => {
    const res = await tokenRequest(app, ctx.api, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    return expectInvalidGrant(res);
  });

  await check('mobile: after that reuse the new access token is rejected (401): the sign-in was revoked', async () => {
    const res = await graphql(app, ctx.api, '{ viewer { name } }', { headers: { authorization: `Bearer ${second.access_token}` } });
    return expectUnauthorized(res);
  });

  await check('mobile: after that reuse the new refresh token is rejected too (400 invalid_grant)', async () => {
    const res = await tokenRequest(app, ctx.api, { grant_type: 'refresh_token', refresh_token: second.refresh_token });
    return expectInvalidGrant(res);
  });
}

function expectTokenPair(res) {
  expect(res.status === 200, `expected HTTP 200, got ${describe(res)}`);
  const body = json(res);
  expect(body, `expected JSON, got ${snippet(res.text)}`);
  const problems = [];
  if (body.token_type !== 'Bearer') problems.push(`token_type ${body.token_type}`);
  if (!body.access_token?.startsWith('pla_')) problems.push('no pla_ access_token');
  if (!body.refresh_token?.startsWith('plr_')) problems.push('no plr_ refresh_token');
  if (!(Number.isInteger(body.expires_in) && body.expires_in > 0)) problems.push(`expires_in ${body.expires_in}`);
  if (!/no-store/.test(res.headers.get('cache-control') ?? '')) problems.push('no Cache-Control: no-store');
  expect(problems.length === 0, problems.join('; '));
  return body;
}

// --- set-up and tear-down -----------------------------------------------------------------

/** The auth settings file (docs/auth.md) for this run. */
function authConfig(ctx) {
  const q = (value) => JSON.stringify(value);
  return [
    `public_url = ${q(ctx.api)}`,
    'signup = "open"',
    `web_redirects = [${q(ctx.webRedirect)}]`,
    `mobile_redirects = [${q(MOBILE_REDIRECT)}]`,
    '',
    '[[provider]]',
    `name = ${q(PROVIDER)}`,
    `issuer = ${q(idp.issuer)}`,
    `client_id = ${q(idp.client.client_id)}`,
    `client_secret = ${q(idp.client.client_secret)}`,
    '',
  ].join('\n');
}

/** Three distinct free ports: the API, the provider, and the (never started) front end. */
async function ports() {
  const taken = new Set();
  while (taken.size < 3) {
    taken.add(await freePort(HOST));
  }
  return [...taken];
}

function printDiagnostics() {
  if (server) {
    console.error('--- server log (last 40 lines) ---');
    console.error(server.logTail(40));
    console.error('--- end of server log ---');
  }
  if (idp?.events.length) {
    console.error('--- identity provider errors ---');
    console.error(idp.events.join('\n'));
    console.error('--- end of identity provider errors ---');
  }
}

async function main() {
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    console.error(`peerlearn binary not found at ${binary}; run \`cargo build -p peerlearn\` or set PEERLEARN_BIN`);
    return 1;
  }
  workDir = mkdtempSync(join(tmpdir(), 'peerlearn-login-'));
  const [apiPort, idpPort, frontPort] = await ports();
  const api = `http://${HOST}:${apiPort}`;
  const ctx = {
    api,
    callbackUrl: `${api}/auth/${PROVIDER}/callback`,
    webRedirect: `http://${HOST}:${frontPort}/signed-in`,
  };

  idp = await startIdentityProvider({ host: HOST, port: idpPort, redirectUri: ctx.callbackUrl });
  if (state.exiting) {
    return 1;
  }
  const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  ctx.authorizationEndpoint = discovery.authorization_endpoint;

  const configFile = join(workDir, 'auth.toml');
  writeFileSync(configFile, authConfig(ctx));
  server = new PeerlearnServer({
    binary,
    args: ['--listen', `${HOST}:${apiPort}`, '--auth-config', configFile],
    databaseUrl: `sqlite://${join(workDir, 'login.db')}?mode=rwc`,
    logFile: join(workDir, 'server.log'),
  });
  try {
    await server.waitForHealth(api);
  } catch (err) {
    console.error(`cannot start ${binary}: ${err.message}`);
    printDiagnostics();
    return 1;
  }

  console.log(`signing in at ${api} through the OpenID Provider ${idp.issuer}\n`);
  let browser = null;
  await flow('web', async () => {
    browser = await webFlow(ctx);
  });
  // The mobile sign-in opens the same browser, which may still be signed in at the provider.
  await flow('mobile', () => mobileFlow(ctx, browser ?? new Browser({ userAgent: 'peerlearn-e2e browser' })));
  if (state.exiting) {
    return 1;
  }

  return summarize(results, printDiagnostics);
}

function removeWorkDir() {
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
    workDir = null;
  }
}

await runSuite({
  main,
  cleanUp: async () => {
    try {
      await Promise.allSettled([server?.stop(), idp?.close()]);
    } finally {
      removeWorkDir();
    }
  },
  // The last resort: nothing can be awaited here; the provider ends with this process.
  killNow: () => {
    server?.killNow();
    removeWorkDir();
  },
  onError: printDiagnostics,
  what: 'the servers',
});
