/**
 * The sandbox (`npm start`) in a real browser, walked as a person would: Debian's headless
 * Chromium driven by playwright-core, against `startSandbox()` — its own n8n, fake Cloud API and
 * page server on free ports (not the shared e2e n8n), with the fast clock.
 *
 *   greet → pick an interest → suggestions → start a booking → abandon → Reminder 1 → confirm →
 *   no Reminder 2 → check in → review → reply → upsell
 *
 * Screenshots: test-results/sandbox/*.png; SANDBOX_SCREENSHOTS=docs also writes the README's
 * docs/screenshots/sandbox.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { REPO_ROOT } from '../../scripts/n8n-runtime';
import { GUEST, INACTIVE_WORKFLOWS, startSandbox, type Sandbox } from '../../scripts/demo/sandbox';

jest.setTimeout(20 * 60_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-results', 'sandbox');
const DOCS_SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
/** n8n on a 2-core machine shared with other work: generous waits for each reply. */
const REPLY_MS = 60_000;

let sandbox: Sandbox;
let context: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

async function shot(name: string, forDocs = false): Promise<void> {
	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
	if (forDocs && process.env.SANDBOX_SCREENSHOTS === 'docs') {
		mkdirSync(DOCS_SHOTS, { recursive: true });
		await page.screenshot({ path: path.join(DOCS_SHOTS, 'sandbox.png') });
	}
}

const resortMessages = (template: string): Locator =>
	page.locator(`[data-testid=resort-message][data-template=${template}]`);
const templatesSent = () =>
	sandbox.fake
		.messages({ to: GUEST.phone })
		.map((m) => (m.payload as { template?: { name: string } }).template?.name ?? m.type);

async function bookingEvent(type: string): Promise<void> {
	const before = await page.locator(`[data-testid=event-note][data-event=${type}]`).count();
	await page.getByTestId(`event-${type}`).click();
	const note = page.locator(`[data-testid=event-note][data-event=${type}]`).nth(before);
	await note.waitFor({ timeout: 30_000 });
	await expectText(note, /HTTP 202/);
}

async function expectText(locator: Locator, pattern: RegExp, timeout = 30_000): Promise<void> {
	const deadline = Date.now() + timeout;
	for (;;) {
		const text = await locator.innerText().catch(() => '');
		if (pattern.test(text)) return;
		if (Date.now() > deadline) throw new Error(`expected ${pattern} in: ${text}`);
		await page.waitForTimeout(200);
	}
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM))
		throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
	sandbox = await startSandbox({
		clock: 'fast',
		log: (line) => process.stdout.write(`[sandbox] ${line}\n`),
	});
	profile = mkdtempSync(path.join(os.tmpdir(), 'sandbox-chromium-'));
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: 1100, height: 960 },
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(REPLY_MS);
	page.on('pageerror', (error) => pageErrors.push(error.message));
	await page.goto(sandbox.pageUrl);
});

afterAll(async () => {
	await context?.close().catch(() => undefined);
	if (profile) rmSync(profile, { recursive: true, force: true });
	await sandbox?.stop();
});

