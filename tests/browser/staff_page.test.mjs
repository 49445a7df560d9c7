// The front desk's page in a real browser: Debian's chromium (headless) driven by playwright-core
// against the real bella binary and a fresh PostgreSQL database. Controls are found by their
// labels and roles, as a screen reader would; what changed is checked in PostgreSQL.
//
// Env: BELLA_BINARY (the server), BELLA_TEST_DATABASE_URL (a role that may CREATE DATABASE),
// CHROMIUM (default /usr/bin/chromium), BELLA_BROWSER_OUT (screenshots and failure traces,
// default tests/browser/out), BELLA_UPDATE_SCREENSHOTS=1 (also write docs/staff-*.png).
import { spawn, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const KEY = 'browser-test-key-1';
// Monday 4 March 2030, 08:30 in Edmonton (MST, UTC-7): the clinic's "today" in this test.
const NOW = '2030-03-04T08:30:00-07:00';
const OUT = process.env.BELLA_BROWSER_OUT || join(here, 'out');
const DOCS = resolve(here, '../../docs');
const deadline = Date.now() + 170_000;  // the whole run stays under 3 minutes

function need(name) {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set (scripts/test sets it)`); process.exit(2); }
  return v;
}
const adminUrl = need('BELLA_TEST_DATABASE_URL');
const binary = need('BELLA_BINARY');
mkdirSync(OUT, { recursive: true });

// ---- PostgreSQL through psql -----------------------------------------------------------------
function withDb(url, db) { const u = new URL(url); u.pathname = `/${db}`; return u.toString(); }
function psql(url, sql) {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' }).trim();
}
const dbName = `bella_browser_${process.pid}_${Date.now() % 1e6}`;
psql(adminUrl, `CREATE DATABASE ${dbName}`);
const dbUrl = withDb(adminUrl, dbName);
const sql = (q) => psql(dbUrl, q);

// ---- the server ------------------------------------------------------------------------------
let serverLog = '';
const server = spawn(binary, [], {
  env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'text', DATABASE_URL: dbUrl,
         API_KEY: KEY, BELLA_FAKE_NOW: NOW, TZ: 'UTC',
         ...Object.fromEntries(['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'].filter((n) => process.env[n]).map((n) => [n, process.env[n]])) },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const port = await new Promise((res, rej) => {
  const timer = setTimeout(() => rej(new Error(`bella did not start:\n${serverLog}`)), 30_000);
  const onData = (d) => {
    serverLog += d;
    const m = serverLog.match(/listening .*port=(\d+)/);
    if (m) { clearTimeout(timer); res(Number(m[1])); }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => { clearTimeout(timer); rej(new Error(`bella exited ${code}:\n${serverLog}`)); });
});
const base = `http://127.0.0.1:${port}`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
                                        args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Tokyo', locale: 'en-CA',
                                        bypassCSP: true });  // lets the test inject axe-core; the page's own CSP is checked in the C++ e2e test
context.setDefaultTimeout(8_000);
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));

// ---- a tiny sequential runner ----------------------------------------------------------------
const results = [];
async function step(name, fn) {
  if (Date.now() > deadline) throw new Error('time budget exceeded');
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
    await page.screenshot({ path: join(OUT, `failed-${results.length}.png`), fullPage: true }).catch(() => {});
    throw e;
  }
}
async function until(what, fn, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
async function axeCheck(label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe (${label}): ${JSON.stringify(bad)}`);
}
const row = (time) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${time}`) }) });
const card = (name) => page.getByRole('article').filter({ hasText: name });

