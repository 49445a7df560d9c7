// Bella front desk: a small client of the staff API. Plain ES module, no build step.
// Everything user-supplied goes into the page as text nodes (never innerHTML).

const POLL_MS = 5000;
const state = { csrf: null, day: null, schedule: null, scheduleJson: '', shownPhones: new Set(), poll: null,
                booking: null, moving: null, noting: null, cancelling: null, view: null };

// ---- tiny DOM helpers ------------------------------------------------------------------------
const $ = (id) => document.getElementById(id);
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}
function notice(text) { $('notice').textContent = text || ''; }
// A table laid out as blocks on a phone (class "stack") keeps its semantics through explicit roles.
function stackTable(caption, headers, rows) {
  return h('table', { class: 'list stack', role: 'table' }, h('caption', { class: 'visually-hidden', text: caption }),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, headers.map((c) => h('th', { scope: 'col', role: 'columnheader', text: c })))),
    h('tbody', { role: 'rowgroup' }, rows.map((cells) => h('tr', { role: 'row' },
      cells.map((c, i) => h('td', { role: 'cell', 'data-label': headers[i] }, c))))));
}

// ---- API -------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) { super(body?.detail || body?.title || `HTTP ${status}`); this.status = status; this.body = body || {}; }
}
async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store',
                                  body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.status === 401 && path !== '/staff/session') { signedOut('Your session has ended. Sign in again.'); }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---- times (the API gives clinic-local ISO strings; show them as they are) ---------------------
