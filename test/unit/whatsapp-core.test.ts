import { createHmac } from 'crypto';
import { DateTime } from 'luxon';

import {
	buildCtaUrlMessage,
	buildListMessage,
	buildReplyButtonsMessage,
	buildTemplateMessage,
	buildTextMessage,
	deliverMessage,
	errorDisposition,
	maskPhone,
	parseRetryAfter,
	parseWhatsAppWebhook,
	PayloadValidationError,
	RateLimiter,
	retryDelayMs,
	SeenKeys,
	secretsEqual,
	signPayload,
	verifySignature,
	withRetry,
	type AttemptResult,
	type SentMessage,
} from '../../lib';

function validationField(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof PayloadValidationError) return error.field;
		throw error;
	}
	throw new Error('expected a PayloadValidationError');
}

describe('signatures', () => {
	const secret = 'app-secret';
	const body = Buffer.from('{"object":"whatsapp_business_account"}');

	it('signs like Meta: sha256=<hex hmac of the raw body>', () => {
		const hex = createHmac('sha256', secret).update(body).digest('hex');
		expect(signPayload(body, secret)).toBe(`sha256=${hex}`);
	});

	it('accepts only the exact signature over the exact bytes', () => {
		const header = signPayload(body, secret);
		expect(verifySignature(body, header, secret)).toBe(true);
		expect(verifySignature(Buffer.from(body.toString() + ' '), header, secret)).toBe(false);
		expect(verifySignature(body, header, 'other-secret')).toBe(false);
		expect(verifySignature(body, header.replace('sha256=', 'sha1='), secret)).toBe(false);
		expect(verifySignature(body, header.slice(0, -2), secret)).toBe(false);
		expect(verifySignature(body, undefined, secret)).toBe(false);
		expect(verifySignature(body, header, '')).toBe(false);
		expect(verifySignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), secret)).toBe(true);
	});

	it('compares verify tokens of any length', () => {
		expect(secretsEqual('token-1', 'token-1')).toBe(true);
		expect(secretsEqual('token-1', 'token-12')).toBe(false);
		expect(secretsEqual(undefined, 'x')).toBe(false);
		expect(secretsEqual('', '')).toBe(false);
	});
});

