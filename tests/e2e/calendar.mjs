// Calendar feeds read by an independent parser: `ical.js` (npm) parses the iCalendar a
// `peerlearn serve` process publishes for a cohort with a weekly series that crosses the
// United States' change to daylight time. Every occurrence must be at 10:00 in Denver on both
// sides of the change, UIDs must stay stable, SEQUENCE must grow on a change, a cancelled
// occurrence must say STATUS:CANCELLED, each entry must name the cohort, and a revoked feed
// URL must answer 404.
//
// Environment:
//   PEERLEARN_BIN  path to the server binary (default: ../../target/debug/peerlearn)
//
// Exit status: 0 when every check passes, 1 otherwise or when the server cannot be started.

import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import ICAL from 'ical.js';

import { PeerlearnServer, freePort } from './support/peerlearn.mjs';
import { runSuite, state } from './support/suite.mjs';

const HOST = '127.0.0.1';
const ZONE = 'America/Denver';
const COHORT_NAME = 'Behavioral Health Integration';

const scriptDir = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.PEERLEARN_BIN || join(scriptDir, '../../target/debug/peerlearn'));

let workDir = null;
let server = null;
const results = [];

function check(name, condition, detail = '') {
  results.push({ name, ok: Boolean(condition) });
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${name}${condition || !detail ? '' : `: ${detail}`}`);
}

/** The hour of `date` on the wall clocks of `zone`. */
function localHour(date, zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' })
    .formatToParts(date);
  return Number(parts.find((p) => p.type === 'hour').value);
}

/** The UTC offset of `zone` at `date`, in minutes. */
function offsetMinutes(date, zone) {
  const local = new Date(date.toLocaleString('en-US', { timeZone: zone }));
  const utc = new Date(date.toLocaleString('en-US', { timeZone: 'UTC' }));
  return Math.round((local - utc) / 60_000);
}

/** 10:00 in Denver on the Tuesday of late February next to come (before the March change). */
function firstStart() {
  const now = new Date();
  for (let year = now.getUTCFullYear(); ; year += 1) {
    // 10:00 MST is 17:00 UTC; February 23rd or the Tuesday after it.
    const date = new Date(Date.UTC(year, 1, 23, 17, 0, 0));
    while (date.getUTCDay() !== 2) {
      date.setUTCDate(date.getUTCDate() + 1);
    }
    if (date > new Date(now.getTime() + 86_400_000)) {
      return date;
    }
  }
}

async function graphql(baseUrl, token, query, variables = {}) {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) {
    throw new Error(`${query.split('(')[0].trim()}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

/** The feed at `path` parsed by ical.js: its VEVENTs as plain objects. */
async function events(baseUrl, path) {
  const res = await fetch(`${baseUrl}${path}`);
  if (res.status !== 200) {
    return { status: res.status, events: [] };
  }
  const text = await res.text();
  const calendar = new ICAL.Component(ICAL.parse(text));
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events: calendar.getAllSubcomponents('vevent').map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        summary: event.summary,
        sequence: Number(vevent.getFirstPropertyValue('sequence')),
        status: vevent.getFirstPropertyValue('status'),
        categories: vevent.getFirstPropertyValue('categories'),
        start: event.startDate.toJSDate(),
        end: event.endDate.toJSDate(),
      };
    }),
  };
}

