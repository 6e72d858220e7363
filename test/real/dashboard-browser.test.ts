/**
 * `--dashboard` in a real browser: `pilha http --dashboard 127.0.0.1:8080 --impair loss=0.01` in a namespace
 * of its own, Debian's chromium (headless, driven by puppeteer-core over a pipe) started in the same
 * namespace, and wget downloading 100 MB meanwhile. The page shows the connection ESTABLISHED, its counters
 * and chart points grow, a fast retransmit appears in the loss events, and once the download is over the
 * connection fades out of the table. The page logs no error, and every request it makes goes to the
 * dashboard's own origin (any other fails the test: the page must work offline). A screenshot taken during
 * the transfer is written to test-artifacts/dashboard.png (git-ignored; the README's picture is one). Beside it,
 * `pilha up --link tap --dashboard` shows its ARP cache and the large pings it reassembled
 * (test-artifacts/dashboard-ethernet.png).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, type PilhaProcess, ROOT, realPeerSkipReason } from '../helpers/netns.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function skipReason(): string | undefined {
  const peers = realPeerSkipReason(['ip', 'wget', 'ping', 'curl']);
  if (peers !== undefined) return peers;
  if (CHROMIUM === undefined) {
    const reason = 'chromium is not installed (apt-get install chromium)';
    if (process.env.CI === 'true') throw new Error(`the browser test cannot run in CI: ${reason}`);
    console.warn(`SKIP dashboard browser test: ${reason}`);
    return reason;
  }
  return undefined;
}

const skip = skipReason();
const SIZE = 100 * 1024 * 1024;
const ARTIFACTS = join(ROOT, 'test-artifacts');

interface PageWatch {
  readonly errors: string[];
  readonly foreign: string[];
  readonly requested: string[];
}

/** A page whose every request not to `origin` is refused and recorded, and whose errors are recorded. */
async function watchedPage(browser: Browser, origin: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const watch: PageWatch = { errors: [], foreign: [], requested: [] };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    watch.requested.push(url);
    if (url.startsWith('data:') || new URL(url).origin === origin) void request.continue();
    else {
      watch.foreign.push(url);
      void request.abort();
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(String(error)));
  return { page, watch };
}

