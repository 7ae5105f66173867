// Label one span in Label Studio's web UI with headless Chromium, the way a person does:
// log in, open the task, pick the label, drag the mouse over the characters, submit.
//
// Usage: node label_span.cjs '<json>' where json has
//   url, username, password, projectId, taskId, spans: [{surface, label}] (surface: the exact
//   characters to select; must occur once in the task text, within one line),
//   screenshot (png path), userDataDir (fresh profile folder).
// Prints one JSON line: {"selected": [window selection text per span], "submitted": true}.
// Exits non-zero with a message on any failure. Uses Debian's /usr/bin/chromium (no download).
'use strict';

const { chromium } = require('playwright-core');

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];
const TIMEOUT_MS = 90000;

async function login(page, opts) {
  await page.goto(`${opts.url}/user/login`);
  await page.fill('input[name=email]', opts.username);
  await page.fill('input[name=password]', opts.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/user/login')),
    page.click('button[type=submit]')]);
}

// Screen rectangles of the first and last character of `surface` inside the rendered text.
// Offsets inside the DOM text node are UTF-16 units, so they are taken from the node's own
// string (indexOf), never from code-point arithmetic.
async function surfaceRects(page, surface) {
  return page.evaluate((needle) => {
    const root = document.querySelector('.lsf-htx-richtext');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(needle);
      if (at < 0) continue;
      const rectOf = (from, to) => {
        const r = document.createRange();
        r.setStart(node, from);
        r.setEnd(node, to);
        const b = r.getBoundingClientRect();
        return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
      };
      const first = Array.from(needle)[0];
      const last = Array.from(needle).slice(-1)[0];
      return {
        first: rectOf(at, at + first.length),
        last: rectOf(at + needle.length - last.length, at + needle.length),
      };
    }
    return null;
  }, surface);
}

async function selectSurface(page, surface) {
  const rects = await surfaceRects(page, surface);
  if (!rects) throw new Error(`text ${JSON.stringify(surface)} not found in the labeling view`);
  const y = (r) => (r.top + r.bottom) / 2;
  await page.mouse.move(rects.first.left + 1, y(rects.first));
  await page.mouse.down();
  await page.mouse.move((rects.first.left + rects.last.right) / 2, y(rects.first), { steps: 5 });
  await page.mouse.move(rects.last.right - 1, y(rects.last), { steps: 5 });
  const selected = await page.evaluate(() => String(window.getSelection()));
  await page.mouse.up();
  return selected;
}

async function main() {
  const opts = JSON.parse(process.argv[2]);
  const context = await chromium.launchPersistentContext(opts.userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = context.pages()[0] || await context.newPage();
  try {
    await login(page, opts);
    await page.goto(`${opts.url}/projects/${opts.projectId}/data?task=${opts.taskId}`);
    await page.waitForSelector('.lsf-htx-richtext');
    const selected = [];
    for (const span of opts.spans) {
      await page.locator('.lsf-label', { hasText: span.label }).first().click();
      selected.push(await selectSurface(page, span.surface));
      // The new region shows up in the Regions panel (the outliner) with its text.
      await page.locator('.lsf-outliner', { hasText: span.surface }).first().waitFor();
      // Unselect the new region so the next label click starts a new region instead of
      // relabelling this one.
      await page.keyboard.press('Escape');
    }
    await page.screenshot({ path: opts.screenshot });
    const submit = page.getByRole('button', { name: 'Submit' });
    await Promise.all([
      page.waitForResponse((r) => /\/api\/tasks\/\d+\/annotations/.test(r.url())
        && r.request().method() === 'POST'),
      submit.click(),
    ]);
    process.stdout.write(JSON.stringify({ selected, submitted: true }) + '\n');
  } catch (err) {
    await page.screenshot({ path: opts.screenshot }).catch(() => {});
    throw err;
  } finally {
    await context.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