const hhmm = (local) => local.slice(11, 16);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
function dayParts(iso) { const [y, m, d] = iso.slice(0, 10).split('-').map(Number); return { y, m, d, wd: new Date(Date.UTC(y, m - 1, d)).getUTCDay() }; }
function longDate(iso) { const p = dayParts(iso); return `${DAYS[p.wd]} ${p.d} ${MONTHS[p.m - 1]} ${p.y}`; }
function shortDate(iso) { const p = dayParts(iso); return `${DAYS[p.wd].slice(0, 3)} ${p.d} ${MONTHS[p.m - 1].slice(0, 3)}`; }
function addDays(iso, n) { const p = dayParts(iso); return new Date(Date.UTC(p.y, p.m - 1, p.d + n)).toISOString().slice(0, 10); }
const zoneLabel = () => state.schedule ? `${state.schedule.time_zone_abbrev}` : '';
// The zone's name for a clinic-local time. The server's offsets are the truth (the browser's own
// zone data may differ): the shown day's abbreviation where the offset is that day's, else the offset.
function zoneAt(localIso) {
  const s = state.schedule;
  if (!s) return '';
  const off = localIso.slice(19);
  const dayOff = s.opening_hours[0]?.starts_at_local.slice(19);
  return !off || !dayOff || off === dayOff ? s.time_zone_abbrev : `UTC${off}`;
}
function whenText(localIso) { return `${longDate(localIso)} at ${hhmm(localIso)} ${zoneAt(localIso)}`.trim(); }
function lengthText(min) { return min % 60 === 0 ? `${min / 60} hour${min === 60 ? '' : 's'}` : (min > 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min} min`); }
const STATUS = { scheduled: 'Scheduled', cancelled: 'Cancelled', completed: 'Completed', no_show: 'No-show' };
const maskPhone = (m) => `••• ${m.slice(-4)}`;

// ---- views and routing -----------------------------------------------------------------------
const VIEWS = ['sign-in-view', 'day-view', 'patients-view', 'patient-view'];
function show(view) {
  if (state.view && state.view !== view) notice('');  // a day's "Booked ..." says nothing on a patient's page
  state.view = view;
  for (const v of VIEWS) $(v).hidden = v !== view;
  $('nav').hidden = view === 'sign-in-view';
}

function signedOut(message) {
  state.csrf = null;
  stopPolling();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  show('sign-in-view');
  notice(message);
  $('api-key').focus();
}

async function route() {
  if (!state.csrf) return;
  const hash = location.hash || '#/day';
  let m;
  if ((m = hash.match(/^#\/patients\/(\d+)$/))) { stopPolling(); return showPatient(m[1]); }
  if ((m = hash.match(/^#\/patients(?:\?q=(.*))?$/))) { stopPolling(); return showPatients(m[1] ? decodeURIComponent(m[1]) : ''); }
  m = hash.match(/^#\/day(?:\/(\d{4}-\d{2}-\d{2}))?$/);
  return showDay(m && m[1] ? m[1] : null);
}

// ---- sign in / out ---------------------------------------------------------------------------
async function signIn(ev) {
  ev.preventDefault();
  const key = $('api-key').value;
  clearErrors('sign-in', [['api-key', 'api-key-field']]);
  if (!key) return showErrors('sign-in', [{ field: 'api_key', message: 'Enter the staff key' }], { api_key: 'api-key' });
  const button = ev.submitter || $('sign-in-form').querySelector('button');
  button.disabled = true;
  notice('Checking the key…');
  try {
    const s = await api('POST', '/staff/session', { api_key: key });
    state.csrf = s.csrf_token;
    $('api-key').value = '';
    notice('');
    if (!location.hash || location.hash === '#/') location.hash = '#/day';
    await route();
    $('main').focus();
  } catch (e) {
    notice('');
    const message = e.status === 401 ? 'That key is not right. Check it and try again.' : `Could not sign in: ${e.message}`;
    showErrors('sign-in', [{ field: 'api_key', message }], { api_key: 'api-key' });
  } finally { button.disabled = false; }
}

async function signOut() {
  try { await api('DELETE', '/staff/session'); } catch { /* the cookie is cleared either way */ }
  signedOut('You have signed out.');
}

// ---- errors: next to the field and summarised at the top (GOV.UK pattern) ---------------------
function clearErrors(prefix, _fields) {
  const summary = $(`${prefix}-summary`);
  if (summary) { summary.hidden = true; summary.replaceChildren(); }
  const root = summary ? summary.closest('form') : document;
  for (const el of root.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
  for (const el of root.querySelectorAll('.has-error')) el.classList.remove('has-error');
  for (const el of root.querySelectorAll('[aria-invalid]')) { el.removeAttribute('aria-invalid'); }
}
// errors: [{field, message}], fieldToInput: API field name -> input id (its error element is `${id}-error`).
function showErrors(prefix, errors, fieldToInput) {
  const summary = $(`${prefix}-summary`);
  const items = [];
  for (const { field, message } of errors) {
    const inputId = fieldToInput[field];
    const errEl = inputId ? $(`${inputId}-error`) : null;
    const text = `${labelFor(field)} ${message}`.trim();
    if (errEl) {
      errEl.replaceChildren(h('span', { class: 'visually-hidden', text: 'Error: ' }), text); errEl.hidden = false;
      errEl.closest('.field')?.classList.add('has-error');
      const input = $(inputId);
      if (input && input.matches('input, select, textarea')) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [`${inputId}-error`, input.dataset.hint].filter(Boolean).join(' '));
      }
      items.push(h('li', {}, h('a', { href: `#${inputId}`, onclick: (e) => { e.preventDefault(); focusField(inputId); } }, text)));
    } else items.push(h('li', {}, text));
  }
  summary.replaceChildren(h('h3', { text: 'There is a problem' }), h('ul', {}, items));
  summary.hidden = false;
  summary.focus();
}
function focusField(id) { const el = $(id); const target = el.matches('input, select, textarea, button') ? el : el.querySelector('input, button'); (target || el).focus(); }
const LABELS = { full_name: 'Full name', mobile: 'Mobile phone', starts_at: 'Time', duration_minutes: 'Length', notes: 'Notes', api_key: '', status: 'Status', body: '' };
function labelFor(field) { const l = LABELS[field]; return l === undefined ? field : l; }
function sentence(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

// ---- day view --------------------------------------------------------------------------------
async function showDay(day) {
  show('day-view');
  const target = day || state.day;
  try {
    const s = await api('GET', target ? `/schedule?date=${target}` : '/schedule');
    state.day = s.date;
    renderDay(s, true);
  } catch (e) {
    if (e.status !== 401) notice(`Could not load the day: ${e.message}`);
    return;
  }
  startPolling();
}

function renderDay(s, force) {
  const json = JSON.stringify(s);
  if (!force && json === state.scheduleJson) return;
  state.schedule = s; state.scheduleJson = json;
  const focusKey = document.activeElement?.dataset?.key;
  const today = s.date === s.today;
  $('day-title').textContent = `${longDate(s.date)}${today ? ' (today)' : ''}`;
  $('day-zone').textContent = `Times are in the clinic's zone: ${s.time_zone} (${s.time_zone_abbrev}).`;
  $('day-date').value = s.date;
  $('week').replaceChildren(...s.week.map((d) => {
    const label = d.holiday ? `Closed: ${d.holiday}` : (!d.open ? 'Closed' : `${d.scheduled} booked`);
    const current = d.date === s.date;
    return h('li', {}, h('a', { href: `#/day/${d.date}`, 'aria-current': current ? 'date' : null, 'data-key': `week-${d.date}` },
      h('span', { text: shortDate(d.date) }), h('span', { class: 'count', text: label }),
      current ? h('span', { class: 'visually-hidden', text: ' (shown)' }) : null));
  }));
  const closed = $('day-closed');
  if (!s.open) {
    closed.hidden = false;
    closed.textContent = s.holiday ? `The clinic is closed: ${s.holiday} (holiday).` : 'The clinic is closed on this day.';
  } else closed.hidden = true;
  $('schedule-caption').textContent = s.open
    ? `Schedule for ${longDate(s.date)}: ${s.appointments.filter((a) => a.status === 'scheduled').length} booked, ${s.free_slots.length} free`
    : `Appointments on ${longDate(s.date)}`;
  $('schedule-body').replaceChildren(...scheduleRows(s));
  if (focusKey) document.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
}

// One row per grid time of the opening hours (plus any appointment outside them), in time order.
function scheduleRows(s) {
  const rows = new Map();  // local "HH:MM" -> {time, appts: [], free: slot|null}
  const row = (t) => { if (!rows.has(t)) rows.set(t, { time: t, appts: [], free: null }); return rows.get(t); };
  for (const span of s.opening_hours) {
    const [h0, m0] = hhmm(span.starts_at_local).split(':').map(Number);
    const [h1, m1] = hhmm(span.ends_at_local).split(':').map(Number);
    const end = (h1 === 0 && m1 === 0 ? 24 * 60 : h1 * 60 + m1);
    for (let t = h0 * 60 + m0; t < end; t += s.slot_minutes) row(`${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`);
  }
  for (const f of s.free_slots) row(hhmm(f.starts_at_local)).free = f;
  const times = () => [...rows.keys()].sort();
  for (const a of s.appointments) {
    const t = hhmm(a.starts_at_local);
    const before = times().filter((x) => x <= t).pop();
    const target = rows.has(t) ? t : (before && rowCovers(before, t, s.slot_minutes) ? before : t);
    row(target).appts.push(a);
  }
  return times().map((t) => {
    const r = rows.get(t);
    const cells = [];
    for (const a of r.appts) cells.push(appointmentCard(a));
    if (r.free) cells.push(h('div', { class: 'free' }, h('span', { class: 'badge', text: 'Free' }), ' ',
      h('button', { type: 'button', 'data-key': `book-${t}`, onclick: () => openBook(r.free) , 'aria-label': `Book ${t} ${zoneLabel()}` }, `Book ${t}`)));
    if (!r.free && r.appts.length === 0) cells.push(h('span', { class: 'muted', text: pastOrTaken(s, t) }));
    return h('tr', { class: r.free ? 'slot-free' : null }, h('th', { scope: 'row' }, `${t} `, h('span', { class: 'tz', text: s.time_zone_abbrev })), h('td', {}, cells));
  });
}
function rowCovers(rowTime, t, minutes) {
  const toMin = (x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3, 5));
  return toMin(t) - toMin(rowTime) < minutes;
}
function pastOrTaken(s, t) {
  return s.date < s.today || (s.date === s.today && t < hhmm(localNow(s))) ? 'Past' : 'Not available (taken by a longer appointment)';
}
function localNow(s) { const first = s.opening_hours[0]; return first ? shiftLocal(s.now, first) : s.now; }
// s.now is UTC; turn it into the clinic's wall time using the offset of the day's first opening span.
function shiftLocal(utcIso, span) {
  const off = span.starts_at_local.slice(19);  // "-07:00"
  const sign = off[0] === '-' ? -1 : 1;
  const minutes = sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  return new Date(Date.parse(utcIso) + minutes * 60000).toISOString().slice(0, 19);
}

