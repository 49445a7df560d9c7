// The front desk's page in real browsers, against the real bella binary, a fresh PostgreSQL
// database and the local Twilio Messages stub. The same steps run in each engine:
//   chromium  Debian's chromium, driven by playwright-core (CDP);
//   firefox   Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi (Playwright needs
//             its own patched Firefox build, which cannot be had here); locators.mjs gives the
//             steps Playwright's getByRole/getByLabel/getByText there.
// Controls are found by their labels and roles, as a screen reader would; what changed is checked
// in PostgreSQL. Each engine gets its own database, stub and server.
//
// Env: BELLA_BINARY (the server), BELLA_TEST_DATABASE_URL (a role that may CREATE DATABASE),
// BELLA_TWILIO_STUB (tests/stubs/twilio_messages_stub), BELLA_BROWSERS (default "chromium,firefox"),
// CHROMIUM (default /usr/bin/chromium), FIREFOX (default /usr/bin/firefox-esr), BELLA_BROWSER_OUT
// (screenshots and failure shots, default tests/browser/out), BELLA_UPDATE_SCREENSHOTS=1 (also copy
// chromium's docs/staff-*.png).
import { spawn, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { LocatorPage } from './locators.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE = `${readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')}\n;0`;
const KEY = 'browser-test-key-1';
const TWILIO_SID = 'AC00000000000000000000000000000001';
const TWILIO_TOKEN = 'browser-test-token';
// Monday 4 March 2030, 08:30 in Edmonton (MST, UTC-7): the clinic's "today" in this test.
const NOW = '2030-03-04T08:30:00-07:00';
const OUT = process.env.BELLA_BROWSER_OUT || join(here, 'out');
const DOCS = resolve(here, '../../docs');
const ENGINES = (process.env.BELLA_BROWSERS || 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);
const ENGINE_BUDGET_MS = 200_000;  // each engine's steps stay under 3 min 20 s

function need(name) {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set (scripts/test sets it)`); process.exit(2); }
  return v;
}
const adminUrl = need('BELLA_TEST_DATABASE_URL');
const binary = need('BELLA_BINARY');
const stubBinary = need('BELLA_TWILIO_STUB');

