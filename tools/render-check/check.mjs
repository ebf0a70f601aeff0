// tools/render-check/check.mjs: loads a rendered picture in Debian's headless chromium and checks it.
//   node check.mjs mermaid DIAGRAM.mmd SHOT.png   renders the text with the real mermaid library
//   node check.mjs html REPORT.html SHOT.png      the report: no console error, no network, click works
//   node check.mjs svg LADDER.svg SHOT.png        the SVG opens and draws its arrows
// Prints "ok: ..." / "FAIL: ..." lines; exits 0 when every check passed, 1 otherwise, 2 on misuse.
// Modules come from NODE_PATH-less resolution: run it with HELLO_NPM=<dir holding node_modules>.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, input, shot] = process.argv.slice(2);
if (!['mermaid', 'html', 'svg'].includes(mode) || !input || !shot) {
  console.error('usage: node check.mjs mermaid|html|svg FILE SHOT.png');
  process.exit(2);
}
const npmDir = resolve(process.env.HELLO_NPM || 'build/npm');
const require = createRequire(join(npmDir, 'package.json'));
const { chromium } = require('playwright-core');

let failed = 0;
const ok = (what) => console.log(`ok: ${what}`);
const fail = (what) => { console.log(`FAIL: ${what}`); failed++; };
const check = (what, cond) => (cond ? ok(what) : fail(what));
// every wait below is bounded; this one bounds them all
const guard = setTimeout(() => { console.log('FAIL: timed out after 90 s'); process.exit(1); }, 90000);

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const work = mkdtempSync(join(tmpdir(), 'render-check-'));
let page_url = pathToFileURL(resolve(input)).href;
if (mode === 'mermaid') {
  const lib = pathToFileURL(join(npmDir, 'node_modules/mermaid/dist/mermaid.min.js')).href;
  const page = join(work, 'mermaid.html');
  writeFileSync(page, `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body style="margin:0;background:#fff"><pre class="mermaid">${esc(readFileSync(input, 'utf8'))}</pre>
<script src="${lib}"></script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script></body></html>`);
  page_url = pathToFileURL(page).href;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [], requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) requests.push(r.url()); });
  await page.goto(page_url, { waitUntil: 'load', timeout: 30000 });

  if (mode === 'mermaid') {
    await page.waitForSelector('pre.mermaid svg', { timeout: 30000 }).catch(() => {});
    const html = await page.evaluate(() => document.querySelector('pre.mermaid')?.innerHTML || '');
    check('mermaid drew an SVG', html.includes('<svg'));
    check('no "Syntax error in text"', !html.includes('Syntax error in text'));
    const parsed = await page.evaluate(async (t) => {
      try { await mermaid.parse(t); return 'ok'; } catch (e) { return String(e.message || e); }
    }, readFileSync(input, 'utf8'));
    check(`mermaid.parse accepts the text${parsed === 'ok' ? '' : ': ' + parsed}`, parsed === 'ok');
    const n = await page.evaluate(() => document.querySelectorAll('pre.mermaid svg .messageLine0, pre.mermaid svg .messageLine1').length);
    console.log(`arrows: ${n}`);
  } else if (mode === 'svg') {
    const n = await page.evaluate(() => document.querySelectorAll('g.arrow').length);
    console.log(`arrows: ${n}`);
    check('the SVG has arrows', n > 0);
  } else {
    const n = await page.evaluate(() => document.querySelectorAll('svg g.arrow').length);
    console.log(`arrows: ${n}`);
    check('the report has arrows', n > 0);
    if (n > 0) {
      const before = await page.evaluate(() => document.getElementById('detail')?.textContent || '');
      await page.locator('svg g.arrow').first().click({ timeout: 10000 });
      const after = await page.evaluate(() => document.getElementById('detail')?.textContent || '');
      check('a click on an arrow shows its event', after !== before && after.includes('"type"'));
    }
  }
  await page.screenshot({ path: shot, fullPage: true });
  check('no console errors' + (errors.length ? ': ' + errors.join(' | ') : ''), errors.length === 0);
  check('no network requests' + (requests.length ? ': ' + requests.join(' ') : ''), requests.length === 0);
} catch (e) {
  fail(`chromium: ${e.message || e}`);
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
  clearTimeout(guard);
}
process.exit(failed ? 1 : 0);
