// tools/render-check/check.mjs: loads rendered pictures in Debian's headless chromium and checks them.
//   node check.mjs mermaid SHOTDIR DIAGRAM.mmd[=N]...  renders each text with the real mermaid library
//   node check.mjs html SHOTDIR REPORT.html[=N]...     each report: no console error, no network, a click works,
//                                                      the step mode's → and buttons move and change the note,
//                                                      its state boxes green for kernel states, yellow for inferred
//   node check.mjs svg SHOTDIR LADDER.svg[=N]...       each SVG opens and draws its arrows
// =N: the number of arrows the picture must show. One browser serves all the files; a
// full-page screenshot of each goes to SHOTDIR/NAME.png.
// Prints "ok: ..." / "FAIL: ..." lines; exits 0 when every check passed, 1 otherwise, 2 on misuse.
// mermaid and playwright-core come from $HELLO_NPM/node_modules (default build/npm).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, shotDir, ...inputs] = process.argv.slice(2);
if (!['mermaid', 'html', 'svg'].includes(mode) || !shotDir || inputs.length === 0) {
  console.error('usage: node check.mjs mermaid|html|svg SHOTDIR FILE[=ARROWS]...');
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
const guard = setTimeout(() => { console.log('FAIL: timed out after 150 s'); process.exit(1); }, 150000);

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const work = mkdtempSync(join(tmpdir(), 'render-check-'));

// The page to load for one input: Mermaid text goes into a page with the library.
function pageFor(file) {
  if (mode !== 'mermaid')
    return pathToFileURL(resolve(file)).href;
  const lib = pathToFileURL(join(npmDir, 'node_modules/mermaid/dist/mermaid.min.js')).href;
  const page = join(work, basename(file) + '.html');
  writeFileSync(page, `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body style="margin:0;background:#fff"><pre class="mermaid">${esc(readFileSync(file, 'utf8'))}</pre>
<script src="${lib}"></script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script></body></html>`);
  return pathToFileURL(page).href;
}

async function checkMermaid(page, file, name) {
  await page.waitForSelector('pre.mermaid svg', { timeout: 30000 }).catch(() => {});
  const html = await page.evaluate(() => document.querySelector('pre.mermaid')?.innerHTML || '');
  check(`${name}: mermaid drew an SVG`, html.includes('<svg'));
  check(`${name}: no "Syntax error in text"`, !html.includes('Syntax error in text'));
  const parsed = await page.evaluate(async (t) => {
    try { await mermaid.parse(t); return 'ok'; } catch (e) { return String(e.message || e); }
  }, readFileSync(file, 'utf8'));
  check(`${name}: mermaid.parse accepts the text${parsed === 'ok' ? '' : ': ' + parsed}`, parsed === 'ok');
  return page.evaluate(() => document.querySelectorAll('pre.mermaid svg .messageText').length);
}

async function checkHtml(page, name) {
  const n = await page.evaluate(() => document.querySelectorAll('svg g.arrow').length);
  if (n > 0) {
    const before = await page.evaluate(() => document.getElementById('detail')?.textContent || '');
    await page.locator('svg g.arrow').first().click({ timeout: 10000 });
    const after = await page.evaluate(() => document.getElementById('detail')?.textContent || '');
    check(`${name}: a click on an arrow shows its event`, after !== before && after.includes('"type"'));
  }
  if (await page.locator('#step-next').count()) {
    // step mode: the → key moves one row at a time, its note shown large, the row highlighted
    const notes = [];
    await page.keyboard.press('Home');
    for (let k = 0; k < 4; k++) {
      notes.push(await page.evaluate(() => document.getElementById('step-note')?.textContent || ''));
      await page.keyboard.press('ArrowRight');
    }
    notes.push(await page.evaluate(() => document.getElementById('step-note')?.textContent || ''));
    const changes = notes.slice(1).filter((t, k) => t !== notes[k]).length;
    check(`${name}: → steps through the events, the note changes (${changes} of 4)`, changes >= 3 && notes.every((t) => t.length > 0));
    const sel = await page.evaluate(() => document.querySelectorAll('svg.ladder .sel').length);
    check(`${name}: the current step is highlighted`, sel > 0);
    await page.locator('#step-prev').click({ timeout: 10000 });
    const back = await page.evaluate(() => document.getElementById('step-note')?.textContent || '');
    check(`${name}: the back button goes one step back`, back === notes[3]);
    await page.locator('#step-next').click({ timeout: 10000 });
    await checkStepStates(page, name);
  }
  if (await page.locator('#seq-abs').count()) {
    // the toggle: the first arrow of a flow whose ISNs are known (its SYN, seq=0) shows the
    // client's ISN itself, and the relative number again when unticked
    const probe = () => page.evaluate(() => {
      const sec = document.querySelector('section.flow[data-isn-client]');
      const lbl = sec && sec.querySelector('svg.ladder g.arrow text.lbl');
      return lbl ? [lbl.textContent, sec.getAttribute('data-isn-client')] : null;
    });
    const rel = await probe();
    if (rel) {
      await page.locator('#seq-abs').check({ timeout: 10000 });
      const abs = await probe();
      await page.locator('#seq-abs').uncheck({ timeout: 10000 });
      const back = await probe();
      check(`${name}: absolute seq toggle (${rel[0]} -> ${abs[0]} -> back)`,
        rel[0].includes('seq=0') && abs[0].includes('seq=' + rel[1]) && back[0] === rel[0]);
    }
  }
  return n;
}

// Step mode: each side's state box is green exactly when the kernel reported that state (its
// words say when), yellow when it is inferred; a page with both kinds of marks shows both.
async function checkStepStates(page, name) {
  const marks = await page.evaluate(() => ({
    kernel: document.querySelectorAll('svg.ladder g.state.kernel[data-side]:not(.handoff)').length,
    inferred: document.querySelectorAll('svg.ladder g.state[data-side]:not(.kernel)').length,
  }));
  if (marks.kernel + marks.inferred === 0)
    return;
  const boxes = [];
  await page.keyboard.press('Home');
  for (let k = 0; k < 400; k++) {
    boxes.push(...await page.evaluate(() => ['client', 'server'].map((w) => {
      const b = document.getElementById('st-' + w);
      return { state: b?.textContent || '', green: !!b?.parentNode.classList.contains('kernel'),
               src: document.getElementById('st-' + w + '-src')?.textContent || '' };
    })));
    const pos = await page.evaluate(() => document.getElementById('step-pos')?.textContent || '');
    const m = /^step (\d+) of (\d+)/.exec(pos);
    if (!m || m[1] === m[2])
      break;
    await page.keyboard.press('ArrowRight');
  }
  const wrong = boxes.filter((b) => b.green !== b.src.includes('reported by the kernel'));
  check(`${name}: step mode: a state box is green exactly when the kernel reported it${wrong.length ? ': ' + JSON.stringify(wrong[0]) : ''}`,
        wrong.length === 0);
  if (marks.kernel)
    check(`${name}: step mode: kernel states shown green`, boxes.some((b) => b.green));
  if (marks.inferred)
    check(`${name}: step mode: inferred states shown yellow`, boxes.some((b) => !b.green && b.src === 'inferred from the packets'));
}

async function checkOne(browser, arg) {
  const m = /^(.*?)(?:=(\d+))?$/.exec(arg);
  const file = m[1], want = m[2] === undefined ? -1 : Number(m[2]);
  const name = basename(file);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [], requests = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) requests.push(r.url()); });
  await page.goto(pageFor(file), { waitUntil: 'load', timeout: 30000 });
  let n;
  if (mode === 'mermaid')
    n = await checkMermaid(page, file, name);
  else if (mode === 'html')
    n = await checkHtml(page, name);
  else
    n = await page.evaluate(() => document.querySelectorAll('g.arrow').length);
  if (want >= 0)
    check(`${name}: ${n} arrows drawn, want ${want}`, n === want);
  else
    check(`${name}: arrows drawn (${n})`, n > 0);
  const shot = join(shotDir, name + '.png');
  if (mode === 'svg') {
    // an SVG document has no scrolling body for a full-page shot: size the viewport to it
    const [w, h] = await page.evaluate(() => {
      const r = document.documentElement;
      return [r.width.baseVal.value, r.height.baseVal.value];
    });
    await page.setViewportSize({ width: Math.ceil(w) || 860, height: Math.min(Math.ceil(h) || 900, 6000) });
    await page.screenshot({ path: shot, timeout: 30000 });
  } else {
    await page.screenshot({ path: shot, fullPage: true, timeout: 30000 });
  }
  check(`${name}: no console errors${errors.length ? ': ' + errors.join(' | ') : ''}`, errors.length === 0);
  check(`${name}: no network requests${requests.length ? ': ' + requests.join(' ') : ''}`, requests.length === 0);
  await page.close();
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
  for (const arg of inputs)
    await checkOne(browser, arg);
} catch (e) {
  fail(`chromium: ${e.message || e}`);
} finally {
  if (browser)
    await browser.close();
  rmSync(work, { recursive: true, force: true });
  clearTimeout(guard);
}
process.exit(failed ? 1 : 0);