// ---- PostgreSQL through psql -----------------------------------------------------------------
function withDb(url, db) { const u = new URL(url); u.pathname = `/${db}`; return u.toString(); }
function psql(url, sql) {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
                      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// ---- child processes that print "listening ... port=N" -----------------------------------------
async function startListening(what, cmd, args, env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, log: '', port: 0 };
  proc.port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what} did not start:\n${proc.log}`)), 30_000);
    const onData = (d) => {
      proc.log += d;
      const m = proc.log.match(/listening .*port=(\d+)/);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`${what} exited ${code}:\n${proc.log}`)); });
  });
  return proc;
}
async function stop(proc) {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  await new Promise((r) => (proc.child.exitCode !== null ? r() : proc.child.on('exit', r)));
}
const sanitizerEnv = () => Object.fromEntries(['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'].filter((n) => process.env[n]).map((n) => [n, process.env[n]]));

// ---- the two engines: each gives a page with Playwright's locator API ---------------------------
// The page keeps its own CSP in both: axe-core goes in through the driver's evaluate, which a CSP
// does not govern, so nothing is relaxed for the test.
async function openChromium() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Tokyo', locale: 'en-CA' });
  context.setDefaultTimeout(8_000);
  const page = await context.newPage();
  return { page, version: `chromium ${browser.version()} (playwright-core)`, cookies: () => context.cookies(), close: () => browser.close() };
}
async function openFirefox() {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr', headless: true,
    defaultViewport: { width: 1280, height: 800 },
    env: { ...process.env, TZ: 'Asia/Tokyo' },  // not the clinic's zone: the page must not use the browser's
    extraPrefsFirefox: { 'intl.locale.requested': 'en-CA', 'intl.accept_languages': 'en-CA' },
  });
  const raw = await browser.newPage();
  const page = new LocatorPage(raw, { timeout: 8_000 });
  return { page, version: `${await browser.version()} (puppeteer-core, WebDriver BiDi)`,
           cookies: () => raw.cookies(), close: () => browser.close() };
}
const OPEN = { chromium: openChromium, firefox: openFirefox };

// ---- one engine's run ----------------------------------------------------------------------------
const summary = [];
async function run(engine) {
  if (!OPEN[engine]) throw new Error(`unknown engine ${engine} (BELLA_BROWSERS: chromium, firefox)`);
  const out = join(OUT, engine);
  mkdirSync(out, { recursive: true });
  const deadline = Date.now() + ENGINE_BUDGET_MS;
  const t0 = Date.now();
  const dbName = `bella_browser_${engine}_${process.pid}_${Date.now() % 1e6}`;
  psql(adminUrl, `CREATE DATABASE ${dbName}`);
  const dbUrl = withDb(adminUrl, dbName);
  const sql = (q) => psql(dbUrl, q);
  let twilio = null, server = null, browser = null;
  const results = [];
  const skipped = [];
  try {
    twilio = await startListening('twilio_messages_stub', stubBinary, ['--sid', TWILIO_SID, '--token', TWILIO_TOKEN], { PATH: process.env.PATH, PORT: '0' });
    const stub = {
      requests: () => JSON.parse(execFileSync('curl', ['-sf', `http://127.0.0.1:${twilio.port}/__requests`], { encoding: 'utf8' })),
    };
    server = await startListening('bella', binary, [], {
      PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'text', DATABASE_URL: dbUrl,
      API_KEY: KEY, BELLA_FAKE_NOW: NOW, TZ: 'UTC',
      TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, SMS_FROM: '+15875550100',
      TWILIO_API_BASE_URL: `http://127.0.0.1:${twilio.port}`, SMS_POLL_INTERVAL_MS: '100', SMS_RETRY_BASE_MS: '100', CLINIC_NAME: 'Bow River Clinic', CLINIC_PHONE: '403-555-0100',
      ...sanitizerEnv(),
    });
    const base = `http://127.0.0.1:${server.port}`;
    browser = await OPEN[engine]();
    console.log(`# ${engine}: ${browser.version}`);
    const { page, cookies } = browser;
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    async function step(name, fn) {
      if (Date.now() > deadline) throw new Error(`${engine}: time budget exceeded`);
      const s0 = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        console.log(`ok - ${engine}: ${name} (${Date.now() - s0} ms)`);
      } catch (e) {
        results.push({ name, ok: false });
        console.log(`not ok - ${engine}: ${name}\n  ${String(e.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
        await page.screenshot({ path: join(out, `failed-${results.length}.png`), fullPage: true }).catch(() => {});
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
      if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE);
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
      });
      const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad, [], `axe (${label}): ${JSON.stringify(bad)}`);
    }
    // No sideways scrolling, and every visible control lies within the window's width (in reach).
    async function fits(label, within) {
      const r = await page.evaluate((sel) => {
        const doc = document.documentElement;
        const scope = sel ? document.querySelector(sel) : document;
        const width = doc.clientWidth;
        const out = [];
        for (const el of scope.querySelectorAll('a[href], button, input, select, textarea')) {
          if (!el.checkVisibility({ visibilityProperty: true }) || el.matches('.skip-link:not(:focus)')) continue;  // off-screen until focused
          const b = el.getBoundingClientRect();
          if (b.width === 0 || b.height === 0) continue;
          if (b.left < -1 || b.right > width + 1) out.push(`${el.localName}#${el.id || ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(b.left)}..${Math.round(b.right)}`);
        }
        return { overflow: doc.scrollWidth - doc.clientWidth, width, outside: out };
      }, within || null);
      assert.ok(r.overflow <= 0, `${label}: scrolls sideways by ${r.overflow}px`);
      assert.deepEqual(r.outside, [], `${label}: controls outside the ${r.width}px window`);
    }
    // A request from the page's own script, with the session cookie (same origin, SameSite=Strict).
    const post = (path, body, headers = {}) => page.evaluate(async ([p, b, hd]) =>
      (await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json', ...hd }, body: JSON.stringify(b) })).status, [path, body, headers]);
    // Twilio's status callback for a text, signed as Twilio signs (HMAC-SHA1 of URL + sorted params).
    async function statusCallback(form) {
      const url = `${base}/twilio/sms/status`;
      const signed = url + Object.keys(form).sort().map((k) => k + form[k]).join('');
      const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form),
                                     headers: { 'X-Twilio-Signature': createHmac('sha1', TWILIO_TOKEN).update(signed).digest('base64') } });
      assert.ok(res.status < 300, `status callback answered ${res.status}`);
    }
    const row = (time) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${time}`) }) });
    const card = (name) => page.getByRole('article').filter({ hasText: name });

    await step('the page is served by bella and asks for the key', async () => {
      await page.goto(`${base}/staff/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await axeCheck('sign-in');
    });

    await step('a wrong key is refused with a clear message and no cookie', async () => {
      await page.getByLabel('Staff key').fill('not-the-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That key is not right. Check it and try again.').first().waitFor();
      assert.equal((await cookies()).length, 0);
      await axeCheck('sign-in error');
    });

    await step('signing in opens today as a day view in the clinic zone', async () => {
      await page.getByLabel('Staff key').fill(KEY);
      await page.getByLabel('Staff key').press('Enter');  // keyboard only
      await page.getByRole('heading', { name: 'Monday 4 March 2030 (today)' }).waitFor();
      await page.getByText("Times are in the clinic's zone: America/Edmonton (MST).").waitFor();
      const [cookie] = await cookies();
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
      await page.screenshot({ path: join(out, 'staff-booking-form.png') });
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
      sql(`INSERT INTO sms_opt_outs (mobile) VALUES ('+15875550142')`);  // Dana replied STOP once: her texts are not sent
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
      await page.screenshot({ path: join(out, 'staff-day-view.png'), fullPage: true });
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

    await step("a patient's page lists their texts: what, for which visit, status and time in the clinic zone", async () => {
      // Sarah was booked, moved and cancelled from the page: three texts, sent through the Messages stub.
      await until('Sarah\'s three texts sent', async () =>
        sql(`SELECT string_agg(m.kind || ':' || m.status, ',' ORDER BY m.id) FROM messages m JOIN appointments a ON a.id = m.appointment_id
             JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Sarah Johnson' AND m.kind <> 'reminder'`) === 'confirmation:sent,rescheduled:sent,cancelled:sent', 15_000);
      assert.ok(stub.requests().filter((r) => r.form && r.form.To === '+14035550123').length >= 3, 'the stub saw Sarah\'s texts');
      // Twilio then reports the confirmation delivered and the new-time text undelivered (30003).
      const sid = (kind) => sql(`SELECT m.twilio_sid FROM messages m JOIN appointments a ON a.id = m.appointment_id
                                 JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Sarah Johnson' AND m.kind = '${kind}'`);
      await statusCallback({ AccountSid: TWILIO_SID, MessageSid: sid('confirmation'), MessageStatus: 'delivered' });
      await statusCallback({ AccountSid: TWILIO_SID, MessageSid: sid('rescheduled'), MessageStatus: 'undelivered', ErrorCode: '30003' });
      assert.equal(sql(`SELECT string_agg(m.kind || ':' || m.status || ':' || coalesce(m.error_code::text, ''), ',' ORDER BY m.id) FROM messages m
                        JOIN appointments a ON a.id = m.appointment_id JOIN users u ON u.id = a.user_id
                        WHERE u.full_name = 'Sarah Johnson' AND m.kind <> 'reminder'`), 'confirmation:delivered:,rescheduled:failed:30003,cancelled:sent:');
      await page.goto(`${base}/staff/#/patients?q=sarah`);
      await page.getByRole('link', { name: 'Sarah Johnson' }).click();
      await page.getByRole('heading', { name: 'Sarah Johnson' }).waitFor();
      const texts = page.getByRole('table', { name: 'Texts to this patient' });
      await texts.waitFor();
      for (const [kind, status] of [['Confirmation', 'Delivered'], ['New time', 'Failed (Twilio error 30003)'], ['Cancellation', 'Sent']]) {
        const r = texts.getByRole('row').filter({ hasText: kind });
        await r.getByText(status, { exact: true }).waitFor();
        await r.getByText(/^Monday 4 March 2030 at \d\d:\d\d MST$/).first().waitFor();  // when it went, in the clinic's zone
      }
      // Each names its visit as it is now (moved to 14:00, a link to that day); never the words or the number of the text.
      await texts.getByRole('row').filter({ hasText: 'Confirmation' }).getByRole('link', { name: 'Monday 4 March 2030 at 14:00 MST' }).waitFor();
      assert.equal(await texts.getByText('+14035550123').count(), 0);
      await axeCheck('patient page with texts');
      // Dana's number had opted out: her confirmation is shown as not sent, with why.
      await until("Dana's confirmation dropped", async () =>
        sql(`SELECT m.status || ':' || coalesce(m.last_error, '') FROM messages m JOIN appointments a ON a.id = m.appointment_id
             JOIN users u ON u.id = a.user_id WHERE u.full_name = 'Dana Park' AND m.kind = 'confirmation'`) === 'dropped:opted_out');
      // A visit two days on (booked through the API with the page's session): its reminder waits for its time.
      const csrf = await page.evaluate(async () => (await (await fetch('/staff/session')).json()).csrf_token);
      assert.equal(await post('/appointments', { full_name: 'Dana Park', mobile: '587 555 0142', starts_at: '2030-03-06T09:00:00-07:00' },
                              { 'X-CSRF-Token': csrf }), 201);
      await page.goto(`${base}/staff/#/patients?q=dana`);
      await page.getByRole('link', { name: 'Dana Park' }).click();
      await page.getByRole('heading', { name: 'Dana Park' }).waitFor();
      const danas = page.getByRole('table', { name: 'Texts to this patient' });
      await danas.getByRole('row').filter({ hasText: 'Confirmation' }).filter({ hasText: 'at 10:00 MST' })
        .getByText('Not sent (the number replied STOP)').waitFor();
      const reminder = danas.getByRole('row').filter({ hasText: 'Reminder' });
      await reminder.getByText('Waiting to send', { exact: true }).waitFor();
      await reminder.getByText('Due Tuesday 5 March 2030 at 09:00 MST', { exact: true }).waitFor();  // the day before, SMS_REMINDER_LEAD_MINUTES
      await reminder.getByRole('link', { name: 'Wednesday 6 March 2030 at 09:00 MST' }).waitFor();
    });

    await step('a mobile shared by a household: the search lists each patient, each page links the others', async () => {
      // Several patients per mobile come with the households migration; until then the schema
      // refuses a second one, and this step says so rather than passing.
      let sam;
      try { sam = sql(`INSERT INTO users (full_name, mobile) VALUES ('Sam Johnson', '+14035550123') RETURNING id`); } catch (e) {
        if (!/duplicate key|unique/i.test(String(e.stderr || e.message))) throw e;
        console.log('  # SKIP households: users.mobile is still unique in this schema (one patient per mobile)');
        skipped.push('households');
        return;
      }
      sql(`INSERT INTO appointments (user_id, starts_at_utc, duration_minutes) VALUES (${sam}, '2030-03-06T17:00:00Z', 30)`);
      await page.goto(`${base}/staff/#/patients?q=${encodeURIComponent('555-0123')}`);
      await page.getByRole('heading', { name: '2 patients found' }).waitFor();
      await page.getByRole('link', { name: 'Sarah Johnson' }).waitFor();
      await page.getByRole('link', { name: 'Sam Johnson' }).click();
      await page.getByRole('heading', { name: 'Sam Johnson' }).waitFor();
      await page.getByRole('table').first().getByText('Wednesday 6 March 2030 at 10:00 MST').waitFor();
      await page.getByText('Also on this mobile:').getByRole('link', { name: 'Sarah Johnson' }).click();
      await page.getByRole('heading', { name: 'Sarah Johnson' }).waitFor();
      await page.getByText('Also on this mobile:').getByRole('link', { name: 'Sam Johnson' }).waitFor();
      await axeCheck('household');
    });

    for (const [w, hgt] of [[1280, 800], [390, 844]]) {
      await step(`at ${w}×${hgt}: day view, booking form and patient page fit without sideways scrolling, every control in reach`, async () => {
        await page.setViewportSize({ width: w, height: hgt });
        await page.goto(`${base}/staff/#/day/2030-03-04`);
        await page.getByRole('heading', { name: 'Monday 4 March 2030 (today)' }).waitFor();
        await fits(`day view at ${w}`);
        await row('15:00').getByRole('button', { name: /Book 15:00/ }).click();
        const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
        await dialog.getByLabel('Full name').waitFor();
        await fits(`booking form at ${w}`, 'dialog[open]');
        await page.screenshot({ path: join(out, `staff-${w}-booking-form.png`) });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        await page.goto(`${base}/staff/#/patients?q=sarah`);
        await page.getByRole('link', { name: 'Sarah Johnson' }).click();
        await page.getByRole('table', { name: 'Texts to this patient' }).waitFor();
        await fits(`patient page at ${w}`);
        await page.screenshot({ path: join(out, `staff-${w}-patient.png`), fullPage: true });
      });
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    await step('a request with the cookie but without the CSRF token is refused', async () => {
      const body = { full_name: 'Forged', mobile: '4035550100', starts_at: '2030-03-05T09:00:00-07:00' };
      assert.equal(await post('/appointments', body), 403);
      assert.equal(sql(`SELECT count(*) FROM users WHERE full_name = 'Forged'`), '0');
    });

    await step('after signing out, the page asks for the key and an action is refused', async () => {
      const csrf = await page.evaluate(async () => (await (await fetch('/staff/session')).json()).csrf_token);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByText('You have signed out.').waitFor();
      assert.equal((await cookies()).length, 0);
      assert.equal(await post('/appointments', { full_name: 'After Sign Out', mobile: '4035550100', starts_at: '2030-03-05T09:00:00-07:00' },
                              { 'X-CSRF-Token': csrf }), 401);
      assert.equal(sql(`SELECT count(*) FROM users WHERE full_name = 'After Sign Out'`), '0');
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });

    await step('no script errors on the page', async () => { assert.deepEqual(pageErrors, []); });
  } finally {
    await browser?.close().catch(() => {});
    const serverLog = server ? server.log : '';
    await stop(server);
    await stop(twilio);
    try { psql(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); } catch { /* throwaway server */ }
    const failed = results.some((r) => !r.ok) || results.length === 0;
    summary.push({ engine, steps: results.length, failed, skipped, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
    if (failed) console.log(`--- bella output (${engine}, tail) ---\n${serverLog.split('\n').slice(-40).join('\n')}`);
  }
}

let failed = false;
for (const engine of ENGINES) {
  try { await run(engine); } catch (e) {
    failed = true;
    if (!/^AssertionError|timed out|strict mode/.test(String(e))) console.log(`# ${engine} stopped: ${String(e.stack || e).split('\n').slice(0, 8).join('\n# ')}`);
  }
}
for (const s of summary) {
  console.log(`# ${s.engine}: ${s.steps} steps, ${s.failed ? 'FAILED' : 'passed'} in ${s.seconds} s${s.skipped.length ? `; skipped: ${s.skipped.join(', ')}` : ''}`);
}
if (failed || summary.some((s) => s.failed)) process.exit(1);
if (process.env.BELLA_UPDATE_SCREENSHOTS === '1') {
  for (const f of ['staff-day-view.png', 'staff-booking-form.png', 'staff-390-patient.png']) copyFileSync(join(OUT, 'chromium', f), join(DOCS, f));
  console.log('screenshots copied to docs/');
}
const total = summary.reduce((n, s) => n + s.steps, 0);
console.log(`1..${total}\nall ${total} steps passed in ${ENGINES.join(' and ')}`);