describe('the sandbox page, walked in Chromium', () => {
	test('shows the guest, the fast clock and every shipped workflow active (hello-guest and journey-recovery off)', async () => {
		await expectText(page.locator('#guest-info'), new RegExp(GUEST.phone.replace('+', '\\+')));
		await expectText(page.getByTestId('clock-mode'), /fast/);
		await expectText(
			page.locator('#clock-changes'),
			/Wait Before Reminder 1.*45 minutes → 45 seconds/s,
		);
		const files = sandbox.workflows.map((w) => w.file).sort();
		expect(files).toContain('first-contact.json');
		expect(files).toContain('booking-abandonment.json');
		for (const w of sandbox.workflows) {
			const row = page.locator(`[data-testid=workflows] li[data-file="${w.file}"]`);
			await expect(row.getAttribute('data-state')).resolves.toBe(
				INACTIVE_WORKFLOWS.has(w.file) ? 'inactive' : 'active',
			);
		}
		expect(await page.locator('#n8n-password').innerText()).toBe(sandbox.login.password);
	});

	test('greet → pick an interest → suggestions with the tracked booking link; each links to its n8n execution', async () => {
		await page.getByTestId('composer-input').fill('Hi! We are planning a holiday');
		await page.getByTestId('send').click();
		const welcome = resortMessages('welcome_qualifier');
		await welcome.waitFor();
		await expectText(welcome, /Welcome to Playa Serena/);
		await expectText(welcome, /Reply STOP to opt out/);
		expect(await welcome.locator('button.reply').allInnerTexts()).toEqual([
			'↩ Romance',
			'↩ Family',
			'↩ Adventure',
		]);

		await welcome.locator('button.reply', { hasText: 'Family' }).click();
		await page.locator('[data-testid=guest-message]', { hasText: 'Family' }).waitFor();
		const suggestions = resortMessages('product_suggestions');
		await suggestions.waitFor();
		await expectText(suggestions, /Family Suite/);
		const link = await suggestions.locator('a.url-button').getAttribute('href');
		expect(link).toMatch(/^https:\/\/book\.example-resort\.com\/.+utm_campaign=family/);
		// What the page shows is what the fake Cloud API received.
		expect(templatesSent()).toEqual(['welcome_qualifier', 'product_suggestions']);

		// The execution link becomes exact once the execution is saved: it is first-contact's.
		const exec = welcome.getByTestId('execution-link');
		await expectText(exec, /first contact #\d+/);
		await page.locator('[data-template=welcome_qualifier] a.exec:not(.guess)').waitFor();
		const href = String(await exec.getAttribute('href'));
		const [, workflowId, executionId] = /\/workflow\/([^/]+)\/executions\/(\d+)$/.exec(href) ?? [];
		expect(workflowId).toBe(sandbox.workflows.find((w) => w.file === 'first-contact.json')?.id);
		const execution = await sandbox.n8n.api.getExecution(executionId);
		expect(execution.workflowId).toBe(workflowId);
		expect(JSON.stringify(execution.data)).toContain(
			String(await welcome.locator('..').getAttribute('data-id')),
		);
		await shot('1-greet-interest-suggestions');
	});

	test('start a booking → abandon → Reminder 1 → confirm → no Reminder 2', async () => {
		const bookingId = await page.getByTestId('booking-id').innerText();
		expect(bookingId).toMatch(/^PS-\d{5}$/);
		await bookingEvent('booking_started');
		await bookingEvent('booking_abandoned');
		const reminder = resortMessages('booking_reminder_1');
		await reminder.waitFor();
		await expectText(reminder, /Family Suite .* is still waiting for you/);
		expect(await reminder.locator('a.url-button').getAttribute('href')).toBe(
			`https://book.example-resort.com/resume/${bookingId}`,
		);
		const reminderAt = Date.now();

		await bookingEvent('reservation_confirmed');
		const confirmation = resortMessages('reservation_confirmation');
		await confirmation.waitFor();
		await expectText(confirmation, new RegExp(`Confirmation code: ${bookingId}`));
		await expectText(confirmation, /Total: €1,240\.00/);
		// Sent by the sub-workflow that booking-abandonment calls: the link says which execution.
		await page.locator('[data-template=reservation_confirmation] a.exec:not(.guess)').waitFor();
		await expectText(confirmation.getByTestId('execution-link'), /Reservation Confirmation #\d+/);

		// Reminder 2 would come 20–24 "hours" (seconds here) after the abandonment: wait past it.
		const max = sandbox.timings.find((t) => t.setting === 'reminder2MaxHours');
		const maxSeconds = Number(/= (\d+(?:\.\d+)?) s/.exec(max?.to ?? '')?.[1]);
		expect(maxSeconds).toBe(24);
		await page.waitForTimeout(Math.max(0, reminderAt + (maxSeconds + 10) * 1000 - Date.now()));
		expect(await resortMessages('booking_reminder_2').count()).toBe(0);
		expect(templatesSent()).toEqual([
			'welcome_qualifier',
			'product_suggestions',
			'booking_reminder_1',
			'reservation_confirmation',
		]);
		await shot('2-booking-reminder-confirmation', true);
	});

	test('check in → review → reply → upsell (sent because of the reply, before the reply limit)', async () => {
		const bookingId = await page.getByTestId('booking-id').innerText();
		// The shipped post-stay workflow starts on checked_in (Post-Stay Settings → startOn): the review
		// comes 2 "days" (seconds on the fast clock) later.
		await bookingEvent('checked_in');
		const review = resortMessages('post_purchase_review');
		await review.waitFor({ timeout: 120_000 });
		await expectText(review, /How was your stay\?/);
		expect(await review.locator('button.reply').allInnerTexts()).toEqual([
			'↩ Excellent',
			'↩ Good',
			'↩ Could be better',
		]);
		await review.locator('button.reply', { hasText: 'Excellent' }).click();
		await page.locator('[data-testid=guest-message]', { hasText: 'Excellent' }).waitFor();
		const upsell = resortMessages('upsell_offer');
		await upsell.waitFor({ timeout: 120_000 });
		await expectText(upsell, /A little extra for your stay/);
		await expectText(upsell, /Sunset spa ritual for two/);
		expect(await upsell.locator('a.url-button').getAttribute('href')).toBe(
			`https://book.example-resort.com/reservations/${bookingId}/extras/spa-for-two`,
		);
		// Without a reply the upsell waits for the limit (at least 60 s in the sandbox): sooner means the tap resumed it.
		const sent = sandbox.fake.messages({ to: GUEST.phone });
		const at = (name: string) =>
			Date.parse(
				sent.find((m) => (m.payload as { template?: { name: string } }).template?.name === name)!
					.at,
			);
		expect(at('upsell_offer') - at('post_purchase_review')).toBeLessThan(60_000);
		expect(templatesSent().slice(4)).toEqual(['post_purchase_review', 'upsell_offer']);
		await shot('3-checkin-review-upsell');
	});

	test('no JavaScript error on the page; stop() leaves n8n, the fake API and the page server down', async () => {
		expect(pageErrors).toEqual([]);
		const pid = sandbox.n8nPid;
		await context.close();
		await sandbox.stop();
		expect(() => process.kill(pid, 0)).toThrow();
		for (const url of [
			sandbox.pageUrl,
			`${sandbox.fakeUrl}/_fake/health`,
			`${sandbox.n8nUrl}/healthz`,
		]) {
			await expect(fetch(url, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
		}
	});
});
