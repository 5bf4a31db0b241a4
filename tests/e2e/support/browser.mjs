// A minimal headless "browser" for driving sign-in flows over plain HTTP: a cookie jar, one
// request per call with redirects handled by the caller, and HTML form extraction.

/** Cookies as a browser keeps them (RFC 6265): by host, path and name; ports are ignored. */
export class CookieJar {
  #cookies = new Map();

  /** Stores the `Set-Cookie` headers of a response to `url`. */
  store(url, setCookieHeaders) {
    const target = new URL(url);
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, target);
      if (!cookie) {
        continue;
      }
      const key = `${cookie.domain}\n${cookie.path}\n${cookie.name}`;
      if (cookie.expires !== null && cookie.expires <= Date.now()) {
        this.#cookies.delete(key);
      } else {
        this.#cookies.set(key, cookie);
      }
    }
  }

  /** The `Cookie` header for a request to `url`, or null when no cookie applies. */
  header(url) {
    const target = new URL(url);
    const now = Date.now();
    const pairs = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expires !== null && cookie.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (cookie.secure && target.protocol !== 'https:') {
        continue;
      }
      if (!domainMatches(target.hostname, cookie) || !pathMatches(target.pathname, cookie.path)) {
        continue;
      }
      pairs.push(`${cookie.name}=${cookie.value}`);
    }
    return pairs.length > 0 ? pairs.join('; ') : null;
  }

  /** The value of the cookie `name` that would be sent to `url`, or undefined. */
  get(url, name) {
    const header = this.header(url);
    for (const pair of header ? header.split('; ') : []) {
      const eq = pair.indexOf('=');
      if (pair.slice(0, eq) === name) {
        return pair.slice(eq + 1);
      }
    }
    return undefined;
  }
}

/** Parses one `Set-Cookie` header into its name, value and attributes (names lowercased). */
export function parseCookieHeader(header) {
  const [pair, ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) {
    return null;
  }
  const attributes = {};
  for (const part of rest) {
    const [key, ...value] = part.split('=');
    attributes[key.trim().toLowerCase()] = value.length > 0 ? value.join('=').trim() : true;
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

function parseSetCookie(header, target) {
  const parsed = parseCookieHeader(header);
  if (!parsed) {
    return null;
  }
  const { name, value, attributes } = parsed;
  let expires = null;
  if (typeof attributes['max-age'] === 'string') {
    const seconds = Number.parseInt(attributes['max-age'], 10);
    expires = Number.isNaN(seconds) ? null : Date.now() + seconds * 1000;
  } else if (typeof attributes.expires === 'string') {
    const at = Date.parse(attributes.expires);
    expires = Number.isNaN(at) ? null : at;
  }
  const domainAttribute = typeof attributes.domain === 'string' ? attributes.domain.replace(/^\./, '').toLowerCase() : '';
  const path = typeof attributes.path === 'string' && attributes.path.startsWith('/') ? attributes.path : defaultPath(target.pathname);
  return {
    name,
    value,
    domain: domainAttribute || target.hostname,
    hostOnly: !domainAttribute,
    path,
    secure: attributes.secure === true,
    expires,
  };
}

function defaultPath(pathname) {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

function domainMatches(hostname, cookie) {
  if (cookie.hostOnly) {
    return hostname === cookie.domain;
  }
  return hostname === cookie.domain || hostname.endsWith(`.${cookie.domain}`);
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) {
    return true;
  }
  if (!requestPath.startsWith(cookiePath)) {
    return false;
  }
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };

function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, name) => ENTITIES[name]);
}

function attribute(tag, name) {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!match) {
    return undefined;
  }
  return decodeEntities(match[1] ?? match[2] ?? match[3]);
}

/**
 * The POST forms of an HTML page: their absolute action URL and their named inputs with their
 * initial values.
 */
export function parseForms(html, pageUrl) {
  const forms = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, formTag, body] = match;
    if ((attribute(formTag, 'method') ?? 'get').toLowerCase() !== 'post') {
      continue;
    }
    const fields = {};
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input[0], 'name');
      if (name !== undefined) {
        fields[name] = attribute(input[0], 'value') ?? '';
      }
    }
    forms.push({ action: new URL(attribute(formTag, 'action') ?? pageUrl, pageUrl).href, fields });
  }
  return forms;
}

/** A cookie-keeping HTTP client that never follows redirects by itself. */
export class Browser {
  constructor({ userAgent = 'peerlearn-e2e-login' } = {}) {
    this.jar = new CookieJar();
    this.userAgent = userAgent;
  }

  /**
   * Sends one request with the jar's cookies (unless `cookies: false`) and stores the cookies
   * of the response. Returns the response with its body read as text.
   */
  async request(url, { method = 'GET', headers = {}, body, cookies = true } = {}) {
    const sent = { 'user-agent': this.userAgent, ...headers };
    const cookieHeader = cookies ? this.jar.header(url) : null;
    if (cookieHeader) {
      sent.cookie = cookieHeader;
    }
    const response = await fetch(url, {
      method,
      headers: sent,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie();
    this.jar.store(url, setCookies);
    return {
      url,
      status: response.status,
      headers: response.headers,
      setCookies,
      text,
      location: response.headers.has('location') ? new URL(response.headers.get('location'), url).href : null,
    };
  }

  /** Submits a form as `application/x-www-form-urlencoded`. */
  submit(form, values = {}) {
    return this.request(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, ...values }).toString(),
    });
  }
}
