// The part of Playwright's locator API that staff_page.test.mjs uses (getByRole, getByLabel,
// getByText, filter, first, waitFor, click, fill, ...), over Puppeteer, so that the same steps drive
// Firefox through WebDriver BiDi, which Playwright cannot do with a stock Firefox.
//
// Elements are found in the page by one self-contained function (resolve below): roles and
// accessible names follow HTML-AAM/accname closely enough for this page (explicit role, implicit
// role by element, aria-labelledby > aria-label > <label> > content). Matching follows Playwright's:
// a string matches case-insensitively as a substring of the whitespace-normalised text, `exact`
// needs the whole text, a RegExp is tested as is; getByRole skips elements hidden from assistive
// technology; actions need exactly one match (strict), visible and enabled, and wait for it.

function ser(v) {
  if (v === undefined || v === null) return null;
  if (v instanceof RegExp) return { re: v.source, flags: v.flags };
  return { s: String(v) };
}

// Runs in the page. chain: [{op, ...}] from `root` (the document); returns the matched elements.
function resolve(chain, root) {
  const norm = (t) => (t || '').replace(/\s+/g, ' ').trim();
  const matches = (m, text, exact) => {
    if (!m) return true;
    if (m.re !== undefined) return new RegExp(m.re, m.flags).test(text);
    return exact ? text === norm(m.s) : text.toLowerCase().includes(norm(m.s).toLowerCase());
  };
  const hiddenForAT = (el) => {
    for (let e = el; e; e = e.parentElement) if (e.getAttribute && e.getAttribute('aria-hidden') === 'true') return true;
    return !el.checkVisibility({ visibilityProperty: true });
  };
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    if (explicit) return explicit;
    const tag = el.localName;
    const type = (el.getAttribute('type') || '').toLowerCase();
    switch (tag) {
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : null;
      case 'button': return 'button';
      case 'input':
        if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
        if (type === 'checkbox') return 'checkbox';
        if (type === 'radio') return 'radio';
        if (type === 'search') return 'searchbox';
        if (type === 'number') return 'spinbutton';
        if (type === 'range') return 'slider';
        if (type === 'hidden') return null;
        return 'textbox';
      case 'textarea': return 'textbox';
      case 'select': return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
      case 'option': return 'option';
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'ul': case 'ol': case 'menu': return 'list';
      case 'li': return 'listitem';
      case 'table': return 'table';
      case 'tr': return 'row';
      case 'td': return 'cell';
      case 'th': {
        const scope = el.getAttribute('scope');
        if (scope === 'row' || scope === 'rowgroup') return 'rowheader';
        return 'columnheader';
      }
      case 'thead': case 'tbody': case 'tfoot': return 'rowgroup';
      case 'caption': return 'caption';
      case 'article': return 'article';
      case 'nav': return 'navigation';
      case 'main': return 'main';
      case 'aside': return 'complementary';
      case 'dialog': return 'dialog';
      case 'form': return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'form' : null;
      case 'section': return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
      case 'fieldset': return 'group';
      case 'p': return 'paragraph';
      case 'img': return 'img';
      case 'header': return el.closest('article, aside, main, nav, section') ? null : 'banner';
      case 'footer': return el.closest('article, aside, main, nav, section') ? null : 'contentinfo';
      default: return null;
    }
  };
  const FROM_CONTENT = new Set(['button', 'link', 'heading', 'cell', 'rowheader', 'columnheader', 'row', 'radio', 'checkbox',
                                'option', 'tab', 'menuitem', 'switch', 'tooltip', 'caption']);
  const contentText = (el) => {
    let out = '';
    for (const n of el.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) out += n.data;
      else if (n.nodeType === Node.ELEMENT_NODE) {
        if (n.getAttribute('aria-hidden') === 'true' || !n.checkVisibility({ visibilityProperty: true })) continue;
        if (n.localName === 'script' || n.localName === 'style') continue;
        const label = n.getAttribute('aria-label');
        out += ' ' + (label ? label : contentText(n)) + ' ';
      }
    }
    return out;
  };
  const byIds = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((e) => contentText(e)).join(' ');
  const nameOf = (el, role) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) { const t = norm(byIds(by)); if (t) return t; }
    const label = el.getAttribute('aria-label');
    if (label && norm(label)) return norm(label);
    if (el.labels && el.labels.length) return norm([...el.labels].map((l) => contentText(l)).join(' '));
    if (el.localName === 'input' && ['button', 'submit', 'reset'].includes(el.type)) return norm(el.value);
    if (el.localName === 'fieldset') { const lg = el.querySelector(':scope > legend'); if (lg) return norm(contentText(lg)); }
    if (el.localName === 'table') { const c = el.querySelector(':scope > caption'); if (c) return norm(contentText(c)); }
    if (FROM_CONTENT.has(role)) { const t = norm(contentText(el)); if (t) return t; }
    return norm(el.getAttribute('title') || '');
  };
  const labelText = (el) => {
    const texts = [];
    const by = el.getAttribute('aria-labelledby');
    if (by) texts.push(norm(byIds(by)));
    if (el.getAttribute('aria-label')) texts.push(norm(el.getAttribute('aria-label')));
    if (el.labels) for (const l of el.labels) texts.push(norm(l.textContent));
    return texts;
  };
  const SKIP = new Set(['script', 'style', 'head', 'title', 'template', 'noscript']);
  const all = (r) => [...r.querySelectorAll('*')];
  let set = [root];
  for (const step of chain) {
    let next = [];
    if (step.op === 'role') {
      for (const r of set) for (const el of all(r)) {
        const role = roleOf(el);
        if (role !== step.role || hiddenForAT(el)) continue;
        if (step.name && !matches(step.name, nameOf(el, role), step.exact)) continue;
        next.push(el);
      }
    } else if (step.op === 'label') {
      for (const r of set) for (const el of all(r)) {
        if (!el.matches('input, select, textarea, button, meter, output, progress, [aria-labelledby], [aria-label]')) continue;
        if (labelText(el).some((t) => matches(step.text, t, step.exact))) next.push(el);
      }
    } else if (step.op === 'text') {
      for (const r of set) for (const el of all(r)) {
        if (SKIP.has(el.localName) || el.closest('head')) continue;
        if (!matches(step.text, norm(el.textContent), step.exact)) continue;
        // The deepest element that holds the text, as Playwright's text engine picks.
        if ([...el.children].some((c) => !SKIP.has(c.localName) && matches(step.text, norm(c.textContent), step.exact))) continue;
        next.push(el);
      }
    } else if (step.op === 'filter') {
      next = set.filter((el) => (!step.hasText || matches(step.hasText, norm(el.textContent), false)) &&
                                (!step.has || resolve(step.has, el).length > 0));
    } else if (step.op === 'nth') {
      next = set.length > step.n ? [set[step.n]] : [];
    }
    set = [...new Set(next)];
  }
  return set;
}

