import { computeEngagement, type AnalyticsEvent } from '../../lib/analytics';
import { LinkError, signTrackedLink, trackedLinkTarget, verifyTrackedLink } from '../../lib/links';
import { DEFAULT_BRANDING, findTemplate, loadTemplates, toMetaTemplate, validateMetaTemplate, withTrackedLinks } from '../../lib/templates';
import { parseCliArgs } from '../../scripts/templates-push';

const SECRET = 'link-secret-for-tests-0123456789';
const claims = {
	path: 'resume/bk-123?utm_source=whatsapp&utm_campaign=abandoned',
	template: 'booking_reminder_1',
	language: 'es',
	bookingId: 'bk-123',
	guestKey: 'gk_abc',
	issuedAt: 1_790_000_000,
};

describe('tracked links', () => {
	it('round-trips every claim through a signed, URL-safe token', () => {
		const token = signTrackedLink(claims, SECRET);
		expect(token).toMatch(/^l1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
		expect(encodeURIComponent(token)).toBe(token);
		expect(verifyTrackedLink(token, SECRET)).toEqual({ ok: true, claims });
	});

	it('leaves out empty claims and keeps the token short', () => {
		const token = signTrackedLink({ path: 'stays', issuedAt: 5 }, SECRET);
		expect(token.length).toBeLessThan(60);
		expect(verifyTrackedLink(token, SECRET)).toEqual({
			ok: true,
			claims: { path: 'stays', issuedAt: 5, template: undefined, language: undefined, bookingId: undefined, guestKey: undefined },
		});
	});

	it('refuses a changed payload, a changed signature and another secret with 403', () => {
		const token = signTrackedLink(claims, SECRET);
		const [v, payload, sig] = token.split('.');
		const other = Buffer.from(JSON.stringify({ p: 'resume/bk-999', i: 1 })).toString('base64url');
		const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
		for (const forged of [`${v}.${other}.${sig}`, `${v}.${payload}.${flipped}`]) {
			expect(verifyTrackedLink(forged, SECRET)).toEqual({ ok: false, reason: 'bad_link_signature', status: 403 });
		}
		expect(verifyTrackedLink(token, `${SECRET}x`)).toEqual({ ok: false, reason: 'bad_link_signature', status: 403 });
		expect(verifyTrackedLink(token, '')).toEqual({ ok: false, reason: 'bad_link_signature', status: 403 });
	});

	it('refuses malformed tokens with 400', () => {
		const token = signTrackedLink(claims, SECRET);
		for (const bad of [undefined, '', 42, ['x'], token.slice(0, -30), `l2${token.slice(2)}`, `${token}.x`, 'l1..', 'l1.a b.c', 'x'.repeat(2000)]) {
			expect(verifyTrackedLink(bad, SECRET)).toEqual({ ok: false, reason: 'malformed_link', status: 400 });
		}
	});

	it('never carries a whole URL, so a link cannot lead off the booking site', () => {
		for (const path of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'a\nb']) {
			expect(() => signTrackedLink({ path, issuedAt: 1 }, SECRET)).toThrow(LinkError);
		}
		expect(() => signTrackedLink({ path: 'x', issuedAt: 1 }, '')).toThrow(/Link Signing Secret/);
	});

	it('joins the path to the booking site and keeps it inside it', () => {
		expect(trackedLinkTarget('https://book.example-resort.com/', 'resume/bk-1?utm_source=whatsapp')).toBe(
			'https://book.example-resort.com/resume/bk-1?utm_source=whatsapp',
		);
		expect(trackedLinkTarget('https://book.example-resort.com/es', '/stays')).toBe('https://book.example-resort.com/es/stays');
		expect(() => trackedLinkTarget('https://book.example-resort.com/es/', '../admin')).toThrow(/leaves the booking site/);
		expect(() => trackedLinkTarget('ftp://book.example-resort.com/', 'x')).toThrow(/http/);
	});
});