function appointmentCard(a) {
  const shown = state.shownPhones.has(a.id);
  const how = a.call_sid ? 'Booked by phone call' : 'Booked by staff';
  const phone = h('button', { type: 'button', class: 'link-button', 'aria-pressed': shown ? 'true' : 'false', 'data-key': `phone-${a.id}`,
    'aria-label': shown ? `Phone ${a.user.mobile} (hide)` : `Phone ending ${a.user.mobile.slice(-4)} (show full number)`,
    onclick: () => { if (state.shownPhones.has(a.id)) state.shownPhones.delete(a.id); else state.shownPhones.add(a.id); renderDay(state.schedule, true); } },
    shown ? a.user.mobile : maskPhone(a.user.mobile));
  const actions = [];
  if (a.status === 'scheduled') {
    actions.push(
      h('button', { type: 'button', 'data-key': `move-${a.id}`, onclick: () => openMove(a) }, 'Reschedule'),
      h('button', { type: 'button', 'data-key': `done-${a.id}`, onclick: () => setStatus(a, 'completed') }, 'Mark completed'),
      h('button', { type: 'button', 'data-key': `noshow-${a.id}`, onclick: () => setStatus(a, 'no_show') }, 'Mark no-show'),
      h('button', { type: 'button', 'data-key': `cancel-${a.id}`, onclick: () => openCancel(a) }, 'Cancel'));
  } else if (a.status !== 'cancelled') {
    actions.push(h('button', { type: 'button', 'data-key': `undo-${a.id}`, onclick: () => setStatus(a, 'scheduled') }, 'Back to scheduled'));
  }
  actions.push(h('button', { type: 'button', 'data-key': `notes-${a.id}`, onclick: () => openNotes(a) }, 'Edit notes'));
  return h('article', { class: `appt status-${a.status}`, 'aria-label': `${a.user.full_name} at ${hhmm(a.starts_at_local)}, ${STATUS[a.status]}` },
    h('p', { class: 'meta' }, h('span', { class: 'badge', text: STATUS[a.status] }), ' ',
      h('a', { class: 'who', href: `#/patients/${a.user_id}` }, a.user.full_name), ' · ', phone),
    h('p', { class: 'meta' }, `${hhmm(a.starts_at_local)}–${hhmm(a.ends_at_local)} ${zoneLabel()} · ${lengthText(a.duration_minutes)} · ${how}`),
    a.notes ? h('p', { class: 'meta notes' }, `Notes: ${a.notes}`) : null,
    h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${a.user.full_name}` }, actions));
}

function startPolling() {
  stopPolling();
  state.poll = setInterval(async () => {
    if (!state.csrf || $('day-view').hidden || document.querySelector('dialog[open]')) return;
    try { renderDay(await api('GET', `/schedule?date=${state.day}`), false); } catch { /* next tick */ }
  }, POLL_MS);
}
function stopPolling() { if (state.poll) clearInterval(state.poll); state.poll = null; }
async function refreshDay() { try { renderDay(await api('GET', `/schedule?date=${state.day}`), true); } catch { /* shown by api() */ } }

// ---- dialogs ---------------------------------------------------------------------------------
function openDialog(id, focusId) { const d = $(id); d.showModal(); if (focusId) $(focusId).focus(); }
for (const d of document.querySelectorAll('dialog')) {
  d.addEventListener('click', (e) => { if (e.target.closest('[data-close]')) d.close(); });
  d.addEventListener('close', () => { const back = d.dataset.returnKey; if (back) document.querySelector(`[data-key="${CSS.escape(back)}"]`)?.focus(); });
}

const BOOK_FIELDS = { full_name: 'book-name', mobile: 'book-mobile', starts_at: 'book-starts', duration_minutes: 'book-length', notes: 'book-notes' };
function openBook(slot) {
  state.booking = { slot };
  const form = $('book-form');
  form.reset();
  clearErrors('book');
  $('book-suggestions').replaceChildren();
  $('book-when').textContent = whenText(slot.starts_at_local);
  $('book-dialog').dataset.returnKey = `book-${hhmm(slot.starts_at_local)}`;
  const def = String(state.schedule?.slot_minutes || 30);
  if ([...$('book-length').options].some((o) => o.value === def)) $('book-length').value = def;
  openDialog('book-dialog', 'book-name');
}
function chooseBookSlot(slot) {
  state.booking.slot = slot;
  $('book-when').textContent = whenText(slot.starts_at_local);
  $('book-suggestions').replaceChildren();
  clearErrors('book');
  $('book-name').focus();
}
async function submitBook(ev) {
  ev.preventDefault();
  clearErrors('book');
  $('book-suggestions').replaceChildren();
  const body = { full_name: $('book-name').value.trim(), mobile: $('book-mobile').value.trim(),
                 starts_at: state.booking.slot.starts_at_local, duration_minutes: Number($('book-length').value) };
  const notes = $('book-notes').value.trim();
  if (notes) body.notes = notes;
  const missing = [];
  if (!body.full_name) missing.push({ field: 'full_name', message: 'is required' });
  if (!body.mobile) missing.push({ field: 'mobile', message: 'is required' });
  if (missing.length) return showErrors('book', missing, BOOK_FIELDS);
  try {
    const a = await api('POST', '/appointments', body);
    $('book-dialog').dataset.returnKey = `move-${a.id}`;
    $('book-dialog').close();
    notice(`Booked ${a.user.full_name} on ${whenText(a.starts_at_local)}.`);
    await refreshDay();
    document.querySelector(`[data-key="move-${a.id}"]`)?.focus();
  } catch (e) { handleChangeError(e, 'book', BOOK_FIELDS, $('book-suggestions'), chooseBookSlot); }
}

// 409: the suggested slots as buttons next to the time; 422: each field's message next to it.
function handleChangeError(e, prefix, fields, suggestionsEl, choose) {
  if (e.status === 401) return;
  if (e.status === 409) {
    const slots = e.body.suggested_slots || [];
    showErrors(prefix, [{ field: 'starts_at', message: slots.length ? 'is taken. Choose one of the suggested times below.' : 'is taken and no time near it is free.' }], fields);
    if (suggestionsEl && slots.length) {
      suggestionsEl.replaceChildren(h('p', { class: 'label', id: `${prefix}-suggested-label`, text: 'Suggested times' }),
        h('ul', { class: 'slots', 'aria-labelledby': `${prefix}-suggested-label` },
          slots.map((s) => h('li', {}, h('button', { type: 'button', onclick: () => choose(s) }, `${shortDate(s.starts_at_local)} ${hhmm(s.starts_at_local)} ${zoneLabel()}`)))));
    }
    return;
  }
  if (e.status === 422 && Array.isArray(e.body.errors)) {
    const errs = e.body.errors.map((x) => ({ field: x.field, message: x.message }));
    if (e.body.next_opening) errs.push({ field: 'body', message: `The next opening is ${whenText(e.body.next_opening.starts_at_local)}.` });
    return showErrors(prefix, errs, fields);
  }
  showErrors(prefix, [{ field: 'body', message: sentence(e.message) }], fields);
}

// Reschedule: pick another free slot (of this or another day).
const MOVE_FIELDS = { starts_at: 'move-starts' };
async function openMove(a) {
  state.moving = { appt: a, slots: [] };
  clearErrors('move');
  $('move-who').textContent = `${a.user.full_name}, now ${whenText(a.starts_at_local)} (${lengthText(a.duration_minutes)}).`;
  $('move-date').value = a.starts_at_local.slice(0, 10);
  $('move-dialog').dataset.returnKey = `move-${a.id}`;
  openDialog('move-dialog', 'move-date');
  await loadMoveSlots();
}
async function loadMoveSlots() {
  const { appt } = state.moving;
  const date = $('move-date').value;
  const box = $('move-slots');
  box.replaceChildren(h('p', { text: 'Loading free times…' }));
  try {
    const s = await api('GET', `/availability?date=${date}&duration_minutes=${appt.duration_minutes}`);
    renderMoveSlots(s.slots, s.holiday ? `Closed: ${s.holiday}.` : 'No free times on this day.');
  } catch (e) { box.replaceChildren(h('p', { text: `Could not load free times: ${e.message}` })); }
}
function renderMoveSlots(slots, emptyText) {
  const box = $('move-slots');
  if (!slots.length) return box.replaceChildren(h('p', { text: emptyText }));
  box.replaceChildren(...slots.map((s, i) => h('label', {},
    h('input', { type: 'radio', name: 'slot', value: s.starts_at_local, id: i === 0 ? 'move-starts' : null }), ` ${shortDate(s.starts_at_local)} ${hhmm(s.starts_at_local)} ${zoneLabel()}`)));
}
async function submitMove(ev) {
  ev.preventDefault();
  clearErrors('move');
  const chosen = $('move-form').querySelector('input[name=slot]:checked');
  if (!chosen) return showErrors('move', [{ field: 'starts_at', message: 'Choose a new time' }], { starts_at: 'move-starts' });
  const { appt } = state.moving;
  try {
    const a = await api('PATCH', `/appointments/${appt.id}`, { starts_at: chosen.value });
    $('move-dialog').close();
    notice(`Moved ${a.user.full_name} to ${whenText(a.starts_at_local)}.`);
    if (a.starts_at_local.slice(0, 10) !== state.day) location.hash = `#/day/${a.starts_at_local.slice(0, 10)}`;
    else await refreshDay();
  } catch (e) {
    handleChangeError(e, 'move', MOVE_FIELDS, null, null);
    if (e.status === 409 && e.body.suggested_slots) renderMoveSlots(e.body.suggested_slots, 'No suggestions.');
  }
}

