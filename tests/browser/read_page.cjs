// Open a static HTML page from disk in headless Chromium and report what a reader sees.
//
// Usage: node read_page.cjs '<json>' where json has path (absolute .html path), table (CSS
// selector of a table), screenshot (png path).
// Prints one JSON line: {"rows": [[cell texts]...], "title", "images": [{src, width}],
// "dialogs": n, "scripts": n}. A page that runs script (an alert, an injected <script>)
// shows it in dialogs/scripts. Uses Debian's /usr/bin/chromium (no download).
'use strict';

const { chromium } = require('playwright-core');

async function main() {
  const opts = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let dialogs = 0;
    page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
    await page.goto('file://' + opts.path, { waitUntil: 'load' });
    const seen = await page.evaluate((sel) => ({
      title: document.title,
      rows: Array.from(document.querySelectorAll(`${sel} tbody tr`)).map(
        (tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)),
      images: Array.from(document.images).map((im) => ({ src: im.getAttribute('src'),
        width: im.naturalWidth })),
      scripts: document.querySelectorAll('script').length,
    }), opts.table);
    await page.screenshot({ path: opts.screenshot, fullPage: false });
    process.stdout.write(JSON.stringify({ ...seen, dialogs }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