// In the page: how many match, how many of them are visible, and (when exactly one) whether it is enabled.
function probe(chain) {
  // eslint-disable-next-line no-undef
  const found = RESOLVE(chain, document);
  const visible = found.filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true }); });
  return { count: found.length, visible: visible.length, enabled: found.length === 1 ? !found[0].matches(':disabled') : false };
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const describe = (chain) => chain.map((s) => {
  const m = (x) => (x ? (x.re !== undefined ? `/${x.re}/${x.flags}` : JSON.stringify(x.s)) : '');
  if (s.op === 'role') return `getByRole(${s.role}${s.name ? `, ${m(s.name)}` : ''})`;
  if (s.op === 'label') return `getByLabel(${m(s.text)})`;
  if (s.op === 'text') return `getByText(${m(s.text)}${s.exact ? ', exact' : ''})`;
  if (s.op === 'filter') return `filter(${s.hasText ? `hasText ${m(s.hasText)}` : ''}${s.has ? ` has ${describe(s.has)}` : ''})`;
  return `nth(${s.n})`;
}).join('.');

class Locator {
  constructor(ui, chain) { this.ui = ui; this.chain = chain; }
  #with(step) { return new Locator(this.ui, [...this.chain, step]); }
  getByRole(role, o = {}) { return this.#with({ op: 'role', role, name: ser(o.name), exact: !!o.exact }); }
  getByLabel(text, o = {}) { return this.#with({ op: 'label', text: ser(text), exact: !!o.exact }); }
  getByText(text, o = {}) { return this.#with({ op: 'text', text: ser(text), exact: !!o.exact }); }
  filter({ has, hasText } = {}) { return this.#with({ op: 'filter', has: has ? has.chain : null, hasText: ser(hasText) }); }
  first() { return this.#with({ op: 'nth', n: 0 }); }
  toString() { return describe(this.chain); }

  async #probe() { return this.ui.page.evaluate(this.ui.probeSource, this.chain); }
  async count() { return (await this.#probe()).count; }
  async waitFor({ state = 'visible', timeout } = {}) {
    const end = Date.now() + (timeout ?? this.ui.timeout);
    for (;;) {
      const p = await this.#probe();
      if (p.count > 1 && state !== 'hidden' && state !== 'detached') throw new Error(`strict mode: ${this} matches ${p.count} elements`);
      if (state === 'visible' && p.visible === 1) return;
      if (state === 'attached' && p.count === 1) return;
      if (state === 'hidden' && p.visible === 0) return;
      if (state === 'detached' && p.count === 0) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${this} to be ${state} (count ${p.count}, visible ${p.visible})`);
      await pause(100);
    }
  }
  // The one matching element, visible and enabled (waits for it).
  async #element() {
    const end = Date.now() + this.ui.timeout;
    for (;;) {
      const p = await this.#probe();
      if (p.count > 1) throw new Error(`strict mode: ${this} matches ${p.count} elements`);
      if (p.visible === 1 && p.enabled) {
        const handle = await this.ui.page.evaluateHandle(this.ui.elementSource, this.chain);
        const el = handle.asElement();
        if (el) return el;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${this} to be visible and enabled (count ${p.count}, visible ${p.visible})`);
      await pause(100);
    }
  }
  // Runs fn on the element; if the page re-rendered it meanwhile (detached), finds it again, as
  // Playwright's actions do.
  async #act(fn) {
    const end = Date.now() + this.ui.timeout;
    for (;;) {
      const el = await this.#element();
      try { return await fn(el); } catch (e) {
        if (!/detached|not connected|no such node|stale/i.test(String(e)) || Date.now() > end) throw e;
      } finally { el.dispose().catch(() => {}); }
      await pause(50);
    }
  }
  click() { return this.#act((el) => el.click()); }
  focus() { return this.#act((el) => el.focus()); }
  press(key) { return this.#act(async (el) => { await el.focus(); await this.ui.page.keyboard.press(key); }); }
  textContent() { return this.#act((el) => el.evaluate((e) => e.textContent)); }
  selectOption(value) { return this.#act((el) => el.select(String(value))); }
  check() {
    return this.#act(async (el) => {
      if (!(await el.evaluate((e) => e.checked))) await el.click();
      if (!(await el.evaluate((e) => e.checked))) throw new Error(`${this} did not become checked`);
    });
  }
  // As Playwright's fill: focus, replace the value, fire input and change.
  fill(value) {
    return this.#act((el) => el.evaluate((e, v) => {
      e.focus();
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, String(value)));
  }
}

// A Playwright-like page over a Puppeteer page: the locator roots plus what the steps call directly.
export class LocatorPage {
  constructor(page, { timeout = 8000 } = {}) {
    this.page = page;
    this.timeout = timeout;
    this.keyboard = page.keyboard;
    this.resolveText = resolve.toString();
    // Functions built here from source and sent to the page (never eval'd there: the page's CSP forbids it).
    // eslint-disable-next-line no-new-func
    this.probeSource = new Function('chain', `const RESOLVE = (${this.resolveText}); return (${probe.toString()})(chain);`);
    // eslint-disable-next-line no-new-func
    this.elementSource = new Function('chain', `return (${this.resolveText})(chain, document)[0];`);
  }
  getByRole(role, o) { return new Locator(this, []).getByRole(role, o); }
  getByLabel(text, o) { return new Locator(this, []).getByLabel(text, o); }
  getByText(text, o) { return new Locator(this, []).getByText(text, o); }
  goto(url) { return this.page.goto(url); }
  reload() { return this.page.reload(); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  screenshot(o) { return this.page.screenshot(o); }
  setViewportSize({ width, height }) { return this.page.setViewport({ width, height }); }
  on(event, fn) { this.page.on(event, fn); }
}