describe('payload builders enforce Meta limits before sending', () => {
	it('builds a text message with digits-only recipient', () => {
		expect(buildTextMessage({ to: '+34 600-111-222', body: 'Hola' })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '34600111222',
			type: 'text',
			text: { preview_url: false, body: 'Hola' },
		});
	});

	it('names the field that breaks a limit', () => {
		expect(validationField(() => buildTextMessage({ to: '34600111222', body: 'x'.repeat(4097) }))).toBe('text.body');
		expect(validationField(() => buildTextMessage({ to: '12', body: 'hi' }))).toBe('to');
		const buttons = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `B${n}` }));
		expect(validationField(() => buildReplyButtonsMessage({ to: '34600111222', body: 'Pick', buttons }))).toBe(
			'interactive.action.buttons',
		);
		expect(
			validationField(() =>
				buildReplyButtonsMessage({ to: '34600111222', body: 'Pick', buttons: [{ id: 'a', title: 'x'.repeat(21) }] }),
			),
		).toBe('interactive.action.buttons[0].reply.title');
		expect(
			validationField(() =>
				buildReplyButtonsMessage({ to: '34600111222', body: 'Pick', buttons: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] }),
			),
		).toBe('interactive.action.buttons[1].reply.id');
		const rows = Array.from({ length: 11 }, (_, n) => ({ id: `r${n}`, title: `Row ${n}` }));
		expect(
			validationField(() => buildListMessage({ to: '34600111222', body: 'Menu', buttonText: 'Open', sections: [{ rows }] })),
		).toBe('interactive.action.sections');
		expect(
			validationField(() =>
				buildListMessage({
					to: '34600111222',
					body: 'Menu',
					buttonText: 'Open',
					sections: [{ title: 'A', rows: [{ id: 'r', title: 'x'.repeat(25) }] }],
				}),
			),
		).toBe('interactive.action.sections[0].rows[0].title');
		expect(
			validationField(() => buildCtaUrlMessage({ to: '34600111222', body: 'Go', displayText: 'View', url: 'not a url' })),
		).toBe('interactive.action.parameters.url');
		expect(
			validationField(() => buildTemplateMessage({ to: '34600111222', name: 'Welcome Qualifier', language: 'en' })),
		).toBe('template.name');
	});

	it('counts an emoji as one character like Meta', () => {
		const title = '🌴'.repeat(20);
		const payload = buildReplyButtonsMessage({ to: '34600111222', body: 'Pick', buttons: [{ id: 'a', title }] });
		expect((payload.interactive as { action: { buttons: Array<{ reply: { title: string } }> } }).action.buttons[0].reply.title).toBe(title);
	});

	it('builds template components in Meta order', () => {
		const payload = buildTemplateMessage({
			to: '351912345678',
			name: 'product_suggestions',
			language: 'pt_BR',
			header: { type: 'image', link: 'https://example.com/villa.jpg' },
			bodyParameters: ['Ana', 'Villa Mar'],
			buttons: [{ index: 0, subType: 'url', value: '?utm_source=whatsapp&journey_id=j1' }],
		});
		expect(payload.template).toEqual({
			name: 'product_suggestions',
			language: { code: 'pt_BR' },
			components: [
				{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/villa.jpg' } }] },
				{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'Villa Mar' }] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '?utm_source=whatsapp&journey_id=j1' }] },
			],
		});
	});

	it('groups list rows into titled sections', () => {
		const payload = buildListMessage({
			to: '34600111222',
			body: 'Choose',
			buttonText: 'Rooms',
			sections: [
				{ title: 'Beach', rows: [{ id: 'v1', title: 'Villa', description: 'Sea view' }] },
				{ title: 'Mountain', rows: [{ id: 'c1', title: 'Cabin' }] },
			],
		});
		expect((payload.interactive as { action: unknown }).action).toEqual({
			button: 'Rooms',
			sections: [
				{ title: 'Beach', rows: [{ id: 'v1', title: 'Villa', description: 'Sea view' }] },
				{ title: 'Mountain', rows: [{ id: 'c1', title: 'Cabin' }] },
			],
		});
	});

	it('masks phone numbers', () => {
		expect(maskPhone('+34600111212')).toBe('+34•••••••12');
		expect(maskPhone('34600111212')).toBe('+34•••••••12');
	});
});

