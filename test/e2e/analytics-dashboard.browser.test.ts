/**
 * The analytics dashboard (workflows/analytics-dashboard.json) in headless Chromium, after the
 * scripted journeys of test/support/analyticsJourneys.ts ran through the real shipped workflows
 * in the shared e2e n8n against the fake Cloud API (status webhooks delivered / read / failed
 * from the fake, refused webhooks, confirmations with amounts).
 *
 * Every figure the page shows (its `data-figure` elements, read in the browser) must equal what
 * computeAnalytics computes from the `resort_events` rows read through n8n's Data table REST API;
 * a few are also restated from the script by hand. Without the Basic Auth login: 401/403.
 *
 * Screenshot at phone width: test-results/analytics/dashboard.png; UPDATE_SCREENSHOTS=1 also
 * writes docs/screenshots/dashboard.png (README.md, docs/analytics.md).
 */
import axios from 'axios';
import { existsSync, mkdirSync } from 'fs';
import path from 'path';
import { randomBytes } from 'crypto';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { computeAnalytics, parseAnalyticsEvents } from '../../lib';
import { REPO_ROOT } from '../../scripts/n8n-runtime';
import { rows } from '../../scripts/n8n-runtime/dataTables';
import { deployAnalyticsResort, phoneForms, runScriptedJourneys, stopAnalyticsResort, type AnalyticsResort, type ScriptedRun } from '../support/analyticsJourneys';
import { expectedDashboardFigures } from '../support/dashboardFigures';
import { connect, deployWorkflow, loadWorkflow, withCredentials } from '../support/e2e';

jest.setTimeout(600_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-results', 'analytics');
const DOCS_SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const PHONE = { width: 390, height: 844 };

const { env, n8n, fake } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 60_000 });
const login = { username: 'owner', password: randomBytes(16).toString('hex') };
let resort: AnalyticsResort;
let run: ScriptedRun;
let dashboardId: string;
let dashboardUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
	resort = await deployAnalyticsResort(n8n, fake, env.n8nUrl, 'analytics-dashboard');
	const credentialName = `Resort Dashboard Login (${randomBytes(3).toString('hex')})`;
	const credentialId = await n8n.createCredential('httpBasicAuth', credentialName, { user: login.username, password: login.password });
	const pathSegment = `resort-analytics-${randomBytes(4).toString('hex')}`;
	const workflow = withCredentials(loadWorkflow('analytics-dashboard.json'), { httpBasicAuth: { id: credentialId, name: credentialName } });
	dashboardId = (await deployWorkflow(n8n, resort.tenant, workflow, { 'Dashboard Request': { path: pathSegment } })).id;
	dashboardUrl = `${env.n8nUrl}/webhook/${pathSegment}`;

	run = await runScriptedJourneys(n8n, fake, resort);

	browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
	context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, httpCredentials: login });
	page = await context.newPage();
	page.on('request', (request) => requested.push(request.url()));
});

afterAll(async () => {
	await context?.close().catch(() => undefined);
	await browser?.close().catch(() => undefined);
	await n8n.deactivateWorkflow(dashboardId).catch(() => undefined);
	await stopAnalyticsResort(n8n, resort);
	await fake.clearFaults().catch(() => undefined);
});

/** The figures the open page shows, read from the DOM: data-figure → data-value. */
async function shownFigures(): Promise<Record<string, unknown>> {
	const pairs = await page.$$eval('[data-figure]', (elements) => elements.map((e) => [e.getAttribute('data-figure') ?? '', e.getAttribute('data-value') ?? 'null']));
	const out: Record<string, unknown> = {};
	for (const [name, value] of pairs) {
		expect(out).not.toHaveProperty([name]);
		out[name] = JSON.parse(value);
	}
	return out;
}

/** Every resort_events row, read through n8n's Data table REST API (not through the workflow). */
async function recordedEvents() {
	const all = await rows(n8n, resort.eventsTable);
	const { events, invalid } = parseAnalyticsEvents(all);
	expect(invalid).toEqual([]);
	return { all, events };
}