async function setStatus(a, status) {
  try {
    const r = await api('PATCH', `/appointments/${a.id}`, { status });
    notice(`${r.user.full_name} at ${hhmm(r.starts_at_local)} is now: ${STATUS[r.status]}.`);
    await refreshDay();
    document.querySelector(`[data-key="notes-${a.id}"]`)?.focus();
  } catch (e) { if (e.status !== 401) notice(`Could not change the status: ${e.body.errors?.[0]?.message || e.message}`); }
}

const NOTES_FIELDS = { notes: 'notes-text' };
function openNotes(a) {
  state.noting = a;
  clearErrors('notes');
  $('notes-who').textContent = `${a.user.full_name}, ${whenText(a.starts_at_local)}.`;
  $('notes-text').value = a.notes || '';
  $('notes-dialog').dataset.returnKey = `notes-${a.id}`;
  openDialog('notes-dialog', 'notes-text');
}
async function submitNotes(ev) {
  ev.preventDefault();
  clearErrors('notes');
  try {
    await api('PATCH', `/appointments/${state.noting.id}`, { notes: $('notes-text').value });
    $('notes-dialog').close();
    notice('Notes saved.');
    await refreshDay();
  } catch (e) { handleChangeError(e, 'notes', NOTES_FIELDS, null, null); }
}