describe('error codes and retry policy', () => {
	it('classifies by Meta code, not by HTTP status', () => {
		for (const code of [1, 2, 4, 613, 80007, 130429, 131000, 131016, 131056, 133004]) {
			expect(errorDisposition(code, 400)).toBe('retryable');
		}
		for (const code of [132000, 132001, 132005, 132007, 132012, 132015, 132016]) {
			expect(errorDisposition(code, 400)).toBe('template');
		}
		for (const code of [131026, 131047, 131051, 368, 100, 190]) {
			expect(errorDisposition(code, 500)).toBe('fatal');
		}
		expect(errorDisposition(undefined, 502)).toBe('retryable');
		expect(errorDisposition(undefined, 400)).toBe('fatal');
	});

	it('backs off exponentially with equal jitter, capped, and honours Retry-After', () => {
		const policy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
		expect(retryDelayMs(policy, 1, undefined, () => 0)).toBe(500);
		expect(retryDelayMs(policy, 1, undefined, () => 1)).toBe(1000);
		expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(2000);
		expect(retryDelayMs(policy, 3, undefined, () => 1)).toBe(4000);
		expect(retryDelayMs(policy, 10, undefined, () => 1)).toBe(30_000);
		expect(retryDelayMs(policy, 1, 7, () => 0)).toBe(7000);
		expect(retryDelayMs(policy, 1, 120, () => 0)).toBe(30_000);
	});

	it('parses Retry-After seconds and dates', () => {
		const now = Date.parse('2026-11-25T10:00:00Z');
		expect(parseRetryAfter('3', now)).toBe(3);
		expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});

	const policy = { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 };
	const sleeps: number[] = [];
	const sleep = async (ms: number) => {
		sleeps.push(ms);
	};
	beforeEach(() => (sleeps.length = 0));

	it('retries retryable codes at most 3 times', async () => {
		const attempt = jest.fn(async (): Promise<AttemptResult<string>> => ({ ok: false, error: { code: 130429, message: 'Rate limit hit' } }));
		const outcome = await withRetry(attempt, { policy, sleep, random: () => 0 });
		expect(outcome).toMatchObject({ ok: false, attempts: 4, disposition: 'retryable', delays: [5, 10, 20] });
		expect(attempt).toHaveBeenCalledTimes(4);
		expect(sleeps).toEqual([5, 10, 20]);
	});

	it('fails at once on a non-retryable code', async () => {
		const attempt = jest.fn(async (): Promise<AttemptResult<string>> => ({ ok: false, error: { code: 131026, message: 'Undeliverable' } }));
		const outcome = await withRetry(attempt, { policy, sleep });
		expect(outcome).toMatchObject({ ok: false, attempts: 1, disposition: 'fatal' });
		expect(sleeps).toEqual([]);
	});

	it('retries dropped connections and succeeds', async () => {
		let calls = 0;
		const outcome = await withRetry(
			async (): Promise<AttemptResult<string>> =>
				++calls < 3 ? { ok: false, networkError: true, error: { message: 'socket hang up' } } : { ok: true, value: 'wamid.1' },
			{ policy, sleep, random: () => 0 },
		);
		expect(outcome).toEqual({ ok: true, value: 'wamid.1', attempts: 3, delays: [5, 10] });
	});
});

describe('delivery with template fallback', () => {
	const policy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 };
	const sleep = async () => undefined;
	const template = buildTemplateMessage({ to: '34600111222', name: 'booking_reminder_1', language: 'es' });
	const now = () => DateTime.fromISO('2026-11-25T12:00:00Z');

	function scripted(results: Array<AttemptResult<SentMessage>>) {
		const bodies: unknown[] = [];
		const post = async (body: unknown) => {
			bodies.push(body);
			return results.shift() ?? { ok: true as const, value: { messageId: 'wamid.extra' } };
		};
		return { post, bodies };
	}

	it('sends the fallback text when the template is rejected', async () => {
		const { post, bodies } = scripted([
			{ ok: false, error: { code: 132001, message: 'Template name does not exist in the translation' } },
			{ ok: true, value: { messageId: 'wamid.fallback' } },
		]);
		const result = await deliverMessage(template, post, {
			policy,
			sleep,
			now,
			fallback: { text: 'Hola', to: '34600111222', lastInboundAt: '2026-11-25T02:00:00Z' },
		});
		expect(result).toMatchObject({ ok: true, messageId: 'wamid.fallback', fallbackUsed: true, attempts: 2, templateError: { code: 132001 } });
		expect(bodies[1]).toEqual(buildTextMessage({ to: '34600111222', body: 'Hola' }));
	});

	it('does not try the fallback outside the 24-hour window', async () => {
		const { post, bodies } = scripted([{ ok: false, error: { code: 132001, message: 'no template' } }]);
		const result = await deliverMessage(template, post, {
			policy,
			sleep,
			now,
			fallback: { text: 'Hola', to: '34600111222', lastInboundAt: '2026-11-23T12:00:00Z' },
		});
		expect(result).toMatchObject({ ok: false, fallbackUsed: false, fallbackSkipped: 'outside_service_window', error: { code: 132001, disposition: 'template' } });
		expect(bodies).toHaveLength(1);
	});

	it('fails with the template error when Meta says the window is closed', async () => {
		const { post } = scripted([
			{ ok: false, error: { code: 132015, message: 'Template is paused' } },
			{ ok: false, error: { code: 131047, message: 'Re-engagement message' } },
		]);
		const result = await deliverMessage(template, post, { policy, sleep, now, fallback: { text: 'Hola', to: '34600111222' } });
		expect(result).toMatchObject({
			ok: false,
			attempts: 2,
			error: { code: 132015 },
			fallbackError: { code: 131047 },
			fallbackSkipped: 'outside_service_window',
		});
	});

	it('never falls back on non-template errors', async () => {
		const { post, bodies } = scripted([{ ok: false, error: { code: 131026, message: 'Message undeliverable' } }]);
		const result = await deliverMessage(template, post, { policy, sleep, now, fallback: { text: 'Hola', to: '34600111222' } });
		expect(result).toMatchObject({ ok: false, attempts: 1, error: { code: 131026, disposition: 'fatal' } });
		expect(bodies).toHaveLength(1);
	});
});