/**
 * Opens the page and returns the figures shown (without the row counts) and the expected ones;
 * the rows are read before and after, and must not have changed in between.
 */
async function openDashboard(query = ''): Promise<{ shown: Record<string, unknown>; expected: Record<string, unknown>; events: number }> {
	for (let attempt = 0; ; attempt += 1) {
		const before = await recordedEvents();
		const response = await page.goto(`${dashboardUrl}${query}`);
		expect(response?.status()).toBe(200);
		expect(response?.headers()['content-type']).toMatch(/^text\/html/);
		const { events, skippedRows, ...shown } = await shownFigures();
		expect(skippedRows).toBeUndefined();
		const after = await recordedEvents();
		if (after.all.length !== before.all.length && attempt < 3) continue;
		const expected = expectedDashboardFigures(computeAnalytics(after.events, shown.period as { from: string; to: string }));
		return { shown, expected, events: events as number };
	}
}

test('without the login the dashboard is refused; a wrong password too', async () => {
	const anonymous = await http.get(dashboardUrl);
	expect([401, 403]).toContain(anonymous.status);
	expect(String(anonymous.data)).not.toContain('data-figure');
	const wrong = await http.get(dashboardUrl, { auth: { username: login.username, password: 'not-the-password' } });
	expect([401, 403]).toContain(wrong.status);
	expect(String(wrong.data)).not.toContain('data-figure');
});

test('the period of the run: every figure shown equals computeAnalytics on the recorded rows', async () => {
	const from = new Date(Date.parse(run.startedAt) - 1000).toISOString();
	const to = new Date(Date.parse(run.finishedAt) + 1000).toISOString();
	const { shown, expected, events } = await openDashboard(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
	expect(shown).toEqual(expected);
	// The node counts the rows it was given: the period plus the attribution look-back.
	expect(events).toBeGreaterThanOrEqual(35);
	// And by hand, from the script (test/support/analyticsJourneys.ts).
	expect(shown).toMatchObject({
		'webhooks.received': 11,
		'webhooks.rejected': 3,
		'messages.attempted': 6,
		'messages.delivered': 5,
		'messages.failed': 1,
		'failures.131049': 1,
		'funnel.first_contact': 1,
		'funnel.abandoned': 2,
		'funnel.recovered': 1,
		'funnel.confirmed': 2,
		// Ben's extra (extra_purchased, 120 EUR).
		'funnel.upsold': 1,
		'recovery.rate': 0.5,
		'revenue.total.EUR': 2260,
		'rejections.bad_signature_401_': 2,
		'rejections.invalid_event_422_': 1,
		'latency.webhookToWhatsApp.count': 2,
	});
	const text = await page.innerText('body');
	expect(text).toContain('83.3%');
	for (const guest of Object.values(run.guests)) for (const form of phoneForms(guest.phone)) expect(await page.content()).not.toContain(form);
});

test('the default period (last 30 days) matches the rows too; readable at phone width, nothing fetched', async () => {
	requested.length = 0;
	const { shown, expected } = await openDashboard();
	expect(shown).toEqual(expected);
	const period = shown.period as { from: string; to: string };
	expect(Date.parse(period.to) - Date.parse(period.from)).toBe(30 * 24 * 3600 * 1000);
	// One request: the page itself (no script, font, image or stylesheet from anywhere).
	expect(requested).toEqual([expect.stringContaining(dashboardUrl)]);
	const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
	expect(overflow).toBeLessThanOrEqual(0);
	expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(5);

	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
	if (process.env.UPDATE_SCREENSHOTS === '1') {
		mkdirSync(DOCS_SHOTS, { recursive: true });
		const from = new Date(Date.parse(run.startedAt) - 1000).toISOString();
		const to = new Date(Date.parse(run.finishedAt) + 1000).toISOString();
		await page.goto(`${dashboardUrl}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
		await page.screenshot({ path: path.join(DOCS_SHOTS, 'dashboard.png'), fullPage: true });
	}
});