function openCancel(a) {
  state.cancelling = a;
  clearErrors('cancel');
  $('cancel-who').textContent = `${a.user.full_name}, ${whenText(a.starts_at_local)}. The slot becomes free again.`;
  $('cancel-dialog').dataset.returnKey = `notes-${a.id}`;
  openDialog('cancel-dialog', null);
  $('cancel-form').querySelector('[data-close]').focus();  // the safe choice has the focus
}
async function submitCancel(ev) {
  ev.preventDefault();
  try {
    const a = await api('DELETE', `/appointments/${state.cancelling.id}`);
    $('cancel-dialog').close();
    notice(`Cancelled ${a.user.full_name} on ${whenText(a.starts_at_local)}.`);
    await refreshDay();
  } catch (e) { handleChangeError(e, 'cancel', {}, null, null); }
}

// ---- patients --------------------------------------------------------------------------------
async function showPatients(q) {
  show('patients-view');
  $('patient-q').value = q;
  const out = $('patient-results');
  if (!q) { out.replaceChildren(); return; }
  try {
    const r = await api('GET', `/users?q=${encodeURIComponent(q)}&limit=50`);
    if (!r.items.length) return out.replaceChildren(h('p', { text: `No patient matches “${q}”.` }));
    out.replaceChildren(h('h2', { text: `${r.items.length} patient${r.items.length === 1 ? '' : 's'} found` }),
      h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Name' }), h('th', { scope: 'col', text: 'Mobile' }))),
        h('tbody', {}, r.items.map((u) => h('tr', {}, h('td', {}, h('a', { href: `#/patients/${u.id}` }, u.full_name)), h('td', { text: u.mobile }))))));
  } catch (e) { if (e.status !== 401) out.replaceChildren(h('p', { text: `Could not search: ${e.message}` })); }
}