describe.skipIf(skip !== undefined)('the dashboard in chromium during a lossy 100 MB download', () => {
  let ns: Namespace;
  let dir: string;
  let pilha: PilhaProcess;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    ns = Namespace.create('dash');
    dir = mkdtempSync(join(tmpdir(), 'pilha-dash-'));
    pilha = await ns.startPilha(['http', '--dashboard', '127.0.0.1:8080', '--impair', 'loss=0.01,seed=5']);
    origin = new URL(pilha.stdout.match(/dashboard on (http:\/\/\S+)/)![1]!).origin;
    // The browser runs in the namespace, where the dashboard's loopback is: exec'd by `ip netns exec`.
    const wrapper = join(dir, 'chromium-in-namespace.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await puppeteer.launch({
      executablePath: wrapper,
      pipe: true, // the DevTools endpoint is on the namespace's loopback: talk over fds instead
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await ns?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the connection, its counters and chart, a fast retransmit, then lets it go', async () => {
    const { page, watch } = await watchedPage(browser, origin);
    await page.goto(origin, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as Dash).pilhaDashboard.frames > 2, {
      timeout: 10_000,
    });

    const wget = ns.runAsync(
      'wget',
      ['-q', '-O', '/dev/null', `http://10.77.0.2:7000/bytes/${SIZE}`],
      180_000,
    );
    const row = await page.waitForSelector('#connections tr[data-state="ESTABLISHED"]', { timeout: 20_000 });
    const id = (await row!.evaluate((r) => r.getAttribute('data-id')))!;
    expect(id).toMatch(/^10\.77\.0\.2:7000>10\.77\.0\.1:\d+$/);

    const sample = () =>
      page.evaluate((conn) => {
        const d = (globalThis as unknown as Dash).pilhaDashboard;
        return { sent: d.counter('tcp', 'segmentsSent') ?? 0, points: d.chartPoints(conn), frames: d.frames };
      }, id);
    const before = await sample();
    await page.waitForSelector('#events li[data-kind="fast-retransmit"]', { timeout: 60_000 });
    await page.waitForFunction(
      // About a second of the transfer (a point per 10 ms at most): enough to show in the screenshot.
      (conn, points) => (globalThis as unknown as Dash).pilhaDashboard.chartPoints(conn) > points + 80,
      { timeout: 30_000 },
      id,
      before.points,
    );
    const after = await sample();
    expect(after.sent).toBeGreaterThan(before.sent);
    expect(after.points).toBeGreaterThan(before.points);
    expect(after.frames).toBeGreaterThan(before.frames);
    expect(await page.$('#chart canvas')).not.toBeNull();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') as `${string}.png` });

    const done = await wget;
    expect(done.status, done.stderr).toBe(0);
    // Closed, it fades (state CLOSED) and then leaves the table.
    await page.waitForFunction(
      (conn) =>
        (globalThis as unknown as Dash).document.querySelector(`#connections tr[data-id="${conn}"]`) === null,
      { timeout: 30_000 },
      id,
    );
    expect(watch.errors).toEqual([]);
    expect(watch.foreign).toEqual([]);
    await page.close();
  }, 180_000);

  it('loads with the network cut off: every request goes to the dashboard, uPlot included', async () => {
    const { page, watch } = await watchedPage(browser, origin);
    await page.goto(origin, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as Dash).pilhaDashboard.frames > 0, {
      timeout: 10_000,
    });
    const paths = watch.requested.map((u) => (u.startsWith('data:') ? 'data:' : new URL(u).pathname));
    for (const path of ['/', '/uplot.js', '/uplot.css', '/dashboard.js', '/dashboard.css', '/events']) {
      expect(paths).toContain(path);
    }
    expect(await page.$('#chart canvas')).not.toBeNull();
    expect(watch.foreign).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('on an Ethernet link (pilha up --link tap): the ARP cache and the reassembled pings', async () => {
    // Beside the HTTP stack in the same namespace: another subnet, another dashboard port.
    const up = await ns.startPilha([
      'up',
      '--link',
      'tap',
      '--address',
      '10.78.0.2',
      '--host-address',
      '10.78.0.1/24',
      '--dashboard',
      '127.0.0.1:8081',
    ]);
    await up.waitFor(/^pilha up: 10\.78\.0\.2/m, 10_000);
    const upOrigin = new URL(up.stdout.match(/dashboard on (http:\/\/\S+)/)![1]!).origin;
    const { page, watch } = await watchedPage(browser, upOrigin);
    await page.goto(upOrigin, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as Dash).pilhaDashboard.frames > 0, {
      timeout: 10_000,
    });
    const ping = await ns.runAsync('ping', ['-c', '3', '-i', '0.2', '-s', '20000', '10.78.0.2'], 20_000);
    expect(ping.status, ping.stdout).toBe(0);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as Dash).document.querySelectorAll('#reassembly tbody tr').length >= 3 &&
        (globalThis as unknown as Dash).document.querySelectorAll('#arp tbody tr').length >= 1,
      { timeout: 10_000 },
    );
    const rows = await page.$$eval('#reassembly tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    // time, source, id, fragments (20,028 bytes in 1,480-byte pieces: 14), arrival order, bytes, span
    expect(rows[0]![1]).toBe('10.78.0.1');
    expect(rows[0]![3]).toBe('14');
    expect(rows[0]![4]).toMatch(/^\[0, 1, 2, .*13\]$/);
    expect(rows[0]![5]).toBe('20028');
    const arp = await page.$$eval('#arp tbody tr td', (tds) => tds.map((td) => td.textContent));
    expect(arp[0]).toBe('10.78.0.1');
    expect(arp[1]).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(await page.$eval('[data-layer="ethernet"] h3', (h) => h.textContent)).toContain('Ethernet / ARP');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-ethernet.png') as `${string}.png` });
    expect(watch.errors).toEqual([]);
    expect(watch.foreign).toEqual([]);
    await page.close();
    expect(await up.stop()).toBe(0);
  }, 60_000);

  it('warns when it listens on anything but loopback', async () => {
    // The kernel's TCP (no TUN device), and every address of the namespace for the dashboard.
    const other = await ns.startPilha([
      'http',
      '--transport',
      'kernel',
      '--port',
      '7100',
      '--dashboard',
      '0.0.0.0:8090',
    ]);
    expect(other.stdout).toMatch(/^pilha http: dashboard on http:\/\/0\.0\.0\.0:8090\//m);
    expect(other.stderr).toMatch(
      /^pilha: warning: the dashboard listens on 0\.0\.0\.0, not loopback: whoever reaches it sees every connection of this stack$/m,
    );
    expect(await other.stop()).toBe(0);
    expect(pilha.stderr).not.toMatch(/warning/);
  }, 30_000);

  it('answers 404 for an unknown path and 405 for anything but GET/HEAD', () => {
    const status = (args: string[]) =>
      ns.run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args]).stdout;
    expect(status([`${origin}/nothing-here`])).toBe('404');
    expect(status(['-X', 'POST', `${origin}/events`])).toBe('405');
    expect(status(['-X', 'DELETE', `${origin}/`])).toBe('405');
  });
});

/** What the page functions see of the browser's globals (the tests compile without the DOM's types). */
interface Dash {
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): { length: number };
  };
  pilhaDashboard: {
    frames: number;
    chartPoints(conn?: string): number;
    counter(layer: string, name: string): number | undefined;
  };
}

// Where curl is missing the 404/405 test would fail on an empty answer: say so rather than guess.
if (skip === undefined && spawnSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' }).status !== 0) {
  console.warn('dashboard browser test: curl is missing, the 404/405 test will fail');
}
