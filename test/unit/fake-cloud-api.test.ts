import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import axios, { type AxiosInstance } from 'axios';

import { startFakeCloudApi, type FakeCloudApi } from '../../scripts/fake-cloud-api/server';

const PN = '109876543210001';
const WABA = '209876543210001';
const TOKEN = 'EAAG-test-token';
const SECRET = 'app-secret-123';
const GUEST = '34600111222';

interface Received {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	raw: string;
}

/** Tiny receiver that verifies X-Hub-Signature-256 like a real webhook endpoint would. */
async function startReceiver(opts: { verifyToken?: string; echoWrong?: boolean } = {}) {
	const received: Received[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw });
			const u = new URL(req.url ?? '/', 'http://x');
			if (req.method === 'GET') {
				if (u.searchParams.get('hub.mode') === 'subscribe' && u.searchParams.get('hub.verify_token') === opts.verifyToken) {
					res.writeHead(200, { 'content-type': 'text/plain' });
					res.end(opts.echoWrong ? 'not-the-challenge' : (u.searchParams.get('hub.challenge') ?? ''));
				} else {
					res.writeHead(403);
					res.end('forbidden');
				}
				return;
			}
			const expected = `sha256=${crypto.createHmac('sha256', SECRET).update(Buffer.concat(chunks)).digest('hex')}`;
			const sig = req.headers['x-hub-signature-256'];
			const valid =
				typeof sig === 'string' && sig.length === expected.length && crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
			res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ ok: valid }));
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
	return {
		url,
		received,
		/** Non-status deliveries (a status webhook of a previous test may still be in flight). */
		posts: () => received.filter((x) => x.method === 'POST' && !x.raw.includes('"statuses"')),
		close: () =>
			new Promise<void>((r) => {
				server.close(() => r());
				server.closeAllConnections();
			}),
	};
}