async function showPatient(id) {
  show('patient-view');
  const body = $('patient-body');
  body.replaceChildren(h('p', { text: 'Loading…' }));
  try {
    const [u, s, texts] = await Promise.all([api('GET', `/users/${id}`), state.schedule ? Promise.resolve(state.schedule) : api('GET', '/schedule'),
                                            api('GET', `/users/${id}/messages`).catch((e) => (e.status === 503 ? null : Promise.reject(e)))]);
    state.schedule = state.schedule || s;
    $('patient-title').textContent = u.full_name;
    // A household shares a mobile: the other patients on this number (GET /users?mobile= is a list).
    const same = await api('GET', `/users?mobile=${encodeURIComponent(u.mobile)}&limit=50`).then((r) => r.items.filter((o) => o.id !== u.id)).catch(() => []);
    const now = Date.parse(s.now);
    const upcoming = u.appointments.filter((a) => Date.parse(a.starts_at) >= now && a.status === 'scheduled').sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    const past = u.appointments.filter((a) => !upcoming.includes(a)).sort((a, b) => b.starts_at.localeCompare(a.starts_at));
    const table = (title, list) => [h('h2', { text: title }), list.length
      ? stackTable(title, ['When', 'Length', 'Status', 'Booked by', 'Notes'], list.map((a) => [
          h('a', { href: `#/day/${a.starts_at_local.slice(0, 10)}` }, whenText(a.starts_at_local)),
          lengthText(a.duration_minutes), STATUS[a.status], a.call_sid ? 'Phone call' : 'Staff', a.notes || '']))
      : h('p', { text: 'None.' })];
    body.replaceChildren(h('p', {}, `Mobile: ${u.mobile}`),
      ...(same.length ? [h('p', {}, 'Also on this mobile: ', ...same.flatMap((o, i) => [i ? ', ' : '', h('a', { href: `#/patients/${o.id}` }, o.full_name)]))] : []),
      h('p', { class: 'zone', text: `Times are in the clinic's zone: ${s.time_zone}.` }),
      ...table('Upcoming appointments', upcoming), ...table('Past and cancelled appointments', past),
      ...messagesTable(texts ? texts.items : null, u.appointments));
  } catch (e) { if (e.status !== 401) body.replaceChildren(h('p', { text: e.status === 404 ? 'No such patient.' : `Could not load: ${e.message}` })); }
}