describe('inbound webhook parsing', () => {
	const envelope = (value: Record<string, unknown>) => ({
		object: 'whatsapp_business_account',
		entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: 'PN1' }, ...value } }] }],
	});

	it('normalizes a text message, a button reply and a status', () => {
		const parsed = parseWhatsAppWebhook(
			envelope({
				contacts: [{ profile: { name: 'Ana' }, wa_id: '34600111222' }],
				messages: [
					{ from: '34600111222', id: 'wamid.A', timestamp: '1764064800', type: 'text', text: { body: 'Hola' } },
					{ from: '34600111222', id: 'wamid.B', timestamp: '1764064801', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'romance', title: 'Romantic escape' } } },
				],
				statuses: [{ id: 'wamid.C', status: 'failed', timestamp: '1764064802', recipient_id: '34600111222', errors: [{ code: 131026, title: 'Message undeliverable' }] }],
			}),
		);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.events).toEqual([
			{ kind: 'message', eventKey: 'wamid.A', wamid: 'wamid.A', wabaId: 'WABA1', phoneNumberId: 'PN1', displayPhoneNumber: '15550001111', from: '34600111222', profileName: 'Ana', type: 'text', text: 'Hola', timestamp: '2025-11-25T10:00:00.000Z' },
			expect.objectContaining({ kind: 'message', wamid: 'wamid.B', replyId: 'romance', replyTitle: 'Romantic escape', text: 'Romantic escape' }),
			expect.objectContaining({ kind: 'status', eventKey: 'wamid.C:failed', status: 'failed', errorCode: 131026, errorTitle: 'Message undeliverable', recipientId: '34600111222' }),
		]);
	});

	it('rejects envelopes that are not WhatsApp webhooks', () => {
		expect(parseWhatsAppWebhook([])).toEqual({ ok: false, reason: 'The body is not a JSON object' });
		expect(parseWhatsAppWebhook({ object: 'page', entry: [] })).toMatchObject({ ok: false });
		expect(parseWhatsAppWebhook({ object: 'whatsapp_business_account' })).toEqual({ ok: false, reason: '"entry" must be an array' });
	});
});