describe('fake WhatsApp Cloud API', () => {
	let fake: FakeCloudApi;
	let api: AxiosInstance;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;

	const text = (to = GUEST, body = 'Hola') => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body } });
	const send = (payload: unknown, token = TOKEN) =>
		api.post(`/v21.0/${PN}/messages`, payload, { headers: { Authorization: `Bearer ${token}` } });
	const interactive = (i: unknown) => ({ messaging_product: 'whatsapp', to: GUEST, type: 'interactive', interactive: i });

	beforeAll(async () => {
		fake = await startFakeCloudApi({ port: 0, statusDelayMs: 10 });
		receiver = await startReceiver({ verifyToken: 'vt-1' });
		api = axios.create({ baseURL: fake.url, validateStatus: () => true });
	});
	afterAll(async () => {
		await fake.close();
		await receiver.close();
	});
	beforeEach(() => {
		fake.reset();
		receiver.received.length = 0;
		fake.registerPhoneNumber({
			phoneNumberId: PN,
			wabaId: WABA,
			accessToken: TOKEN,
			appSecret: SECRET,
			webhookUrl: receiver.url,
			displayPhoneNumber: '+1 555-010-0001',
			verifiedName: 'Playa Resort',
		});
		fake.seedTemplates(WABA, [
			{
				name: 'booking_confirmation',
				language: 'en_US',
				category: 'UTILITY',
				components: [{ type: 'BODY', text: 'Hi {{1}}, your stay on {{2}} is confirmed.' }],
			},
			{ name: 'paused_one', language: 'en_US', status: 'PAUSED', components: [{ type: 'BODY', text: 'x' }] },
			{ name: 'pending_one', language: 'en_US', status: 'PENDING', components: [{ type: 'BODY', text: 'x' }] },
		]);
	});

	test('auth: missing and invalid tokens give 401 / code 190', async () => {
		const none = await api.post(`/v21.0/${PN}/messages`, text());
		expect(none.status).toBe(401);
		expect(none.data).toEqual({
			error: {
				message: 'Invalid OAuth access token - Cannot parse access token',
				type: 'OAuthException',
				code: 190,
				fbtrace_id: none.headers['x-fb-trace-id'],
			},
		});
		const bad = await send(text(), 'nope');
		expect(bad.status).toBe(401);
		expect(bad.data.error.code).toBe(190);
	});

	test('unknown object id -> 400 code 100 subcode 33', async () => {
		const r = await api.post('/v23.0/999/messages', text(), { headers: { Authorization: `Bearer ${TOKEN}` } });
		expect(r.status).toBe(400);
		expect(r.data.error.code).toBe(100);
		expect(r.data.error.error_subcode).toBe(33);
		expect(r.data.error.message).toMatch(/^Unsupported post request\. Object with ID '999' does not exist/);
	});

	test('phone number info for the credential test', async () => {
		const r = await api.get(`/v21.0/${PN}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
		expect(r.status).toBe(200);
		expect(r.data).toMatchObject({ id: PN, display_phone_number: '+1 555-010-0001', verified_name: 'Playa Resort', quality_rating: 'GREEN' });
		const f = await api.get(`/v21.0/${PN}?fields=verified_name`, { headers: { Authorization: `Bearer ${TOKEN}` } });
		expect(f.data).toEqual({ verified_name: 'Playa Resort', id: PN });
	});

	test('24-h window: 131047 before an inbound message, success after, 131047 again after 24 h', async () => {
		const before = await send(text('+' + GUEST));
		expect(before.status).toBe(400);
		expect(before.data.error.code).toBe(131047);
		expect(before.data.error.message).toBe('(#131047) Re-engagement message');
		expect(before.data.error.error_data.messaging_product).toBe('whatsapp');

		await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'Hi!' });
		const ok = await send(text('+' + GUEST));
		expect(ok.status).toBe(200);
		expect(Object.keys(ok.data)).toEqual(['messaging_product', 'contacts', 'messages']);
		expect(ok.data.messaging_product).toBe('whatsapp');
		expect(ok.data.contacts).toEqual([{ input: '+' + GUEST, wa_id: GUEST }]);
		expect(ok.data.messages).toHaveLength(1);
		expect(ok.data.messages[0].id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
		expect(ok.data.messages[0].message_status).toBeUndefined();

		const clock = await api.post('/_fake/clock', { offsetMs: 24 * 3600 * 1000 + 1000 });
		expect(clock.status).toBe(200);
		const after = await send(text());
		expect(after.data.error.code).toBe(131047);
		// templates are always allowed
		const tpl = await send({
			messaging_product: 'whatsapp',
			to: GUEST,
			type: 'template',
			template: {
				name: 'booking_confirmation',
				language: { code: 'en_US' },
				components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'May 3' }] }],
			},
		});
		expect(tpl.status).toBe(200);
		expect(tpl.data.messages[0].message_status).toBe('accepted');
	});

	test('templates: unknown -> 132001 (404), param mismatch -> 132000, paused -> 132015, pending -> 132001', async () => {
		const t = (name: string, params: string[] = [], lang = 'en_US') =>
			send({
				messaging_product: 'whatsapp',
				to: GUEST,
				type: 'template',
				template: { name, language: { code: lang }, components: params.length ? [{ type: 'body', parameters: params.map((x) => ({ type: 'text', text: x })) }] : [] },
			});
		const unknown = await t('nope');
		expect(unknown.status).toBe(404);
		expect(unknown.data.error.code).toBe(132001);
		expect(unknown.data.error.message).toBe('(#132001) Template name does not exist in the translation');
		expect(unknown.data.error.error_data.details).toBe('template name (nope) does not exist in en_US');
		expect((await t('booking_confirmation', ['a', 'b'], 'es')).data.error.code).toBe(132001);

		const mismatch = await t('booking_confirmation', ['Ana']);
		expect(mismatch.status).toBe(400);
		expect(mismatch.data.error.code).toBe(132000);
		expect(mismatch.data.error.error_data.details).toBe('body: number of localizable_params (1) does not match the expected number of params (2)');

		const paused = await t('paused_one');
		expect([paused.status, paused.data.error.code]).toEqual([400, 132015]);
		expect((await t('pending_one')).data.error.code).toBe(132001);
	});

	test('interactive limits are rejected naming the field', async () => {
		await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'hi' });
		const btn = (n: number, title = 'Yes') => ({ type: 'reply', reply: { id: `b${n}`, title: `${title}${n}` } });
		const four = await send(interactive({ type: 'button', body: { text: 'Pick' }, action: { buttons: [1, 2, 3, 4].map((n) => btn(n)) } }));
		expect(four.status).toBe(400);
		expect(four.data.error.code).toBe(131009);
		expect(four.data.error.error_data.details).toMatch(/^interactive\.action\.buttons: Invalid buttons count/);

		const longTitle = await send(interactive({ type: 'button', body: { text: 'Pick' }, action: { buttons: [{ type: 'reply', reply: { id: 'x', title: 'a'.repeat(21) } }] } }));
		expect(longTitle.data.error.code).toBe(131009);
		expect(longTitle.data.error.error_data.details).toMatch(/^interactive\.action\.buttons\[0\]\.reply\.title: /);

		const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `Room ${i}` }));
		const eleven = await send(
			interactive({ type: 'list', body: { text: 'Rooms' }, action: { button: 'See rooms', sections: [{ title: 'A', rows: rows(6) }, { title: 'B', rows: rows(5).map((r) => ({ ...r, id: `b${r.id}` })) }] } }),
		);
		expect(eleven.data.error.code).toBe(131009);
		expect(eleven.data.error.error_data.details).toBe('interactive.action.sections: Total row count exceed max allowed count: 10');

		const missingBody = await send({ messaging_product: 'whatsapp', to: GUEST, type: 'text', text: {} });
		expect(missingBody.data.error).toMatchObject({ code: 100, message: "(#100) The parameter text['body'] is required." });
		const wrongProduct = await send({ ...text(), messaging_product: 'sms' });
		expect(wrongProduct.data.error.code).toBe(100);
		const badTo = await send(text('12ab'));
		expect(badTo.data.error.code).toBe(131009);
		expect(badTo.data.error.error_data.details).toMatch(/^to: /);
		const cta = await send(interactive({ type: 'cta_url', body: { text: 'Book' }, action: { name: 'cta_url', parameters: { display_text: 'Book now', url: 'not a url' } } }));
		expect(cta.data.error.error_data.details).toBe('interactive.action.parameters.url: is not a valid URL');

		const good = await send(interactive({ type: 'list', body: { text: 'Rooms' }, action: { button: 'See rooms', sections: [{ title: 'A', rows: rows(10) }] } }));
		expect(good.status).toBe(200);
	});

	test('throughput: beyond throughputPerSecond -> 130429 (HTTP 400 like Meta)', async () => {
		fake.registerPhoneNumber({ phoneNumberId: PN, wabaId: WABA, accessToken: TOKEN, appSecret: SECRET, throughputPerSecond: 3 });
		fake.openWindow(PN, GUEST);
		const results = await Promise.all([1, 2, 3, 4].map(() => send(text())));
		const statuses = results.map((r) => r.status).sort();
		expect(statuses).toEqual([200, 200, 200, 400]);
		const limited = results.find((r) => r.status === 400)!;
		expect(limited.data.error.code).toBe(130429);
		expect(limited.data.error.message).toBe('(#130429) Rate limit hit');
	});

	test('faults: count, Retry-After, drop, latency, FIFO', async () => {
		fake.openWindow(PN, GUEST);
		const f = await api.post('/_fake/faults', { phoneNumberId: PN, path: 'messages', count: 2, error: { code: 131000 }, retryAfterSeconds: 7 });
		expect(f.status).toBe(200);
		fake.addFault({ path: 'messages', error: { code: 4 } });
		const a = await send(text());
		const b = await send(text());
		const c = await send(text());
		const d = await send(text());
		expect([a.status, b.status, c.status, d.status]).toEqual([500, 500, 429, 200]);
		expect(a.data.error.code).toBe(131000);
		expect(a.headers['retry-after']).toBe('7');
		expect(c.headers['retry-after']).toBeUndefined();

		fake.addFault({ phoneNumberId: PN, drop: true });
		const dropped = await send(text()).then(
			() => null,
			(e: { code?: string; message: string }) => e,
		);
		expect(dropped?.message).toBe('socket hang up');
		expect(dropped?.code).toBe('ECONNRESET');

		fake.addFault({ phoneNumberId: PN, latencyMs: 300 });
		const t0 = Date.now();
		const slow = await send(text());
		expect(slow.status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

		// a fault on a phone number also matches its WABA's endpoints; bare messages get Meta's "(#code)" prefix
		fake.addFault({ phoneNumberId: PN, path: 'message_templates', error: { code: 131016, message: 'Service unavailable' } });
		const tpl = await api.get(`/v21.0/${WABA}/message_templates`, { headers: { Authorization: `Bearer ${TOKEN}` } });
		expect(tpl.status).toBe(503);
		expect(tpl.data.error.message).toBe('(#131016) Service unavailable');
		const log = fake.requests({ path: 'messages' });
		expect(log[log.length - 1].fault).toBeDefined();

		const cleared = await api.delete('/_fake/faults');
		expect(cleared.status).toBe(200);
		expect(fake.faults()).toEqual([]);
	});

	test('inbound webhook is signed with the app secret; missing/wrong signatures are rejected by the receiver', async () => {
		const r = await api.post('/_fake/inbound', { phoneNumberId: PN, from: GUEST, name: 'Ana', text: 'Do you have rooms?' });
		expect(r.status).toBe(200);
		expect(r.data.delivered).toEqual({ status: 200, body: { ok: true } });
		expect(r.data.wamid).toMatch(/^wamid\./);
		const got = receiver.posts()[0];
		expect(got.headers['content-type']).toBe('application/json');
		const payload = JSON.parse(got.raw);
		expect(payload).toEqual({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: WABA,
					changes: [
						{
							value: {
								messaging_product: 'whatsapp',
								metadata: { display_phone_number: '15550100001', phone_number_id: PN },
								contacts: [{ profile: { name: 'Ana' }, wa_id: GUEST }],
								messages: [{ from: GUEST, id: r.data.wamid, timestamp: expect.stringMatching(/^\d{10}$/), type: 'text', text: { body: 'Do you have rooms?' } }],
							},
							field: 'messages',
						},
					],
				},
			],
		});

		const wrong = await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'x', signature: 'wrong' });
		expect(wrong.delivered.status).toBe(401);
		const missing = await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'x', signature: 'missing' });
		expect(missing.delivered.status).toBe(401);
		expect(receiver.posts()[2].headers['x-hub-signature-256']).toBeUndefined();
		const raw = await fake.inbound({ phoneNumberId: PN, from: GUEST, rawBody: '{"object":' });
		expect(raw.delivered.status).toBe(200);
		expect(receiver.posts()[3].raw).toBe('{"object":');

		// interactive reply carries the context of the last outbound message
		const sent = await send(interactive({ type: 'button', body: { text: 'Pick' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] } }));
		const reply = await fake.inbound({ phoneNumberId: PN, from: GUEST, buttonReply: { id: 'yes', title: 'Yes' } });
		const m = (reply.payload as any).entry[0].changes[0].value.messages[0];
		expect(m.type).toBe('interactive');
		expect(m.interactive).toEqual({ type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } });
		expect(m.context).toEqual({ from: '15550100001', id: sent.data.messages[0].id });
		const qr = await fake.inbound({ phoneNumberId: PN, from: GUEST, quickReplyButton: { payload: 'STOP', text: 'Stop' } });
		expect((qr.payload as any).entry[0].changes[0].value.messages[0]).toMatchObject({ type: 'button', button: { payload: 'STOP', text: 'Stop' } });

		// mark as read
		const read = await send({ messaging_product: 'whatsapp', status: 'read', message_id: r.data.wamid });
		expect([read.status, read.data]).toEqual([200, { success: true }]);
	});

	test('a status webhook not answered 2xx is delivered again, same body, until it is; biz_opaque_callback_data is returned', async () => {
		let refusals = 2;
		const bodies: string[] = [];
		const flaky = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				if (!raw.includes('"sent"')) {
					res.writeHead(200).end();
					return;
				}
				bodies.push(raw);
				res.writeHead(refusals-- > 0 ? 503 : 200).end();
			});
		});
		await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
		try {
			fake.setConfig({ statusRedeliveryDelaysMs: [20, 20, 20, 20] });
			fake.registerPhoneNumber({ phoneNumberId: PN, wabaId: WABA, accessToken: TOKEN, appSecret: SECRET, webhookUrl: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/w` });
			await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'hi' });
			const r = await send({ ...text(), biz_opaque_callback_data: 'resort-journey/1:confirmation:bk-1' });
			expect(r.status).toBe(200);
			const sent = (list: ReturnType<FakeCloudApi['webhooks']>) => list.filter((d) => d.kind === 'status' && d.body.includes('"sent"'));
			const list = await fake.waitForWebhooks((d) => sent(d).some((x) => x.responseStatus === 200), 3000);
			expect(sent(list).map((d) => d.responseStatus)).toEqual([503, 503, 200]);
			expect(new Set(bodies).size).toBe(1);
			expect(JSON.parse(bodies[0]).entry[0].changes[0].value.statuses[0].biz_opaque_callback_data).toBe('resort-journey/1:confirmation:bk-1');
			const message = fake.messages({ to: GUEST }).find((m) => m.wamid === r.data.messages[0].id)!;
			expect(message.statuses.find((s) => s.status === 'sent')).toMatchObject({ delivered: true, redeliveries: 2 });
		} finally {
			fake.setConfig({ statusRedeliveryDelaysMs: [1000, 2000, 4000, 8000, 16_000, 30_000, 60_000, 120_000] });
			await new Promise<void>((r) => {
				flaky.close(() => r());
				flaky.closeAllConnections();
			});
		}
	});

	test('status webhooks follow an accepted send (sent, delivered) with Meta shape', async () => {
		await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'hi' });
		const r = await send(text());
		const wamid = r.data.messages[0].id;
		const list = await fake.waitForWebhooks((d) => d.filter((x) => x.kind === 'status').length >= 2, 3000);
		const statuses = list.filter((x) => x.kind === 'status');
		expect(statuses.map((s) => (s.payload as any).entry[0].changes[0].value.statuses[0].status)).toEqual(['sent', 'delivered']);
		expect(statuses.every((s) => s.responseStatus === 200)).toBe(true);
		const st = (statuses[0].payload as any).entry[0].changes[0].value;
		expect(st.metadata).toEqual({ display_phone_number: '15550100001', phone_number_id: PN });
		expect(st.statuses[0]).toMatchObject({
			id: wamid,
			status: 'sent',
			recipient_id: GUEST,
			conversation: { origin: { type: 'service' } },
			pricing: { billable: false, pricing_model: 'PMP', category: 'service' },
		});
		expect(st.statuses[0].timestamp).toMatch(/^\d{10}$/);
		expect(statuses[0].signature).toBe(`sha256=${crypto.createHmac('sha256', SECRET).update(statuses[0].body).digest('hex')}`);

		const failed = await api.post('/_fake/status', { wamid, status: 'failed', errors: [{ code: 131026 }] });
		expect(failed.status).toBe(200);
		const fv = failed.data.delivery.payload.entry[0].changes[0].value.statuses[0];
		expect(fv.errors[0]).toMatchObject({ code: 131026, title: 'Message undeliverable', error_data: { details: expect.any(String) } });
		const msgs = (await api.get(`/_fake/messages?phoneNumberId=${PN}`)).data.data;
		expect(msgs[0].statuses.map((s: { status: string }) => s.status)).toEqual(['sent', 'delivered', 'failed']);
	});

	test('subscribed_apps: verification handshake success and failure', async () => {
		const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
		const override = receiver.url.replace('/webhook', '/override');
		const ok = await api.post(`/v21.0/${WABA}/subscribed_apps`, { override_callback_uri: override, verify_token: 'vt-1' }, auth);
		expect([ok.status, ok.data]).toEqual([200, { success: true }]);
		const get = await api.get(`/v21.0/${WABA}/subscribed_apps`, auth);
		expect(get.data.data).toHaveLength(1);
		expect(get.data.data[0].override_callback_uri).toBe(override);
		expect(get.data.data[0].whatsapp_business_api_data).toHaveProperty('id');
		const verify = receiver.received.find((x) => x.method === 'GET')!;
		expect(verify.url).toMatch(/^\/override\?hub\.mode=subscribe&hub\.challenge=\d+&hub\.verify_token=vt-1$/);

		// inbound now goes to the WABA override
		await fake.inbound({ phoneNumberId: PN, from: GUEST, text: 'hi' });
		expect(receiver.posts().map((x) => x.url)).toEqual(['/override']);

		const bad = await api.post(`/v21.0/${WABA}/subscribed_apps`, { override_callback_uri: override, verify_token: 'wrong' }, auth);
		expect(bad.status).toBe(400);
		expect(bad.data.error.code).toBe(2200);
		expect(bad.data.error.message).toBe('(#2200) Callback verification failed with the following errors: HTTP Status Code = 403; HTTP Message = Forbidden');
		expect(fake.subscriptions()[0].overrideCallbackUri).toBe(override);

		const del = await api.delete(`/v21.0/${WABA}/subscribed_apps`, auth);
		expect(del.data).toEqual({ success: true });
		expect((await api.get(`/v21.0/${WABA}/subscribed_apps`, auth)).data).toEqual({ data: [] });
	});

	test('subscribed_apps: challenge echoed wrong -> 2200', async () => {
		const wrong = await startReceiver({ verifyToken: 'vt', echoWrong: true });
		try {
			const r = await api.post(`/v21.0/${WABA}/subscribed_apps`, { override_callback_uri: wrong.url, verify_token: 'vt' }, { headers: { Authorization: `Bearer ${TOKEN}` } });
			expect(r.status).toBe(400);
			expect(r.data.error.code).toBe(2200);
			expect(fake.subscriptions()).toEqual([]);
		} finally {
			await wrong.close();
		}
	});

	test('message_templates: create, duplicate 2388023, list with name filter and paging, delete', async () => {
		const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
		const body = { name: 'welcome_offer', language: 'es', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hola {{1}}' }] };
		const created = await api.post(`/v21.0/${WABA}/message_templates`, body, auth);
		expect(created.status).toBe(200);
		expect(created.data).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'APPROVED', category: 'MARKETING' });
		const dup = await api.post(`/v21.0/${WABA}/message_templates`, body, auth);
		expect(dup.status).toBe(400);
		expect(dup.data.error).toMatchObject({ code: 100, error_subcode: 2388023 });
		const badName = await api.post(`/v21.0/${WABA}/message_templates`, { ...body, name: 'Bad-Name' }, auth);
		expect(badName.data.error.code).toBe(100);

		const filtered = await api.get(`/v21.0/${WABA}/message_templates?name=welcome`, auth);
		expect(filtered.data.data).toEqual([
			{ name: 'welcome_offer', parameter_format: 'POSITIONAL', components: body.components, language: 'es', status: 'APPROVED', category: 'MARKETING', id: created.data.id },
		]);
		const page1 = await api.get(`/v21.0/${WABA}/message_templates?limit=2`, auth);
		expect(page1.data.data).toHaveLength(2);
		expect(page1.data.paging.next).toBeDefined();
		const page2 = await api.get(`/v21.0/${WABA}/message_templates?limit=2&after=${page1.data.paging.cursors.after}`, auth);
		expect(page2.data.data.map((t: { name: string }) => t.name)).toEqual(['pending_one', 'welcome_offer']);

		await api.post('/_fake/config', { templateReviewOutcome: 'PENDING' });
		const pending = await api.post(`/v21.0/${WABA}/message_templates`, { ...body, name: 'later_one' }, auth);
		expect(pending.data.status).toBe('PENDING');

		const del = await api.delete(`/v21.0/${WABA}/message_templates?name=welcome_offer`, auth);
		expect(del.data).toEqual({ success: true });
		expect((await api.get(`/v21.0/${WABA}/message_templates?name=welcome_offer`, auth)).data.data).toEqual([]);
		await api.post('/_fake/config', { templateReviewOutcome: 'APPROVED' });
	});

	test('request log records every Graph request with headers, body, status and response', async () => {
		await send(text());
		await api.get(`/v21.0/${PN}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
		await api.get('/_fake/health');
		const r = await api.get(`/_fake/requests?phoneNumberId=${PN}&path=messages`);
		expect(r.data.data).toHaveLength(1);
		const rec = r.data.data[0];
		expect(rec).toMatchObject({
			seq: 1,
			method: 'POST',
			path: `/v21.0/${PN}/messages`,
			query: {},
			body: text(),
			status: 400,
			response: { error: { code: 131047 } },
		});
		expect(rec.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(new Date(rec.at).toISOString()).toBe(rec.at);
		expect(fake.requests()).toHaveLength(2);
		expect(fake.requests({ since: 1 }).map((x) => x.seq)).toEqual([2]);
		await api.delete('/_fake/requests');
		expect(fake.requests()).toEqual([]);
		expect((await api.get('/_fake/health')).data).toEqual({ ok: true });
	});
});