// The patient's texts: what each was, for which visit, where it stands and since when (clinic zone).
const TEXT_KIND = { confirmation: 'Confirmation', rescheduled: 'New time', cancelled: 'Cancellation', reminder: 'Reminder' };
const TEXT_STATUS = { pending: 'Waiting to send', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', dropped: 'Not sent' };
const DROP_REASON = { opted_out: 'the number replied STOP', too_late: 'the visit had begun', superseded: 'the visit changed' };
function messageStatus(m) {
  let text = TEXT_STATUS[m.status] || m.status;
  if (m.status === 'failed') text += m.error_code ? ` (Twilio error ${m.error_code})` : (m.error ? ` (${m.error})` : '');
  if (m.status === 'dropped' && m.error) text += ` (${DROP_REASON[m.error] || m.error})`;
  return text;
}
function messageTime(m) {
  if (m.status === 'pending' || m.status === 'sending') return `Due ${whenText(m.due_at_local)}`;
  if (m.sent_at_local) return whenText(m.sent_at_local);  // sent, then maybe delivered or failed: when it went
  return whenText(m.updated_at_local);                     // never sent: when it was given up
}
function messagesTable(texts, appointments) {
  const title = 'Texts to this patient';
  if (texts === null) return [h('h2', { text: title }), h('p', { text: 'Texts are not recorded on this server.' })];
  if (!texts.length) return [h('h2', { text: title }), h('p', { text: 'No texts yet.' })];
  const byId = new Map(appointments.map((a) => [a.id, a]));
  return [h('h2', { text: title }),
    stackTable(title, ['Text', 'For the visit (now)', 'Status', 'When'], texts.map((m) => {
      const a = byId.get(m.appointment_id);
      return [TEXT_KIND[m.kind] || m.kind,
        a ? h('a', { href: `#/day/${a.starts_at_local.slice(0, 10)}` }, whenText(a.starts_at_local)) : `Appointment ${m.appointment_id}`,
        h('span', { class: 'badge', text: messageStatus(m) }), messageTime(m)];
    }))];
}

// ---- wiring ----------------------------------------------------------------------------------
$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
$('prev-day').addEventListener('click', () => { location.hash = `#/day/${addDays(state.day, -1)}`; });
$('next-day').addEventListener('click', () => { location.hash = `#/day/${addDays(state.day, 1)}`; });
$('today').addEventListener('click', () => { location.hash = `#/day/${state.schedule?.today || ''}`.replace(/\/$/, ''); });
$('day-nav').addEventListener('submit', (e) => { e.preventDefault(); if ($('day-date').value) location.hash = `#/day/${$('day-date').value}`; });
$('patient-search').addEventListener('submit', (e) => { e.preventDefault(); location.hash = `#/patients?q=${encodeURIComponent($('patient-q').value.trim())}`; });
$('book-form').addEventListener('submit', submitBook);
$('move-form').addEventListener('submit', submitMove);
$('move-load').addEventListener('click', loadMoveSlots);
$('notes-form').addEventListener('submit', submitNotes);
$('cancel-form').addEventListener('submit', submitCancel);
window.addEventListener('hashchange', route);

(async () => {
  try {
    const s = await api('GET', '/staff/session');
    state.csrf = s.csrf_token;
    await route();
  } catch { signedOut(''); }
})();