describe('templates with tracked links', () => {
	const base = 'https://n8n.example.com/webhook/0d9c/go?l=';

	it('points every booking-site URL button at the trigger, and nothing else', () => {
		for (const def of loadTemplates()) {
			const tracked = withTrackedLinks(def, base, DEFAULT_BRANDING.bookingBaseUrl);
			for (const language of Object.keys(def.languages)) {
				const before = toMetaTemplate(def, language);
				const after = toMetaTemplate(tracked, language);
				expect(validateMetaTemplate(after).errors ?? []).toEqual([]);
				before.components.forEach((component, c) => {
					(component.buttons ?? []).forEach((button, b) => {
						const changed = after.components[c].buttons![b];
						if (button.type === 'URL' && button.url?.startsWith(DEFAULT_BRANDING.bookingBaseUrl)) {
							expect(changed.url).toBe(`${base}{{1}}`);
							expect(changed.example![0].startsWith(base)).toBe(true);
						} else {
							expect(changed).toEqual(button);
						}
					});
					expect({ ...after.components[c], buttons: undefined }).toEqual({ ...component, buttons: undefined });
				});
			}
		}
		const reminder = withTrackedLinks(findTemplate(loadTemplates(), 'booking_reminder_1'), base, DEFAULT_BRANDING.bookingBaseUrl);
		expect(JSON.stringify(reminder)).toContain(`${base}{{1}}`);
		// The shipped definitions are untouched.
		expect(JSON.stringify(findTemplate(loadTemplates(), 'booking_reminder_1'))).not.toContain(base);
		expect(withTrackedLinks(findTemplate(loadTemplates(), 'booking_reminder_1'), '', DEFAULT_BRANDING.bookingBaseUrl)).toEqual(
			findTemplate(loadTemplates(), 'booking_reminder_1'),
		);
	});

	it('templates:push takes the tracked base from a flag or the environment, and checks it', () => {
		const args = ['--waba', '1', '--token', 't'];
		expect(parseCliArgs([...args, '--tracked-link-base', base], {}).options?.trackedLinkBaseUrl).toBe(base);
		expect(parseCliArgs(args, { RESORT_TRACKED_LINK_BASE: base }).options?.trackedLinkBaseUrl).toBe(base);
		expect(parseCliArgs([...args, '--tracked-link-base', 'n8n.example.com'], {}).error).toMatch(/tracked-link-base/);
	});
});

describe('link clicks in the engagement figures', () => {
	const period = { from: '2026-05-01T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' };
	const sent = (template: string, at: string, extra: Partial<AnalyticsEvent>): AnalyticsEvent =>
		({ type: 'message_sent', at, template, language: 'en', ...extra }) as AnalyticsEvent;
	const click = (template: string, at: string, extra: Partial<AnalyticsEvent>): AnalyticsEvent =>
		({ type: 'link_click', at, template, language: 'en', ...extra }) as AnalyticsEvent;

	it('matches a click to its journey by booking, or by guest before there is a booking', () => {
		const events = [
			sent('product_suggestions', '2026-05-01T10:00:00.000Z', { guestKey: 'g1', messageId: 'm1' }),
			sent('product_suggestions', '2026-05-01T10:00:00.000Z', { guestKey: 'g2', messageId: 'm2' }),
			sent('booking_reminder_1', '2026-05-01T11:00:00.000Z', { guestKey: 'g3', bookingId: 'b3', messageId: 'm3' }),
			sent('booking_reminder_1', '2026-05-01T11:00:00.000Z', { guestKey: 'g4', bookingId: 'b4', messageId: 'm4' }),
			// g1 clicked (twice: one message clicked), b3 clicked; g2 and b4 did not.
			click('product_suggestions', '2026-05-01T10:05:00.000Z', { guestKey: 'g1' }),
			click('product_suggestions', '2026-05-01T10:06:00.000Z', { guestKey: 'g1' }),
			click('booking_reminder_1', '2026-05-01T11:30:00.000Z', { guestKey: 'g3', bookingId: 'b3' }),
			// A click that names neither a booking nor a guest is not pinned on anybody.
			click('product_suggestions', '2026-05-01T10:07:00.000Z', {}),
			// A click before the message was sent is not a click on it.
			click('booking_reminder_1', '2026-05-01T10:59:00.000Z', { bookingId: 'b4' }),
		];
		const rows = computeEngagement(events, period);
		expect(rows.map(({ template, sent: n, clicked, clickRate }) => ({ template, n, clicked, clickRate }))).toEqual([
			{ template: 'booking_reminder_1', n: 2, clicked: 1, clickRate: 0.5 },
			{ template: 'product_suggestions', n: 2, clicked: 1, clickRate: 0.5 },
		]);
	});
});