async function main() {
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    console.error(`peerlearn binary not found at ${binary}; run \`cargo build -p peerlearn\` or set PEERLEARN_BIN`);
    return 1;
  }
  workDir = mkdtempSync(join(tmpdir(), 'peerlearn-calendar-'));
  const databaseUrl = `sqlite://${join(workDir, 'calendar.db')}?mode=rwc`;
  const port = await freePort(HOST);
  const baseUrl = `http://${HOST}:${port}`;
  server = new PeerlearnServer({
    binary,
    args: ['--listen', `${HOST}:${port}`],
    databaseUrl,
    logFile: join(workDir, 'server.log'),
  });
  try {
    await server.waitForHealth(baseUrl);
  } catch (err) {
    console.error(`cannot start ${binary}: ${err.message}`);
    console.error(server.logTail(40));
    return 1;
  }
  const token = execFileSync(
    binary,
    ['token', 'create', '--email', 'coach@example.org', '--name', 'Cal Coach', '--role', 'admin'],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'ignore'] },
  )
    .toString()
    .trim();

  const { createCohort } = await graphql(
    baseUrl,
    token,
    'mutation($input: CreateCohortInput!) { createCohort(input: $input) { cohort { id } } }',
    { input: { slug: 'bhi', name: COHORT_NAME } },
  );
  const cohortId = createCohort.cohort.id;
  const start = firstStart();
  const { createEvent } = await graphql(
    baseUrl,
    token,
    'mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } userErrors { field message } } }',
    {
      input: {
        cohortId,
        kind: 'COACHING_CALL',
        title: 'Coaching call: billing, screening',
        startsAt: start.toISOString(),
        timeZone: ZONE,
        durationMinutes: 60,
        joinUrl: 'https://zoom.example.org/j/42',
        recurrence: { frequency: 'WEEKLY', count: 6 },
      },
    },
  );
  if (createEvent.userErrors.length) {
    throw new Error(`createEvent: ${JSON.stringify(createEvent.userErrors)}`);
  }
  const { createCalendarFeed } = await graphql(
    baseUrl,
    token,
    'mutation($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) { feed { id } path } }',
    { input: { cohortId } },
  );
  const { path } = createCalendarFeed;

  const first = await events(baseUrl, path);
  check('the feed answers 200 as text/calendar', first.status === 200 && first.contentType.startsWith('text/calendar'), `${first.status} ${first.contentType}`);
  check('ical.js reads six occurrences', first.events.length === 6, `${first.events.length}`);
  const offsets = new Set(first.events.map((e) => offsetMinutes(e.start, ZONE)));
  check('the series crosses a daylight-saving change', offsets.size === 2, [...offsets].join(', '));
  check(
    'every occurrence starts at 10:00 in Denver',
    first.events.every((e) => localHour(e.start, ZONE) === 10),
    first.events.map((e) => e.start.toISOString()).join(', '),
  );
  check(
    'every occurrence lasts an hour',
    first.events.every((e) => e.end - e.start === 3_600_000),
  );
  check('UIDs are distinct', new Set(first.events.map((e) => e.uid)).size === 6);
  check('entries name the cohort', first.events.every((e) => e.categories === COHORT_NAME && e.summary.includes(COHORT_NAME)));
  check('the summary keeps its comma', first.events[0].summary.startsWith('Coaching call: billing, screening'), first.events[0].summary);
  check('SEQUENCE starts at 0', first.events.every((e) => e.sequence === 0));

  // Change the fourth occurrence (after the change), cancel the fifth.
  const { cohort } = await graphql(
    baseUrl,
    token,
    'query($id: ID!, $from: DateTime!) { cohort(id: $id) { events(from: $from, first: 10) { nodes { id version } } } }',
    { id: cohortId, from: start.toISOString() },
  );
  const [, , , fourth, fifth] = cohort.events.nodes;
  await graphql(
    baseUrl,
    token,
    'mutation($input: UpdateEventInput!) { updateEvent(input: $input) { userErrors { message } } }',
    { input: { id: fourth.id, expectedVersion: fourth.version, title: 'Coaching call: warm handoffs' } },
  );
  await graphql(
    baseUrl,
    token,
    'mutation($input: CancelEventInput!) { cancelEvent(input: $input) { userErrors { message } } }',
    { input: { id: fifth.id } },
  );
  const second = await events(baseUrl, path);
  const byUid = new Map(second.events.map((e) => [e.uid, e]));
  check('UIDs stay the same after changes', first.events.every((e) => byUid.has(e.uid)));
  const changed = byUid.get(first.events[3].uid);
  check('a changed occurrence has a higher SEQUENCE and its new title', changed?.sequence === 1 && changed.summary.includes('warm handoffs'), JSON.stringify(changed));
  const cancelled = byUid.get(first.events[4].uid);
  check('a cancelled occurrence says STATUS:CANCELLED with a higher SEQUENCE', cancelled?.status === 'CANCELLED' && cancelled.sequence === 1, JSON.stringify(cancelled));
  check('the others are untouched', [0, 1, 2, 5].every((i) => byUid.get(first.events[i].uid)?.sequence === 0));

  await graphql(
    baseUrl,
    token,
    'mutation($input: RevokeCalendarFeedInput!) { revokeCalendarFeed(input: $input) { userErrors { message } } }',
    { input: { id: createCalendarFeed.feed.id } },
  );
  const revoked = await events(baseUrl, path);
  check('a revoked feed answers 404', revoked.status === 404, `${revoked.status}`);

  if (state.exiting) {
    return 1;
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length} checks: ${results.length - failed} ok, ${failed} failed`);
  console.log(failed === 0 ? 'PASS' : 'FAIL');
  return failed === 0 ? 0 : 1;
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
      await server?.stop();
    } finally {
      removeWorkDir();
    }
  },
  killNow: () => {
    server?.killNow();
    removeWorkDir();
  },
  onError: () => console.error(server?.logTail(40) ?? ''),
  what: 'the server',
});