describe('pacing and redelivery keys', () => {
	it('never lets more than the rate through in any rolling window (plus margin)', async () => {
		let now = 0;
		const times: number[] = [];
		const limiter = new RateLimiter(10, () => now, async (ms) => void (now += ms), 20);
		for (let i = 0; i < 35; i++) {
			const done = await limiter.acquire();
			times.push(now);
			done();
			now += i % 7 === 0 ? 3 : 0; // uneven callers
		}
		// The first 10 go at once, then each waits for the one 10 places back to be 1,020 ms old.
		expect(times.slice(0, 10)).toEqual([0, 3, 3, 3, 3, 3, 3, 3, 6, 6]);
		expect(times[10]).toBe(1020);
		for (let i = 10; i < times.length; i++) expect(times[i] - times[i - 10]).toBeGreaterThanOrEqual(1020);
		// Sustained: 35 sends need three full windows after the first burst, not more.
		expect(times[34]).toBeLessThanOrEqual(3 * 1020 + 6 + 3);
	});

	it('counts the first burst from when its requests finished, later sends from their go-ahead', async () => {
		let now = 0;
		const limiter = new RateLimiter(2, () => now, async (ms) => void (now += ms), 0);
		const first = await limiter.acquire();
		const second = await limiter.acquire();
		// Cold connections: both answered 300 ms later. The third may go only 1 s after that, not
		// 1 s after they were allowed (the server saw them arrive late).
		now = 300;
		first();
		second();
		first(); // a second call changes nothing
		const third = await limiter.acquire();
		expect(now).toBe(1300);
		// From the second round on, a send answered in the fastest round trip seen (200 ms here)
		// counts from its go-ahead: answered at 1500, the third does not hold the fifth back.
		const fourth = await limiter.acquire();
		expect(now).toBe(1300);
		now = 1500;
		third();
		fourth();
		await limiter.acquire();
		expect(now).toBe(2300);
	});

	it('counts a later send that was held up on this side from when it most likely left', async () => {
		let now = 0;
		const limiter = new RateLimiter(2, () => now, async (ms) => void (now += ms), 0);
		const first = await limiter.acquire();
		const second = await limiter.acquire();
		now = 100; // round trip 100 ms
		first();
		second();
		const third = await limiter.acquire();
		const fourth = await limiter.acquire();
		expect(now).toBe(1100);
		now = 1200;
		third(); // 100 ms, as fast as ever: counts from its go-ahead (1100)
		now = 2000;
		fourth(); // 900 ms: 800 ms more than the fastest round trip, so it left at about 1900
		await limiter.acquire();
		expect(now).toBe(2100); // a second after the third
		(await limiter.acquire())();
		expect(now).toBe(2900); // a second after the fourth left, not after its go-ahead
	});

	it('waits for a first-round send still in flight', async () => {
		let now = 0;
		const limiter = new RateLimiter(2, () => now, async (ms) => void (now += ms), 0);
		const first = await limiter.acquire();
		(await limiter.acquire())();
		let thirdAt: number | undefined;
		const third = limiter.acquire().then(() => (thirdAt = now));
		await new Promise((r) => setImmediate(r));
		expect(thirdAt).toBeUndefined(); // its slot is the first's, still in flight
		now = 400;
		first();
		await third;
		expect(thirdAt).toBe(1400);
	});

	it('handles rates below one per second and zero (unlimited)', async () => {
		let now = 0;
		const slow = new RateLimiter(0.5, () => now, async (ms) => void (now += ms), 0);
		(await slow.acquire())();
		(await slow.acquire())();
		expect(now).toBe(2000);
		const off = new RateLimiter(0, () => now, async () => {
			throw new Error('must not wait');
		});
		for (let i = 0; i < 100; i++) (await off.acquire())();
	});

	it('remembers keys until they expire or are evicted', () => {
		const keys = new SeenKeys(2, 1000);
		expect(keys.add('a', 0)).toBe(true);
		expect(keys.add('a', 500)).toBe(false);
		expect(keys.add('a', 1500)).toBe(true);
		keys.add('b', 1600);
		keys.add('c', 1700);
		expect(keys.has('a', 1800)).toBe(false);
		expect(SeenKeys.from(keys.toJSON()).has('c', 1800)).toBe(true);
	});

	it('forgets a key whose webhook was not acknowledged, so the redelivery counts as new (also after saving)', () => {
		const keys = new SeenKeys(10, 60_000);
		keys.add('evt-1', 0);
		keys.add('evt-2', 0);
		keys.forget('evt-1');
		expect(keys.has('evt-1', 10)).toBe(false);
		expect(keys.has('evt-2', 10)).toBe(true);
		expect(SeenKeys.from(keys.toJSON(), 10, 60_000).has('evt-1', 10)).toBe(false);
		expect(keys.add('evt-1', 20)).toBe(true);
		expect(keys.add('evt-1', 30)).toBe(false);
		keys.forget('never-seen');
		expect(keys.size).toBe(2);
	});

	it('tells a key whose request is still unanswered from one acknowledged, and never saves that state', () => {
		const keys = new SeenKeys(10, 60_000);
		keys.add('evt-1', 0);
		keys.add('evt-2', 0);
		keys.awaitAnswer(['evt-1', 'evt-2']);
		expect([keys.isAwaitingAnswer('evt-1'), keys.isAwaitingAnswer('evt-2')]).toEqual([true, true]);
		expect(SeenKeys.from(keys.toJSON(), 10, 60_000).isAwaitingAnswer('evt-1')).toBe(false);
		// A 2xx: still seen, no longer awaiting. Anything else: forgotten, so the redelivery is new.
		keys.answered(['evt-1'], true);
		keys.answered(['evt-2'], false);
		expect([keys.has('evt-1', 10), keys.isAwaitingAnswer('evt-1')]).toEqual([true, false]);
		expect([keys.has('evt-2', 10), keys.isAwaitingAnswer('evt-2')]).toEqual([false, false]);
		expect(keys.add('evt-2', 20)).toBe(true);
		// forget() clears the awaiting state as well.
		keys.awaitAnswer(['evt-2']);
		keys.forget('evt-2');
		expect(keys.isAwaitingAnswer('evt-2')).toBe(false);
	});

	it('saves the set as one compact string and reads it back (and the earlier [key, ms] pairs)', () => {
		const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
		const keys = new SeenKeys(5000, 30 * 24 * 3600 * 1000);
		for (let i = 0; i < 6000; i++) keys.add(`evt-${i}-${'x'.repeat(30)}`, t0 + i * 1500);
		const saved = keys.toJSON();
		expect(typeof saved).toBe('string');
		expect(saved.length).toBe(3 + 5000 * 23);
		expect(saved).not.toContain('evt-'); // digests, not the ids
		const back = SeenKeys.from(saved, 5000, 30 * 24 * 3600 * 1000);
		expect(back.size).toBe(5000);
		const now = t0 + 6000 * 1500;
		expect(back.has(`evt-999-${'x'.repeat(30)}`, now)).toBe(false); // evicted before saving
		expect(back.has(`evt-1000-${'x'.repeat(30)}`, now)).toBe(true);
		expect(back.has(`evt-5999-${'x'.repeat(30)}`, now)).toBe(true);
		expect(back.add(`evt-5999-${'x'.repeat(30)}`, now)).toBe(false);
		// Times survive to the second: the oldest kept key expires when it should.
		const ttl = 30 * 24 * 3600 * 1000;
		expect(back.has(`evt-1000-${'x'.repeat(30)}`, t0 + 1000 * 1500 + ttl - 1000)).toBe(true);
		expect(back.has(`evt-1000-${'x'.repeat(30)}`, t0 + 1000 * 1500 + ttl)).toBe(false);
		// Eviction order survives too: one more key pushes out the oldest.
		back.add('new', now);
		expect(back.has(`evt-1000-${'x'.repeat(30)}`, now)).toBe(false);
		expect(back.has(`evt-1001-${'x'.repeat(30)}`, now)).toBe(true);
		// The string kept up to date by add/evict equals one encoded from scratch.
		expect(back.toJSON()).toBe(SeenKeys.from(back.toJSON(), 5000).toJSON());
		const fresh = new SeenKeys(3, 1000);
		for (const [key, at] of [['a', 0], ['b', 100], ['a', 1200], ['c', 1300], ['d', 1400], ['e', 1500]] as const) fresh.add(key, at);
		expect(fresh.toJSON()).toBe(SeenKeys.from(fresh.toJSON(), 3, 1000).toJSON());
		expect(fresh.size).toBe(3);
		// Static data saved by the earlier format still counts.
		const old = SeenKeys.from([['wamid.A', t0], ['wamid.B', t0 + 1]], 10, 1000);
		expect(old.has('wamid.B', t0 + 500)).toBe(true);
		expect(old.add('wamid.A', t0 + 500)).toBe(false);
		// Garbage is ignored, not thrown on.
		expect(SeenKeys.from('v2:short').size).toBe(0);
		expect(SeenKeys.from({ nope: 1 }).size).toBe(0);
	});
});