let failed = false;
try {
  await step('the page is served by bella and asks for the key', async () => {
    await page.goto(`${base}/staff/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await axeCheck('sign-in');
  });

  await step('a wrong key is refused with a clear message and no cookie', async () => {
    await page.getByLabel('Staff key').fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That key is not right. Check it and try again.').first().waitFor();
    assert.equal((await context.cookies()).length, 0);
    await axeCheck('sign-in error');
  });

  await step('signing in opens today as a day view in the clinic zone', async () => {
    await page.getByLabel('Staff key').fill(KEY);
    await page.getByLabel('Staff key').press('Enter');  // keyboard only
    await page.getByRole('heading', { name: 'Monday 4 March 2030 (today)' }).waitFor();
    await page.getByText("Times are in the clinic's zone: America/Edmonton (MST).").waitFor();
    const [cookie] = await context.cookies();
    assert.equal(cookie.name, 'bella_staff');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.ok(cookie.expires > Date.now() / 1000 + 11 * 3600);
    await row('09:00').getByRole('button', { name: /Book 09:00/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Book \d\d:\d\d/ }).count(), 16);
  });

  await step('an appointment the phone line books appears on its own, phone masked until clicked', async () => {
    const user = sql(`INSERT INTO users (full_name, mobile) VALUES ('Pat Caller', '+14035550199') RETURNING id`);
    sql(`INSERT INTO appointments (user_id, starts_at_utc, duration_minutes, call_sid)
         VALUES (${user}, '2030-03-04T18:00:00Z', 30, 'CA0123456789abcdef0123456789abcdef')`);
    const pat = card('Pat Caller');
    await pat.waitFor({ timeout: 10_000 });  // polling: at most 10 s late
    await pat.getByText('Booked by phone call').waitFor();
    await pat.getByText('11:00–11:30 MST').waitFor();
    assert.equal(await pat.getByText('+14035550199').count(), 0);
    await pat.getByRole('button', { name: /Phone ending 0199/ }).click();
    await pat.getByText('+14035550199').waitFor();
    await page.getByRole('button', { name: /Phone \+14035550199 \(hide\)/ }).click();
    await card('Pat Caller').getByText('••• 0199').waitFor();
    const mon = page.getByRole('link', { name: /Mon 4 Mar/ });
    await mon.getByText('1 booked').waitFor();
  });

  await step('booking a free slot from the page writes the row', async () => {
    await row('09:00').getByRole('button', { name: /Book 09:00/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
    await dialog.getByText('Monday 4 March 2030 at 09:00 MST').waitFor();
    await dialog.getByRole('button', { name: 'Book appointment' }).click();  // empty: errors, no request
    await dialog.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await dialog.getByText('Error: Full name is required').waitFor();
    await axeCheck('booking form with errors');
    await page.screenshot({ path: join(OUT, 'staff-booking-form.png') });
    await dialog.getByLabel('Full name').fill('Sarah Johnson');
    await dialog.getByLabel('Mobile phone').fill('not a phone');
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await dialog.getByText('Error: Mobile phone is not a valid phone number').waitFor();  // the API's 422, by the field
    await dialog.getByLabel('Mobile phone').fill('(403) 555-0123');
    await dialog.getByLabel('Length').selectOption('30');
    await dialog.getByLabel('Notes (optional)').fill('first visit');
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await card('Sarah Johnson').getByText('Booked by staff').waitFor();
    const r = sql(`SELECT a.starts_at_utc AT TIME ZONE 'UTC', a.duration_minutes, a.status, a.notes, coalesce(a.call_sid, '-'), u.mobile
                   FROM appointments a JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Sarah Johnson'`);
    assert.equal(r, '2030-03-04 16:00:00|30|scheduled|first visit|-|+14035550123');
  });

  await step('a slot taken meanwhile answers 409 and the suggested times are offered', async () => {
    await row('09:30').getByRole('button', { name: /Book 09:30/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
    await dialog.getByLabel('Full name').fill('Dana Park');
    await dialog.getByLabel('Mobile phone').fill('587 555 0142');
    const other = sql(`INSERT INTO users (full_name, mobile) VALUES ('Walk In', '+14035550777') RETURNING id`);
    sql(`INSERT INTO appointments (user_id, starts_at_utc, duration_minutes) VALUES (${other}, '2030-03-04T16:30:00Z', 30)`);
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await dialog.getByText('Error: Time is taken. Choose one of the suggested times below.').waitFor();
    const suggestions = dialog.getByRole('list', { name: 'Suggested times' }).getByRole('button');
    await until('suggestions', async () => (await suggestions.count()) > 0);
    const first = await suggestions.first().textContent();
    assert.match(first, /^Mon 4 Mar 10:00 MST$/);
    await axeCheck('409 suggestions');
    await suggestions.first().click();
    await dialog.getByText('Monday 4 March 2030 at 10:00 MST').waitFor();
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await card('Dana Park').waitFor();
    assert.equal(sql(`SELECT a.starts_at_utc AT TIME ZONE 'UTC' FROM appointments a JOIN users u ON u.id = a.user_id
                      WHERE u.full_name = 'Dana Park'`), '2030-03-04 17:00:00');
  });

  await step('the day view with its week, as a screenshot', async () => {
    await page.getByText('Walk In').waitFor();
    await axeCheck('day view');
    await page.screenshot({ path: join(OUT, 'staff-day-view.png'), fullPage: true });
  });

  await step('rescheduling to another free slot moves the row', async () => {
    await card('Sarah Johnson').getByRole('button', { name: 'Reschedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reschedule' });
    await dialog.getByRole('radio', { name: 'Mon 4 Mar 14:00 MST' }).check();
    await axeCheck('reschedule dialog');
    await dialog.getByRole('button', { name: 'Move appointment' }).click();
    await row('14:00').getByText('Sarah Johnson').waitFor();
    assert.equal(sql(`SELECT a.starts_at_utc AT TIME ZONE 'UTC' FROM appointments a JOIN users u ON u.id = a.user_id
                      WHERE u.full_name = 'Sarah Johnson'`), '2030-03-04 21:00:00');
    await row('09:00').getByRole('button', { name: /Book 09:00/ }).waitFor();  // the old slot is free again
  });

  await step('marking a no-show and editing notes change the row', async () => {
    await card('Pat Caller').getByRole('button', { name: 'Mark no-show' }).click();
    await card('Pat Caller').getByText('No-show', { exact: true }).waitFor();
    assert.equal(sql(`SELECT status FROM appointments WHERE call_sid = 'CA0123456789abcdef0123456789abcdef'`), 'no_show');
    await card('Dana Park').getByRole('button', { name: 'Edit notes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit notes' });
    await dialog.getByLabel('Notes').fill('bring referral');
    await dialog.getByRole('button', { name: 'Save notes' }).click();
    await card('Dana Park').getByText('Notes: bring referral').waitFor();
    assert.equal(sql(`SELECT a.notes FROM appointments a JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Dana Park'`), 'bring referral');
  });

  await step('cancel asks first; Escape keeps it, confirming cancels the row', async () => {
    await card('Sarah Johnson').getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel this appointment?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(sql(`SELECT a.status FROM appointments a JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Sarah Johnson'`), 'scheduled');
    await card('Sarah Johnson').getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();
    await card('Sarah Johnson').getByText('Cancelled', { exact: true }).waitFor();
    assert.equal(sql(`SELECT a.status FROM appointments a JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Sarah Johnson'`), 'cancelled');
  });

  await step('keyboard only: book with Enter and Tab, focus is visible, mark completed', async () => {
    await row('10:30').getByRole('button', { name: /Book 10:30/ }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
    await dialog.getByLabel('Full name').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'book-name');
    await page.keyboard.type('Kim Nguyen');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'book-mobile');
    await page.keyboard.type('403 555 0166');
    await page.keyboard.press('Enter');
    await card('Kim Nguyen').waitFor();
    // Focus lands on the new appointment's first action, with a visible ring.
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const st = getComputedStyle(el);
      return { text: el.textContent, outline: st.outlineStyle, width: parseFloat(st.outlineWidth) };
    });
    assert.equal(focused.text, 'Reschedule');
    assert.equal(focused.outline, 'solid');
    assert.ok(focused.width >= 2, `outline ${focused.width}px`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');  // "Mark completed"
    await card('Kim Nguyen').getByText('Completed', { exact: true }).waitFor();
    assert.equal(sql(`SELECT a.status FROM appointments a JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Kim Nguyen'`), 'completed');
  });

  await step('other days: next day, the date picker, a holiday, the week counts', async () => {
    await page.getByRole('button', { name: 'Next day →' }).click();
    await page.getByRole('heading', { name: 'Tuesday 5 March 2030' }).waitFor();
    await page.getByLabel('Date').fill('2030-12-25');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByText('The clinic is closed: Christmas Day (holiday).').waitFor();
    await page.getByRole('button', { name: '← Previous day' }).click();
    await page.getByRole('heading', { name: 'Tuesday 24 December 2030' }).waitFor();
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByRole('heading', { name: 'Monday 4 March 2030 (today)' }).waitFor();
    await page.getByRole('link', { name: /Mon 4 Mar/ }).getByText('2 booked').waitFor();  // Walk In and Dana (Sarah is cancelled, Pat a no-show)
    await page.getByRole('link', { name: /Sat 9 Mar/ }).getByText('Closed').waitFor();
  });

  await step('patients: search by name and by phone, a patient page with past and upcoming', async () => {
    await page.getByRole('link', { name: 'Patients' }).click();
    await page.getByLabel('Name or phone').fill('sarah');
    await page.getByLabel('Name or phone').press('Enter');
    await page.getByRole('link', { name: 'Sarah Johnson' }).waitFor();
    await page.getByLabel('Name or phone').fill('555-0142');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Dana Park' }).waitFor();
    await axeCheck('patients');
    await page.getByRole('link', { name: 'Dana Park' }).click();
    await page.getByRole('heading', { name: 'Dana Park' }).waitFor();
    const upcoming = page.getByRole('table').first();
    await upcoming.getByText('Monday 4 March 2030 at 10:00 MST').waitFor();
    await axeCheck('patient page');
  });

  await step('a 390 px phone screen gets the page without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/staff/#/day/2030-03-04`);
    await page.getByRole('heading', { name: 'Monday 4 March 2030 (today)' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('a request with the cookie but without the CSRF token is refused', async () => {
    const body = { full_name: 'Forged', mobile: '4035550100', starts_at: '2030-03-05T09:00:00-07:00' };
    const res = await page.request.post(`${base}/appointments`, { data: body });
    assert.equal(res.status(), 403);
    assert.equal(sql(`SELECT count(*) FROM users WHERE full_name = 'Forged'`), '0');
  });

  await step('after signing out, the page asks for the key and an action is refused', async () => {
    const csrf = await page.evaluate(async () => (await (await fetch('/staff/session')).json()).csrf_token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    assert.equal((await context.cookies()).length, 0);
    const res = await page.request.post(`${base}/appointments`, {
      data: { full_name: 'After Sign Out', mobile: '4035550100', starts_at: '2030-03-05T09:00:00-07:00' },
      headers: { 'X-CSRF-Token': csrf } });
    assert.equal(res.status(), 401);
    assert.equal(sql(`SELECT count(*) FROM users WHERE full_name = 'After Sign Out'`), '0');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  await step('no script errors on the page', async () => { assert.deepEqual(pageErrors, []); });
} catch {
  failed = true;
} finally {
  await browser.close().catch(() => {});
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  try { psql(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); } catch { /* throwaway server */ }
}
if (failed) {
  console.log(`--- bella output (tail) ---\n${serverLog.split('\n').slice(-40).join('\n')}`);
  process.exit(1);
}
if (process.env.BELLA_UPDATE_SCREENSHOTS === '1') {
  for (const f of ['staff-day-view.png', 'staff-booking-form.png']) copyFileSync(join(OUT, f), join(DOCS, f));
  console.log('screenshots copied to docs/');
}
console.log(`1..${results.length}\nall ${results.length} steps passed`);
