import { launchChromium } from './test/browser/chromium';
const b = await launchChromium();
const p = await b.newPage({ viewport: { width: 1280, height: 1000 } });
await p.goto('file://' + process.cwd() + '/out/browser/report.html');
const h = await p.evaluate(() => document.body.scrollHeight);
console.log(h);
for (let y = 0, i = 0; y < h; y += 1000, i++) await p.screenshot({ path: `/tmp/rep/s${i}.png`, clip: { x: 0, y, width: 1280, height: Math.min(1000, h - y) }, fullPage: true });
await b.close();
