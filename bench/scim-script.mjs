// The hand-written SCIM sync rosterflow's SCIM target is measured against: the app's users listed
// (GET /Users, 1,000 a page) and kept by externalId, then the export streamed through csv-parse and,
// one request at a time, each active employee without an account POSTed, each account whose values
// differ PATCHed, each leaver's active account deactivated. On an empty app that is a POST per active
// employee; run again on the same export it sends nothing. Plain JavaScript and fetch, run by node
// alone, so its time and memory are the script's own.
// Usage: BENCH_SCIM_TOKEN=<token> node bench/scim-script.mjs <export.csv> <SCIM base URL>;
// prints {"created":N,"updated":N,"deactivated":N,"unchanged":N,"peakRssBytes":N}.
/* global fetch -- Node's own (18+); the lint config's globals for plain scripts do not list it */
import { createReadStream } from 'node:fs';
import process from 'node:process';
import { parse } from 'csv-parse';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const WORK_EMAIL = 'emails[type eq "work"].value';
const [input, base] = process.argv.slice(2);
const headers = {
  authorization: `Bearer ${process.env['BENCH_SCIM_TOKEN']}`,
  'content-type': 'application/scim+json',
};

async function call(method, path, body) {
  const response = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const accounts = new Map();
for (let startIndex = 1; ;) {
  const page = await call('GET', `/Users?startIndex=${startIndex}&count=1000`);
  const users = page.Resources ?? [];
  for (const user of users) if (user.externalId) accounts.set(user.externalId, user);
  startIndex += users.length;
  if (users.length === 0 || startIndex > page.totalResults) break;
}

// The values rosterflow's default mapping sends for the bench export's columns.
const wantedOf = (row) => ({
  userName: row['Work Email'],
  'name.givenName': row['First Name'],
  'name.familyName': row['Last Name'],
  [WORK_EMAIL]: row['Work Email'],
  [`${ENTERPRISE}:department`]: row['Department'],
});
const currentOf = (user) => ({
  userName: user.userName,
  'name.givenName': user.name?.givenName,
  'name.familyName': user.name?.familyName,
  [WORK_EMAIL]: user.emails?.find((email) => email.type === 'work')?.value,
  [`${ENTERPRISE}:department`]: user[ENTERPRISE]?.department,
});

const counts = { created: 0, updated: 0, deactivated: 0, unchanged: 0 };
for await (const row of createReadStream(input).pipe(parse({ columns: true }))) {
  const externalId = row['Employee ID'];
  const active = row['Status'] !== 'Terminated';
  const account = accounts.get(externalId);
  if (!account) {
    if (!active) {
      counts.unchanged += 1;
      continue;
    }
    await call('POST', '/Users', {
      schemas: [CORE, ENTERPRISE],
      externalId,
      active: true,
      userName: row['Work Email'],
      name: { givenName: row['First Name'], familyName: row['Last Name'] },
      emails: [{ type: 'work', value: row['Work Email'], primary: true }],
      [ENTERPRISE]: { department: row['Department'] },
    });
    counts.created += 1;
    continue;
  }
  if (!active) {
    if (account.active === false) counts.unchanged += 1;
    else {
      await patch(account.id, [{ op: 'replace', path: 'active', value: false }]);
      counts.deactivated += 1;
    }
    continue;
  }
  const current = currentOf(account);
  const operations = Object.entries(wantedOf(row))
    .filter(([path, value]) => current[path] !== value)
    .map(([path, value]) => ({ op: 'replace', path, value }));
  if (account.active === false) operations.push({ op: 'replace', path: 'active', value: true });
  if (operations.length === 0) counts.unchanged += 1;
  else {
    await patch(account.id, operations);
    counts.updated += 1;
  }
}

function patch(id, operations) {
  const schemas = ['urn:ietf:params:scim:api:messages:2.0:PatchOp'];
  return call('PATCH', `/Users/${encodeURIComponent(id)}`, { schemas, Operations: operations });
}

// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ ...counts, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
